// The `spike` program proper (entry: main.ts): wires the real world (process
// streams, the Workload API, Nexus) into the commands and turns every failure
// into one `Error: …` line on stderr and an exit code (docs/design.md § Exit codes).
import { processEnv } from '../protocol/config/env.js';
import { ExitCode } from './output/exit.js';
import { exitOnStrayFailure, exitWhenWritten } from './process-run.js';
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

exitOnStrayFailure();
await exitWhenWritten(await main(process.argv));
