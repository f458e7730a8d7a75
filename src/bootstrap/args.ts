// Upstream's command line: `bootstrap -init` (Go flag syntax, so `--init`
// and `-init=true` work too). Anything else is a usage error.

export const USAGE = 'usage: spike-bootstrap -init';

export type BootstrapArgs = { kind: 'init' } | { kind: 'help' } | { kind: 'error'; message: string };

export function parseBootstrapArgs(argv: readonly string[]): BootstrapArgs {
  if (argv.length === 1) {
    const a = argv[0];
    if (a === '-init' || a === '--init' || a === '-init=true' || a === '--init=true') return { kind: 'init' };
    if (a === '-h' || a === '--help' || a === '-help') return { kind: 'help' };
  }
  return { kind: 'error', message: `invalid command line arguments: ${USAGE}` };
}
