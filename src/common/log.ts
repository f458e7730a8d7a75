// JSON-lines logging for the apps (never for libraries): one object per line,
// app logs on stdout, audit lines on stderr (as upstream SPIKE). Callers pass
// structured fields; never pass secret material (shards, keys, secret values).
//
// Audit lines (one per Nexus request) are buffered and written together: at
// the end of the current event-loop turn (setImmediate), at once when 64 KiB
// are pending, and synchronously on process 'exit' (so SIGTERM/SIGINT, which
// end through lifecycle.ts's process.exit, and crashes lose none). A SIGKILL
// may lose the lines of the last turn — requests answered within the last
// millisecond or so; nothing else is ever lost. Logging stays per-line.
//
// Every line is escaped with escapeJsonForLog: request text (a path, a
// policy name) may hold U+2028, C1 or bidi controls, which JSON.stringify
// leaves raw and a terminal or log viewer would act on.
import { escapeJsonForLog } from '../util/quote-for-message.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[] | readonly number[] | Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A lifecycle event other tools wait for (docs/contracts.md): always written, at level INFO. */
  event(msg: string, fields?: LogFields): void;
  /** An audit record (always written, whatever the level), on stderr. */
  audit(action: string, fields: LogFields): void;
}

export interface LoggerOptions {
  component: string;
  level: LogLevel;
  out?: (line: string) => void;
  auditOut?: (line: string) => void;
}

export interface BufferedWriter {
  write(line: string): void;
  /** Writes whatever is pending, now. */
  flush(): void;
}

/** Lines joined and written by `sink` once per event-loop turn (see the top of this file). */
export function bufferedWriter(sink: (chunk: string) => void, maxPendingBytes = 64 * 1024): BufferedWriter {
  let pending: string[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = (): void => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    bytes = 0;
    sink(chunk);
  };
  const onTurnEnd = (): void => {
    scheduled = false;
    flush();
  };
  return {
    write(line) {
      pending.push(line);
      bytes += line.length;
      if (bytes >= maxPendingBytes) {
        flush();
      } else if (!scheduled) {
        scheduled = true;
        setImmediate(onTurnEnd);
      }
    },
    flush,
  };
}

let stderrAudit: BufferedWriter | undefined;

/** The process-wide buffered audit writer on stderr, flushed on 'exit'. */
function processAuditWriter(): BufferedWriter {
  if (stderrAudit === undefined) {
    const w = bufferedWriter((chunk) => process.stderr.write(chunk));
    process.on('exit', () => w.flush()); // stderr writes to files and pipes are synchronous
    stderrAudit = w;
  }
  return stderrAudit;
}

export function createLogger(opts: LoggerOptions): Logger {
  const out = opts.out ?? ((line: string) => process.stdout.write(line));
  const auditOut = opts.auditOut ?? ((line: string) => processAuditWriter().write(line));
  const min = ORDER[opts.level];
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[level] < min) return;
    out(escapeJsonForLog(JSON.stringify({ time: new Date().toISOString(), level: level.toUpperCase(), component: opts.component, msg, ...fields })) + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    event: (m, f) => {
      out(escapeJsonForLog(JSON.stringify({ time: new Date().toISOString(), level: 'INFO', component: opts.component, msg: m, ...f })) + '\n');
    },
    audit: (action, fields) => {
      auditOut(escapeJsonForLog(JSON.stringify({ time: new Date().toISOString(), level: 'AUDIT', component: opts.component, action, ...fields })) + '\n');
    },
  };
}

/** A one-line, secret-free description of an unknown thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e).split('\n')[0] ?? 'unknown error';
}
