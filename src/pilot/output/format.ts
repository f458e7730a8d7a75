// The -f/--format flag (upstream `format.go`): human/h/plain/p, json/j, yaml/y.
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

/**
 * Parses a format value. `supported` lists the formats the command can print;
 * anything else is a usage error (exit 2) with upstream's wording.
 */
export function parseFormat(value: string, supported: readonly OutputFormat[] = ['human', 'json']): OutputFormat {
  const f = Object.hasOwn(ALIASES, value) ? ALIASES[value] : undefined;
  if (f === undefined || !supported.includes(f)) {
    const valid = supported.map((s) => (s === 'human' ? 'human/h/plain/p' : s === 'json' ? 'json/j' : 'yaml/y')).join(', ');
    throw new CliError(ExitCode.usage, `invalid format '${printable(value)}'. Valid formats are: ${valid}`);
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
