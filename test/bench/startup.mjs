#!/usr/bin/env node
// Start-up only: `spike --version`, `spike operator recover` and `spike
// operator restore` (a drill: a real shard against a ready Nexus) against
// `node -e 0`, on a real local stack from dist/ (test/bench/lib/stack.mjs,
// as `npm run bench` starts it). Runs are interleaved pairs (bare, then the
// command, back to back); it prints medians and the median of the per-pair
// ratios, the figure `npm run bench` reports. Restore pairs are paced 3.1 s
// apart after the first ones (Nexus allows a burst of 10 restore calls per
// caller, then one every 3 s). Build first (`npm run build`).
// Options (environment): STARTUP_RUNS (default 15), NODE_BIN (the Node to
// measure, default this one), STARTUP_SPIKE=<file> (another build's
// spike.js to compare, against the same stack), STARTUP_CPU_PROF=<dir> (one extra profiled
// recover and restore each, spike-recover.cpuprofile and spike-restore.cpuprofile;
// summarise with profile-summary.mjs).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Stack } from './lib/stack.mjs';
import { runTimed, killAll } from './lib/procs.mjs';
import { median } from './lib/stats.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.STARTUP_RUNS ?? 15);
const NODE = process.env.NODE_BIN ?? process.execPath;
const PROFILE_DIR = process.env.STARTUP_CPU_PROF;
const RESTORE_PACE_MS = 3100;

async function timeNode(args, opts = {}) {
  const r = await runTimed('node', NODE, args, opts, 30_000);
  if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** `runs` pairs (bare, then `cmd`) after `warmup` unmeasured ones; pairs at least `paceMs` apart from the `burst`-th on. */
async function pairs(name, cmd, bare, { warmup = 2, paceMs = 0, burst = Infinity } = {}) {
  const xs = [];
  const bs = [];
  for (let i = 0; i < warmup + RUNS; i++) {
    const t0 = Date.now();
    const b = await bare();
    const x = await cmd();
    if (i >= warmup) {
      xs.push(x.ms);
      bs.push(b.ms);
    }
    const left = i + 1 >= burst ? paceMs - (Date.now() - t0) : 0;
    if (left > 0) await sleep(left);
  }
  const ratio = median(xs.map((x, i) => x / bs[i]));
  process.stdout.write(`${name.padEnd(24)} ${median(xs).toFixed(1).padStart(6)} ms   node -e 0 ${median(bs).toFixed(1).padStart(5)} ms   ratio ${ratio.toFixed(2)}x\n`);
}

const stack = await Stack.create(REPO);
const stop = () => {
  killAll();
  process.exit(130);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  await stack.startAll();
  const env = stack.envFor('pilot');
  const spike = process.env.STARTUP_SPIKE ?? stack.bin('spike');
  const bare = () => timeNode(['-e', '0'], { env });
  process.stdout.write(`node ${NODE === process.execPath ? process.version : NODE}; ${RUNS} pairs each; medians\n`);
  await pairs('spike --version', () => timeNode([spike, '--version'], { env }), bare);
  await stack.setEntry('pilot', stack.ids.recover);
  await pairs('spike operator recover', () => timeNode([spike, 'operator', 'recover'], { env }), bare);
  if (PROFILE_DIR !== undefined) {
    await timeNode(['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-recover.cpuprofile', spike, 'operator', 'recover'], { env });
  }
  const recDir = join(stack.dir, 'pilot', 'recover');
  const file = readdirSync(recDir).find((f) => /^spike\.recovery\.\d+\.txt$/.test(f));
  if (file === undefined) throw new Error('spike operator recover wrote no shard file');
  const shard = readFileSync(join(recDir, file));
  await stack.setEntry('pilot', stack.ids.restore);
  const restore = async (extra = []) => {
    const r = await timeNode([...extra, spike, 'operator', 'restore'], { env, stdin: shard });
    if (!r.stdout.includes('matches the current root key')) throw new Error(`unexpected restore output: ${r.stdout}`);
    return r;
  };
  await pairs('spike operator restore', () => restore(), bare, { warmup: 1, paceMs: RESTORE_PACE_MS, burst: 8 });
  if (PROFILE_DIR !== undefined) {
    await sleep(RESTORE_PACE_MS);
    await restore(['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-restore.cpuprofile']);
  }
} finally {
  await stack.cleanup();
  killAll();
}
