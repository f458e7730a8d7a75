// The server binaries' command line (spike-nexus serving, spike-keeper): they
// take no arguments, everything is configured by environment variables.
// `-h`, `-help` or `--help` prints the usage line (exit 0); any other
// argument is a usage error (exit 2). Ignoring arguments, as before, meant
// that asking a server for help, or mistyping `spike-nexus store`, started a
// live secrets server.
import { quoteForMessage } from '../util/quote-for-message.js';

export type ServerArgs = { readonly kind: 'serve' } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

const HELP_FLAGS: ReadonlySet<string> = new Set(['-h', '-help', '--help']);

export const NEXUS_USAGE = 'usage: spike-nexus (serves; configured by environment variables) or spike-nexus store <command> (see spike-nexus store --help)';
export const KEEPER_USAGE = 'usage: spike-keeper (serves; configured by environment variables)';

export function parseServerArgs(argv: readonly string[], usage: string): ServerArgs {
  const [first] = argv;
  if (first === undefined) return { kind: 'serve' };
  if (argv.length === 1 && HELP_FLAGS.has(first)) return { kind: 'help' };
  return { kind: 'error', message: `unexpected argument ${quoteForMessage(first)}: ${usage}` };
}
