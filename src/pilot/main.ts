#!/usr/bin/env node
// `spike`, the SPIKE Pilot CLI: the entry point. A lone `--version` / `-V`
// is answered here before anything else loads (commander and the command
// modules are most of a bare `spike`'s start-up: test/bench/README.md);
// everything else goes to cli.ts, which wires the real world into the
// commander program.
import pkg from '../../package.json' with { type: 'json' };

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Same text as commander's `.version(VERSION)` (program.ts), which answers every other spelling.
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
await import('./cli.js');
