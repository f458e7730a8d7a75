// How a `spike` process ends, the same for the full CLI (cli.ts) and the
// break-glass fast path (fast/run.ts): an uncaught failure is one
// `Error:` line and exit 1, and the exit waits until stdout and stderr are
// written out.
import { errorLine, ExitCode, firstLine } from './output/exit.js';

/** Any failure that escapes the command: one line, exit 1 (docs/design.md § Exit codes). */
export function exitOnStrayFailure(): void {
  process.on('uncaughtException', (e) => {
    process.stderr.write(errorLine(`unexpected failure (${firstLine(e)})`));
    process.exit(ExitCode.nexus);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(errorLine(`unexpected failure (${firstLine(e)})`));
    process.exit(ExitCode.nexus);
  });
}

/**
 * Resolves once everything written to `stream` so far has been handed to the
 * OS. Node writes to a pipe asynchronously once the pipe is full, and
 * process.exit() drops what is still queued: `spike secret list | …` of a
 * large store lost most of its lines. A reader that went away (EPIPE) ends
 * the wait too.
 */
function written(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}

/** Exits with `code` once stdout and stderr are written out. */
export async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  // Exit explicitly: a stray handle (a late Workload API stream) must never keep the CLI alive.
  process.exit(code);
}
