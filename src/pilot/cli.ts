// The `spike` program proper (entry: main.ts): wires the real world (process
// streams, the Workload API, Nexus) into the commands and turns every failure
// into one `Error: …` line on stderr and an exit code (docs/design.md § Exit codes).
import { processEnv } from '../protocol/config/env.js';
import { errorLine, ExitCode, firstLine } from './output/exit.js';
import { processIo } from './output/io.js';
import { buildProgram } from './program.js';
import { reportFailure } from './output/report.js';
import type { PilotDeps } from './runtime.js';

async function main(argv: readonly string[]): Promise<number> {
  const io = processIo();
  let deps: PilotDeps | undefined;
  const lazyDeps = (): PilotDeps => {
    deps ??= {
      env: processEnv(),
      io,
      openIdentity: async (cfg) => (await import('./nexus/identity.js')).openWorkloadIdentity(cfg),
    };
    return deps;
  };
  try {
    await (await buildProgram(lazyDeps, io, argv)).parseAsync(argv as string[]);
    return ExitCode.ok;
  } catch (e) {
    return reportFailure(e, io.err);
  }
}

process.on('uncaughtException', (e) => {
  process.stderr.write(errorLine(`unexpected failure (${firstLine(e)})`));
  process.exit(ExitCode.nexus);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(errorLine(`unexpected failure (${firstLine(e)})`));
  process.exit(ExitCode.nexus);
});

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

const code = await main(process.argv);
await Promise.all([written(process.stdout), written(process.stderr)]);
// Exit explicitly: a stray handle (a late Workload API stream) must never keep the CLI alive.
process.exit(code);
