// The real PilotIo: process streams, stdin to EOF with a byte limit, and
// terminal prompts (hidden or echoed) through the `read` package (loaded only
// when needed).
import { readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { CliError, ExitCode } from './exit.js';
import { PROMPT_CANCELED_MESSAGE } from './restore-texts.js';
import type { PilotIo } from '../runtime.js';

export function processIo(): PilotIo {
  return {
    out: (text) => void process.stdout.write(text),
    outBytes: (bytes) => void process.stdout.write(bytes),
    err: (text) => void process.stderr.write(text),
    stdoutIsTty: () => process.stdout.isTTY === true,
    // isatty(0), not process.stdin.isTTY: the getter would create the stdin stream (readStdin).
    stdinIsTty: () => isatty(0),
    readStdin: (limit) => readStdin(limit),
    readLine: (limit) => readOneLine(process.stdin, limit),
    stderrIsTty: () => process.stderr.isTTY === true,
    readHidden: (prompt) => readTerminalLine(prompt, true, 'Failed to read the recovery shard from the terminal.'),
    readAnswer: (prompt) => readTerminalLine(prompt, false, 'Failed to read the answer from the terminal.'),
  };
}

/**
 * One line from the terminal through the `read` package (loaded only when
 * needed), the prompt on stderr so that stdout stays clean for -f json;
 * `silent` hides the input. Ctrl-C → CliError exit 130; Ctrl-D on an empty
 * line → ''.
 */
async function readTerminalLine(prompt: string, silent: boolean, failure: string): Promise<string> {
  const { read } = await import('read');
  // Ctrl-D on an empty line closes readline (which pauses stdin) without
  // a line, and `read` never settles: take it as empty input. A line or
  // Ctrl-C settles `read` first, in the same tick as the pause.
  let endLine = silent;
  let onPause = (): void => undefined;
  const eof = new Promise<string>((resolve) => {
    onPause = () =>
      void setImmediate(() => {
        endLine = true; // nothing was echoed: the prompt's line is still open
        resolve('');
      });
    process.stdin.once('pause', onPause);
  });
  try {
    return await Promise.race([read({ prompt, silent, replace: '', input: process.stdin, output: process.stderr, terminal: true }), eof]);
  } catch (e) {
    endLine = true;
    const msg = e instanceof Error ? e.message : '';
    // `read` rejects with "canceled" on Ctrl-C: exit 130 as a shell would, nothing sent.
    if (msg === 'canceled') throw new CliError(ExitCode.interrupted, PROMPT_CANCELED_MESSAGE);
    throw new CliError(ExitCode.usage, failure);
  } finally {
    process.stdin.removeListener('pause', onPause);
    // Hidden input swallows the line break of Enter (and Ctrl-C prints
    // none): end the prompt's line so that what follows, an `Error:` line
    // above all, starts on a line of its own. Echoed input ends its own line.
    if (endLine) process.stderr.write('\n');
  }
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Standard input to EOF, at most `limit` bytes (InputTooLongError, exit 2, beyond).
 * Not a terminal: read from descriptor 0 directly, without creating
 * process.stdin (a stream over the pipe or file costs a CLI's start-up about
 * 1.5 ms; test/bench/README.md § Start-up). A terminal: the stream, as always.
 */
export function readStdin(limit: number): Promise<Buffer> {
  if (isatty(0)) return readLimited(process.stdin, limit);
  return readLimitedSync((buf) => readSync(0, buf, 0, buf.length, null), () => process.stdin, limit);
}

/** More than `limit` bytes of input (exit 2). A type of its own, so that a caller can say what the limit is for. */
export class InputTooLongError extends CliError {
  constructor(
    readonly limit: number,
    message = `Input too long: more than ${limit} bytes.`,
  ) {
    super(ExitCode.usage, message);
  }
}

/** What readToLimit read: all of it, or — a read would block (EAGAIN) — the chunks so far, which the caller takes over. */
export type LimitedRead = { readonly done: true; readonly bytes: Buffer } | { readonly done: false; readonly chunks: Buffer[] };

/**
 * The bounded read(2) loop: reads with `read` (a read of `buf`, 0 at EOF) to
 * EOF, at most `limit` bytes; EINTR is retried. More than `limit` bytes:
 * InputTooLongError; another failed read: `failure(errno)`. What was read is
 * zeroed on every path but the EAGAIN one (there the caller owns the chunks).
 */
export function readToLimit(read: (buf: Buffer) => number, limit: number, failure: (code: string) => Error): LimitedRead {
  const chunks: Buffer[] = [];
  let size = 0;
  const wipe = (): void => {
    for (const c of chunks) c.fill(0);
  };
  for (;;) {
    const buf = Buffer.alloc(Math.min(64 * 1024, limit + 1 - size));
    let n: number;
    try {
      n = read(buf);
    } catch (e) {
      buf.fill(0);
      const code = errnoOf(e);
      if (code === 'EINTR') continue;
      if (code === 'EAGAIN') return { done: false, chunks };
      wipe();
      throw failure(code ?? 'error');
    }
    if (n === 0) {
      const bytes = Buffer.concat(chunks, size);
      wipe();
      return { done: true, bytes };
    }
    chunks.push(buf.subarray(0, n));
    size += n;
    if (size > limit) {
      wipe();
      throw new InputTooLongError(limit);
    }
  }
}

/**
 * Reads with `read` (a read(2) of `buf`, 0 at EOF) to EOF, at most `limit`
 * bytes; when a read would block (EAGAIN: a non-blocking descriptor) the
 * rest comes from `stream()` (readLimited, with what was read so far).
 * Errors as readLimited's; what was read is zeroed.
 */
export function readLimitedSync(read: (buf: Buffer) => number, stream: () => NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  let r: LimitedRead;
  try {
    r = readToLimit(read, limit, (code) => new CliError(ExitCode.usage, `Failed to read standard input (${code}).`));
  } catch (e) {
    return Promise.reject(e as Error);
  }
  return r.done ? Promise.resolve(r.bytes) : readLimited(stream(), limit, r.chunks);
}

/**
 * Reads `stream` to EOF into one Buffer, after the `already` read chunks
 * (taken over: zeroed like the rest); more than `limit` bytes in all →
 * InputTooLongError, exit 2 (what was read is zeroed).
 */
export function readLimited(stream: NodeJS.ReadableStream, limit: number, already: Buffer[] = []): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = already;
    let size = already.reduce((n, c) => n + c.length, 0);
    let done = false;
    const wipe = (): void => {
      for (const c of chunks) c.fill(0);
    };
    const cleanup = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string): void => {
      if (done) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      chunks.push(buf);
      if (size > limit) {
        done = true;
        cleanup();
        wipe();
        stream.pause();
        reject(new InputTooLongError(limit));
      }
    };
    const onEnd = (): void => {
      if (done) return;
      done = true;
      cleanup();
      const all = Buffer.concat(chunks, size);
      wipe();
      resolve(all);
    };
    const onError = (e: Error): void => {
      if (done) return;
      done = true;
      cleanup();
      wipe();
      reject(new CliError(ExitCode.usage, `Failed to read standard input (${(e as NodeJS.ErrnoException).code ?? 'error'}).`));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Reads up to the first line break (or EOF) of `stream`, then stops reading; at most `limit` characters are kept. */
export function readOneLine(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise<string>((resolve) => {
    let text = '';
    const finish = (): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', finish);
      stream.removeListener('error', finish);
      stream.pause();
      const i = text.search(/\r?\n/);
      resolve((i < 0 ? text : text.slice(0, i)).slice(0, limit));
    };
    const onData = (chunk: Buffer | string): void => {
      text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (text.includes('\n') || text.length > limit) finish();
    };
    stream.on('data', onData);
    stream.on('end', finish);
    stream.on('error', finish);
    stream.resume();
  });
}
