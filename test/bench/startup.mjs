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
// spike.js to measure, against the same stack), STARTUP_COMPARE=<file>
// (another build's spike.js measured in the same rounds as this one, their
// order alternating: before/after in one run), STARTUP_CPU_PROF=<dir> (one extra profiled
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

/**
 * `runs` rounds of `node -e 0` then each of `cmds` (`[label, run]`; with two,
 * their order alternates from round to round) after `warmup` unmeasured
 * ones; rounds at least `paceMs` apart from the `burst`-th on. Prints, per
 * command, its median, the median of `node -e 0` and the median of the
 * per-round ratios.
 */
async function pairs(name, cmds, bare, { warmup = 2, paceMs = 0, burst = Infinity } = {}) {
  const xs = cmds.map(() => []);
  const bs = [];
  for (let i = 0; i < warmup + RUNS; i++) {
    const t0 = Date.now();
    const b = await bare();
    const order = i % 2 === 0 ? cmds.map((_, k) => k) : cmds.map((_, k) => cmds.length - 1 - k);
    const ms = [];
    for (const k of order) ms[k] = (await cmds[k][1]()).ms;
    if (i >= warmup) {
      cmds.forEach((_, k) => xs[k].push(ms[k]));
      bs.push(b.ms);
    }
    const left = i + 1 >= burst ? paceMs - (Date.now() - t0) : 0;
    if (left > 0) await sleep(left);
  }
  cmds.forEach(([label], k) => {
    const ratio = median(xs[k].map((x, j) => x / bs[j]));
    const title = cmds.length === 1 ? name : `${name} (${label})`;
    process.stdout.write(`${title.padEnd(24)} ${median(xs[k]).toFixed(1).padStart(6)} ms   node -e 0 ${median(bs).toFixed(1).padStart(5)} ms   ratio ${ratio.toFixed(2)}x\n`);
  });
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
  // STARTUP_COMPARE=<another build's spike.js>: each round runs both builds (alternating which goes first) against the same `node -e 0`.
  const builds = [['this', spike], ...(process.env.STARTUP_COMPARE === undefined ? [] : [['compare', process.env.STARTUP_COMPARE]])];
  const bare = () => timeNode(['-e', '0'], { env });
  process.stdout.write(`node ${NODE === process.execPath ? process.version : NODE}; ${RUNS} pairs each; medians${builds.length > 1 ? `; this: ${spike}, compare: ${builds[1][1]}` : ''}\n`);
  await pairs(
    'spike --version',
    builds.map(([label, bin]) => [label, () => timeNode([bin, '--version'], { env })]),
    bare,
  );
  await stack.setEntry('pilot', stack.ids.recover);
  await pairs(
    'spike operator recover',
    builds.map(([label, bin]) => [label, () => timeNode([bin, 'operator', 'recover'], { env })]),
    bare,
  );
  if (PROFILE_DIR !== undefined) {
    await timeNode(['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-recover.cpuprofile', spike, 'operator', 'recover'], { env });
  }
  const recDir = join(stack.dir, 'pilot', 'recover');
  const file = readdirSync(recDir).find((f) => /^spike\.recovery\.\d+\.txt$/.test(f));
  if (file === undefined) throw new Error('spike operator recover wrote no shard file');
  const shard = readFileSync(join(recDir, file));
  await stack.setEntry('pilot', stack.ids.restore);
  const restore = async (bin, extra = []) => {
    const r = await timeNode([...extra, bin, 'operator', 'restore'], { env, stdin: shard });
    if (!r.stdout.includes('matches the current root key')) throw new Error(`unexpected restore output: ${r.stdout}`);
    return r;
  };
  // Nexus allows a burst of 10 restore calls per caller, then one every 3 s: each round makes one call per build.
  await pairs(
    'spike operator restore',
    builds.map(([label, bin]) => [label, () => restore(bin)]),
    bare,
    { warmup: 1, paceMs: RESTORE_PACE_MS * builds.length, burst: Math.floor(8 / builds.length) },
  );
  if (PROFILE_DIR !== undefined) {
    await sleep(RESTORE_PACE_MS);
    await restore(spike, ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-restore.cpuprofile']);
  }
} finally {
  await stack.cleanup();
  killAll();
}
