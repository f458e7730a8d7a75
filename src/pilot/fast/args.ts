// The command lines the break-glass fast path (run.ts) takes
// without commander: `spike operator restore|recover` (or the aliases
// `spike restore|recover`) followed only by options of that command, each
// spelled `--name value`, `--name=value` or `-x value`, no value empty or
// starting with `-`, a valid -f value and a valid SPIKE_FORMAT. The options
// come out as commander would hand them to the command's action (the
// defaults of defineRestore/defineRecover, the last value of a repeated
// option, every --recipient, -f checked by output/format.ts and
// SPIKE_FORMAT applied when -f is not given: format-flags.ts). Anything else
// (help, other spellings, unknown or misplaced words, an invalid format) is
// `undefined`: the full CLI runs it, so its texts and errors stay
// commander's.
import { formatFromEnv, parseFormat, type OutputFormat } from '../output/format.js';
import type { RecoverOptions } from '../commands/operator-recover.js';
import type { RestoreOptions } from '../commands/operator-restore.js';

export type BreakglassLine = { readonly command: 'restore'; readonly opts: RestoreOptions } | { readonly command: 'recover'; readonly opts: RecoverOptions };

type Command = BreakglassLine['command'];

/** One option of a command: its spellings and whether it takes a value. */
interface OptionSpec {
  readonly key: string;
  readonly long: string;
  readonly short?: string;
  readonly value: boolean;
}

/** The options of defineRestore / defineRecover (commands/operator-*.ts), keyed by commander's attribute names. */
const OPTIONS: Readonly<Record<Command, readonly OptionSpec[]>> = {
  restore: [
    { key: 'format', long: '--format', short: '-f', value: true },
    { key: 'file', long: '--file', value: true },
    { key: 'identity', long: '--identity', short: '-i', value: true },
    { key: 'manifest', long: '--manifest', short: '-m', value: true },
    { key: 'fingerprint', long: '--fingerprint', value: true },
    { key: 'reset', long: '--reset', value: false },
  ],
  recover: [
    { key: 'format', long: '--format', short: '-f', value: true },
    { key: 'recipient', long: '--recipient', short: '-r', value: true },
    { key: 'recipientsFile', long: '--recipients-file', short: '-R', value: true },
  ],
};

/** The formats -f of restore and recover can print (their help is FORMAT_HELP: no yaml). */
const FORMATS: readonly OutputFormat[] = ['human', 'json'];

/** The command a line names by its first words, and where its options start. */
function commandOf(args: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  const isCommand = (w: string | undefined): w is Command => w === 'restore' || w === 'recover';
  if (args[0] === 'operator' && isCommand(args[1])) return { command: args[1], rest: args.slice(2) };
  if (isCommand(args[0])) return { command: args[0], rest: args.slice(1) };
  return undefined;
}

/** The break-glass command `args` (process.argv after the script) names by its first words, if any: main.ts loads its fast path then. */
export function breakglassCommandOf(args: readonly string[]): Command | undefined {
  return commandOf(args)?.command;
}

function isFormat(value: string): boolean {
  try {
    parseFormat(value, FORMATS);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command and options of `args` (process.argv after the script), or
 * undefined when the full CLI must run it. `spikeFormat` reads SPIKE_FORMAT
 * (only when -f is not given, as format-flags.ts does).
 */
export function parseBreakglassLine(args: readonly string[], spikeFormat: () => string | undefined): BreakglassLine | undefined {
  const named = commandOf(args);
  if (named === undefined) return undefined;
  const specs = OPTIONS[named.command];
  const values = new Map<string, string | true>();
  const recipients: string[] = [];
  const { rest } = named;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const spec = specs.find((s) => s.long === flag || (eq < 0 && s.short === flag));
    if (spec === undefined) return undefined;
    if (!spec.value) {
      if (eq >= 0) return undefined;
      values.set(spec.key, true);
      continue;
    }
    const value = eq < 0 ? rest[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (spec.key === 'recipient') recipients.push(value);
    // commander checks every -f it is given, not only the last: an invalid one anywhere is the full CLI's usage error
    else if (spec.key === 'format' && !isFormat(value)) return undefined;
    else values.set(spec.key, value);
  }
  let format: OutputFormat;
  try {
    const given = values.get('format');
    format = typeof given === 'string' ? parseFormat(given, FORMATS) : (formatFromEnv(spikeFormat(), FORMATS) ?? 'human');
  } catch {
    return undefined;
  }
  const text = (key: string): string | undefined => {
    const v = values.get(key);
    return typeof v === 'string' ? v : undefined;
  };
  if (named.command === 'recover') {
    return { command: 'recover', opts: { format, recipient: recipients, ...defined({ recipientsFile: text('recipientsFile') }) } };
  }
  return {
    command: 'restore',
    opts: {
      format,
      ...defined({ file: text('file'), identity: text('identity'), manifest: text('manifest'), fingerprint: text('fingerprint') }),
      ...(values.has('reset') ? { reset: true } : {}),
    },
  };
}

/** `o` without its undefined entries (commander sets only the options given). */
function defined<T extends Record<string, string | undefined>>(o: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Record<keyof T, string>>;
}
