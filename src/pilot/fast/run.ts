// The fast path of `spike operator restore` and `spike operator recover`
// (and their aliases): main.ts require()s the command's own CommonJS bundle
// (dist/spike-operator-restore.cjs, built from restore.ts; recover likewise:
// scripts/build.mjs), which holds that command and no commander, for a
// command line that names it. It runs the same command code as the full CLI
// (commands/operator-restore.ts, operator-recover.ts) with the same wiring as
// cli.ts, without Node's ES module loader, commander and the ~30 module files
// of the full CLI (test/bench/README.md § Start-up). A line it does not take
// (args.ts) goes back to main.ts, which runs the full CLI.
import { processEnv } from '../../protocol/config/env.js';
import { parseBreakglassLine, type BreakglassLine } from './args.js';
import { loadFormatSetting } from '../config.js';
import { ExitCode, reportCommandFailure } from '../output/exit.js';
import { processIo } from '../output/io.js';
import { exitOnStrayFailure, exitWhenWritten } from '../process-run.js';
import type { PilotDeps } from '../runtime.js';

/** What a fast-path bundle exports to main.ts. */
export interface FastPathModule {
  /** Runs `args` (process.argv after the script) and exits, when this path takes the line; false (nothing done) otherwise. */
  runFastPath(args: readonly string[]): boolean;
}

/** Runs the command `args` names with `run` when it is `command` and this path takes the line (args.ts). */
export function runFastLine<C extends BreakglassLine['command']>(
  args: readonly string[],
  command: C,
  run: (deps: PilotDeps, opts: Extract<BreakglassLine, { command: C }>['opts']) => Promise<void>,
): boolean {
  const env = processEnv();
  const line = parseBreakglassLine(args, () => loadFormatSetting(env));
  if (line?.command !== command) return false;
  const io = processIo();
  const deps: PilotDeps = {
    env,
    io,
    openIdentity: async (cfg) => (await import('../nexus/identity.js')).openWorkloadIdentity(cfg),
  };
  exitOnStrayFailure();
  run(deps, line.opts as Extract<BreakglassLine, { command: C }>['opts']).then(
    () => exitWhenWritten(ExitCode.ok),
    (e: unknown) => exitWhenWritten(reportCommandFailure(e, io.err)),
  );
  return true;
}
