// The -f/--format flag (upstream `format.go`): human/h/plain/p, json/j,
// yaml/y, here in any letter case. `SPIKE_FORMAT` sets the default of every
// command that has the flag (program.ts applies it; docs/cli.md § Output
// formats). `-format=json` (one dash) reaches commander as `-f ormat=json`:
// that value gets a hint instead of a bare "invalid format".
import { CliError, ExitCode } from './exit.js';

export type OutputFormat = 'human' | 'json' | 'yaml';

const ALIASES: Record<string, OutputFormat> = {
  human: 'human',
  h: 'human',
  plain: 'human',
  p: 'human',
  '': 'human',
  json: 'json',
  j: 'json',
  yaml: 'yaml',
  y: 'yaml',
};

/** The formats named by upstream's help, for an error message. */
function validList(supported: readonly OutputFormat[]): string {
  return supported.map((s) => (s === 'human' ? 'human/h/plain/p' : s === 'json' ? 'json/j' : 'yaml/y')).join(', ');
}

/** The canonical format of `value` (any letter case), or undefined. */
export function formatOf(value: string): OutputFormat | undefined {
  const key = value.toLowerCase();
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

/**
 * Parses a format value. `supported` lists the formats the command can print;
 * anything else is a usage error (exit 2) with upstream's wording.
 */
export function parseFormat(value: string, supported: readonly OutputFormat[] = ['human', 'json']): OutputFormat {
  const f = formatOf(value);
  if (f === undefined || !supported.includes(f)) {
    const hint = misspelledFlagHint(value);
    if (hint !== undefined) throw new CliError(ExitCode.usage, hint);
    throw new CliError(ExitCode.usage, `invalid format '${printable(value)}'. Valid formats are: ${validList(supported)}`);
  }
  return f;
}

/** `-format=json` / `-format json` arrive as the value `ormat=json` / `ormat`: say what was meant. */
function misspelledFlagHint(value: string): string | undefined {
  const m = /^ormat(?:=(.*))?$/is.exec(value);
  if (m === null) return undefined;
  const meant = m[1] !== undefined && m[1] !== '' ? printable(m[1]) : '<format>';
  return `unknown format "${printable(value)}"; did you mean --format ${meant}?`;
}

/**
 * The default format from `SPIKE_FORMAT` (undefined when unset): an invalid
 * value, or one this command cannot print, is a usage error naming the variable.
 */
export function formatFromEnv(value: string | undefined, supported: readonly OutputFormat[]): OutputFormat | undefined {
  if (value === undefined) return undefined;
  const f = formatOf(value);
  if (f === undefined) {
    throw new CliError(ExitCode.usage, `Invalid configuration: SPIKE_FORMAT: invalid format '${printable(value)}'. Valid formats are: ${validList(ALL_FORMATS)}`);
  }
  if (!supported.includes(f)) {
    throw new CliError(ExitCode.usage, `SPIKE_FORMAT is '${printable(value)}', which this command cannot print (valid: ${validList(supported)}); pass -f.`);
  }
  return f;
}

export const FORMAT_HELP = 'Output format: human/h/plain/p or json/j';

/** Upstream format.go's help, for commands that print all three formats. */
export const FORMAT_HELP_ALL = 'Output format: human/h/plain/p, json/j, or yaml/y';

export const ALL_FORMATS: readonly OutputFormat[] = ['human', 'json', 'yaml'];

function printable(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return cut.replace(/[^\x20-\x7e…]/g, '?');
}
