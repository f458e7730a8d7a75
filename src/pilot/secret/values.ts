// The `key=value` arguments of `spike secret put` (docs/cli.md § spike secret
// put): each is split at its first `=`; the value is
//   - `-`        read from standard input to EOF (at most one key may ask);
//   - `@<file>`  the bytes of <file>;
//   - `@@<text>` the literal text `@<text>` (one `@` dropped);
//   - anything else, the literal text.
// Values read from a file or stdin never appear in argv (which other local
// users can see with `ps`); they are kept in Buffers until the request is
// encoded, byte for byte (no newline is stripped), must be UTF-8 text (Nexus
// stores strings), and may be at most MAX_VALUE_BYTES long.
import { CliError, ExitCode } from '../output/exit.js';
import { readLimitedFile } from '../breakglass/files.js';
import type { PilotIo } from '../runtime.js';

/** Largest value read from a file or stdin (SPIKE Nexus's default request limit is 1 MiB as well). */
export const MAX_VALUE_BYTES = 1024 * 1024;

export type ValueSource = { kind: 'literal'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

export interface PutPair {
  key: string;
  source: ValueSource;
}

function shown(s: string): string {
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return cut.replace(/[^\x20-\x7e…]/g, '?');
}

function sourceOf(value: string): ValueSource | undefined {
  if (value === '-') return { kind: 'stdin' };
  if (value.startsWith('@@')) return { kind: 'literal', text: value.slice(1) };
  if (value.startsWith('@')) return value.length > 1 ? { kind: 'file', path: value.slice(1) } : undefined;
  return { kind: 'literal', text: value };
}

/**
 * Splits the pairs (later duplicates win) and checks them all before
 * anything is read: an invalid pair (no `=`, or `key=@` without a file)
 * refuses the whole command (exit 2), as does a second `key=-`.
 */
export function parsePutPairs(pairs: readonly string[]): PutPair[] {
  const out = new Map<string, ValueSource>();
  const invalid: string[] = [];
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    const source = i < 0 ? undefined : sourceOf(kv.slice(i + 1));
    if (source === undefined) invalid.push(kv);
    else out.set(kv.slice(0, i), source);
  }
  if (invalid.length > 0) {
    // Upstream's text; the token is the operator's own argument.
    const first = invalid[0] as string;
    const why = first.includes('=') ? ' (no file name after @; write @@ for a value starting with @)' : '';
    throw new CliError(ExitCode.usage, `Invalid key-value pair: ${shown(first)}${why}${invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : ''}`);
  }
  const fromStdin = [...out].filter(([, s]) => s.kind === 'stdin').map(([k]) => `'${shown(k)}'`);
  if (fromStdin.length > 1) {
    throw new CliError(ExitCode.usage, `Only one value can come from standard input (key=-); ${fromStdin.join(' and ')} both ask for it.`);
  }
  return [...out].map(([key, source]) => ({ key, source }));
}

/** `bytes` as text; not UTF-8 → exit 2 naming where it came from. */
function utf8Text(bytes: Buffer, key: string, from: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CliError(
      ExitCode.usage,
      `The value of key '${shown(key)}' from ${from} is not UTF-8 text; SPIKE stores text values (encode binary data first, e.g. base64).`,
    );
  }
}

/** Reads one value that is not in argv into a Buffer the caller zeroes. */
async function readValue(io: PilotIo, key: string, source: Exclude<ValueSource, { kind: 'literal' }>): Promise<{ bytes: Buffer; from: string }> {
  if (source.kind === 'file') {
    return { bytes: readLimitedFile(source.path, MAX_VALUE_BYTES, `the value of key '${shown(key)}' from file`), from: `file ${shown(source.path)}` };
  }
  if (io.stdinIsTty()) io.err(`Reading the value of '${shown(key)}' from standard input; end it with Ctrl-D.\n`);
  try {
    return { bytes: await io.readStdin(MAX_VALUE_BYTES), from: 'standard input' };
  } catch (e) {
    if (e instanceof CliError) throw new CliError(e.exitCode, `Cannot read the value of key '${shown(key)}' from standard input: ${e.message}`);
    throw e;
  }
}

/**
 * The values to send, as the Go encoder takes them (strings). File and stdin
 * bytes live in Buffers that are zeroed as soon as they are decoded (or on failure).
 */
export async function resolvePutValues(io: PilotIo, pairs: readonly PutPair[]): Promise<Record<string, string>> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const { key, source } of pairs) {
    if (source.kind === 'literal') {
      values[key] = source.text;
      continue;
    }
    const { bytes, from } = await readValue(io, key, source);
    try {
      values[key] = utf8Text(bytes, key, from);
    } finally {
      bytes.fill(0);
    }
  }
  return values;
}
