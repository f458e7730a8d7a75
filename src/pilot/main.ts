#!/usr/bin/env node
// `spike`, the SPIKE Pilot CLI: the entry point. It is bundled as CommonJS
// (dist/spike.cjs; dist/spike.js links to it) so that a lone `--version` /
// `-V` is answered before Node even starts its ES module loader (about a
// quarter of a bare `spike --version`: test/bench/README.md § Start-up).
// `spike operator restore|recover` (and the aliases) go to the break-glass
// fast path (fast/run.ts: the command's own CommonJS bundle, without
// commander), which hands back any line it does not take. Every other command line goes to
// cli.ts (the ES module bundle, with the commands loaded lazily), which wires
// the real world into the commander program.
import pkg from '../../package.json' with { type: 'json' };
import { breakglassCommandOf } from './fast/args.js';
import type { FastPathModule } from './fast/run.js';

/** Where scripts/build.mjs puts cli.ts's bundle, relative to this file's real path. */
const CLI_MODULE = './chunks/spike-cli.js';
/** Where scripts/build.mjs puts the fast-path bundle of `command` (fast/restore.ts, fast/recover.ts): next to this file (its real path). */
const fastPathModule = (command: string): string => `${__dirname}/spike-operator-${command}.cjs`;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Same text as commander's `.version(VERSION)` (program.ts), which answers every other spelling.
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
/** Ends with one line when a module of spike cannot be loaded: only a broken installation gets here (the commands report their own failures). */
function cannotLoad(what: string): (e: unknown) => never {
  return (e) => {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    process.stderr.write(`Error: unexpected failure (cannot load ${what}: ${why})\n`);
    process.exit(1);
  };
}

function runFullCli(): void {
  import(CLI_MODULE).catch(cannotLoad(CLI_MODULE));
}

const fast = breakglassCommandOf(args);
if (fast === undefined) {
  runFullCli();
} else {
  // The fast path runs the line and exits by itself when it takes it. Its
  // loader is imported here, not above, so that --version does not load node:vm.
  const file = fastPathModule(fast);
  import('./fast/load.js')
    .then(({ requireBundle }) => (requireBundle(file, require) as FastPathModule).runFastPath(args))
    .then((taken) => {
      if (!taken) runFullCli();
    }, cannotLoad(file));
}
