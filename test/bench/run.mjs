#!/usr/bin/env node
// `npm run bench` (after `npm run build`): measures spike-ts against
// baselines taken in the same run, on a real local stack, and writes
// bench-results.json (every figure with value, unit, baseline, ratio, target,
// pass; the machine) plus a table with PASS/MISS against the issue's targets:
//   (a) `spike --version`, `spike operator restore` (non-TTY) and `spike operator recover` wall time vs `node -e 0`
//   (b) Nexus secret get/put throughput, p50/p99 over mTLS keep-alive vs a bare https mTLS echo server;
//       and a get by a workload that a regex policy authorizes, vs the echo server and the superuser get
//   (p) the same get/put on PostgreSQL (a private cluster, a stack of its own): 1 replica, then 2 replicas
//       on the same database with the load split over both (informational, no target)
//   (c) Nexus start → root_key_ready with the Keepers up
//   (s) the scale curve: (b)/(c)-style figures, `spike secret list` and Nexus RSS at 1k, 10k and 100k
//       stored secrets with 1k policies (seeded straight into spike.db), drawn to docs/bench-scale.svg;
//       (r) a root-key rotation (spike operator rotate, end to end) at each size, secrets/s
//   (a') a real break-glass restore (Keepers lost their shards), one sample per step
//   (d) Shamir computeShares / recoverSecret per second
// Everything is bounded in count and time (a watchdog ends the run), traffic
// stays on 127.0.0.1, every process is stopped and the temp dir removed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Stack } from './lib/stack.mjs';
import { killAll, runTimed } from './lib/procs.mjs';
import { fetchSvid, pinSpiffeId } from './lib/svid.mjs';
import { mtlsAgent, post } from './lib/load.mjs';
import { measureRounds, roundRatio, summarizeRounds } from './lib/rounds.mjs';
import { startEcho } from './lib/echo.mjs';
import { median } from './lib/stats.mjs';
import { rotationFigures } from './lib/rotation.mjs';
import { benchScale, rssMiB, scaleFigures, scaleTableLines, SCALE_LEVELS, SCALE_POLICIES, SCALE_SETTINGS } from './lib/scale.mjs';
import { exportShards } from './lib/seed.mjs';
import { benchPostgres, postgresFigures } from './lib/postgres.mjs';
import { scaleSvg } from './lib/plot.mjs';
import { exitStatus, figureTable, finalize, machine, machineLine, markdownTable, target } from './lib/report.mjs';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';

const REPO = resolve(import.meta.dirname, '..', '..');
const OUT = resolve(REPO, process.env.BENCH_OUT ?? 'bench-results.json');
/** Where the scale curve is drawn (whenever the scale part runs). */
const SVG_OUT = resolve(REPO, process.env.BENCH_SVG ?? 'docs/bench-scale.svg');
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const WATCHDOG_MS = 8 * 60_000; // a whole `npm run bench` (build included) must stay under 10 minutes
const CLI_RUNS = 15; // odd: the median is a sample
const RESTORE_RUNS = 7; // Nexus allows a burst of 10 restore calls per caller
const RECOVER_RUNS = 7;
const NEXUS_RESTARTS = 5;
const LOAD = { concurrency: 8, warmupMs: 1000, durationMs: 2000, rounds: 5, maxRequests: 200_000 };
/** BENCH_ONLY=throughput runs only (b), BENCH_ONLY=put only (b)'s put and its echo, BENCH_ONLY=postgres only (p), BENCH_ONLY=scale only (s) without rotations, BENCH_ONLY=rotation only (r), for a quick look. */
const ONLY = process.env.BENCH_ONLY;
/** The workload whose get a policy authorizes (not a Pilot role: Nexus checks its policies on every request). */
const POLICY_WORKLOAD = { name: 'bench-app', id: 'spiffe://spike.ist/workload/bench-app' };
const POLICY = {
  name: 'bench-read',
  spiffeidPattern: '^spiffe://spike\\.ist/workload/bench-app$',
  pathPattern: '^bench/(get|other)$',
  permissions: ['read'],
};

const log = (s) => process.stderr.write(`bench: ${s}\n`);

/** Wall time of `node args…` (ms), checked for exit 0. */
async function timeNode(args, opts = {}) {
  const r = await runTimed(args[0] ?? 'node', process.execPath, args, opts, 30_000);
  if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return { ms: r.ms, stdout: r.stdout };
}

/** Interleaves runs of several commands (same conditions), after `warmup` unmeasured rounds. */
async function interleaved(commands, runs, warmup = 2) {
  const out = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, f] of Object.entries(commands)) {
      const { ms } = await f();
      if (i >= warmup) out[k].push(ms);
    }
  }
  return out;
}

// ---- (a) CLI wall time ------------------------------------------------------

async function benchCli(stack) {
  const pilotEnv = stack.envFor('pilot');
  const spike = stack.bin('spike');
  // The baseline gets the same environment as `spike` (an inherited NODE_EXTRA_CA_CERTS alone costs ~40 ms).
  const bare = () => timeNode(['-e', '0'], { env: pilotEnv });
  const version = await interleaved(
    { bare, version: () => timeNode([spike, '--version'], { env: pilotEnv }) },
    CLI_RUNS,
  );

  // A real shard: recover as the `recover` role (timed, interleaved with the
  // baseline: each run fetches every share and rewrites the shard files), then
  // restore with it as `restore`.
  await stack.setEntry('pilot', stack.ids.recover);
  const recover = await interleaved(
    {
      bare,
      recover: async () => {
        const r = await timeNode([spike, 'operator', 'recover'], { env: pilotEnv });
        if (!r.stdout.includes('Recovery shards saved')) throw new Error(`unexpected recover output: ${r.stdout.slice(0, 200)}`);
        return r;
      },
    },
    RECOVER_RUNS,
    1,
  );
  const recDir = join(stack.dir, 'pilot', 'recover');
  const files = readdirSync(recDir).filter((f) => /^spike\.recovery\.\d+\.txt$/.test(f)).sort();
  if (files.length < 2) throw new Error(`spike operator recover wrote ${files.length} shard files`);
  const shards = files.map((f) => readFileSync(join(recDir, f)));
  const shard = shards[0];
  await stack.setEntry('pilot', stack.ids.restore);
  // Nexus has its root key: a restore is a drill. It answers after the full
  // path (SVID, mTLS, shard parse, rate limit, audit, compare with the live
  // key's share) and changes nothing.
  const restore = await interleaved(
    {
      bare,
      restore: async () => {
        const r = await timeNode([spike, 'operator', 'restore'], { env: pilotEnv, stdin: shard });
        if (!r.stdout.includes('matches the current root key')) throw new Error(`unexpected restore output: ${r.stdout}`);
        return r;
      },
    },
    RESTORE_RUNS,
    1,
  );
  if (PROFILE_DIR) {
    // One extra, unmeasured run of each command under the V8 profiler (BENCH_CPU_PROF=<dir>).
    await timeNode(['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-version.cpuprofile', spike, '--version'], { env: pilotEnv });
    await timeNode(['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'spike-restore.cpuprofile', spike, 'operator', 'restore'], { env: pilotEnv, stdin: shard });
  }
  await stack.setEntry('pilot', stack.ids.superuser);
  return { version, restore, recover, shards };
}

// ---- (b) Nexus throughput vs an echo server -----------------------------------

/** `only`: the names of the targets to measure (BENCH_ONLY=put: the put and its echo); every target by default. */
async function benchThroughput(stack, only) {
  const pilot = await fetchSvid(stack.socketOf('pilot'));
  await stack.setEntry(POLICY_WORKLOAD.name, POLICY_WORKLOAD.id);
  const app = await fetchSvid(stack.socketOf(POLICY_WORKLOAD.name));
  const nexusSvid = await fetchSvid(stack.socketOf('nexus'));
  const echo = await startEcho(nexusSvid, pilot.id);
  const pin = pinSpiffeId(stack.ids.nexus);
  const value = Buffer.from('{"path":"bench/get","values":{"user":"admin","pass":"0123456789abcdef"}}');
  const targets = {
    nexusGet: { url: `${stack.nexusUrl}/v1/store/secrets?action=get`, body: () => Buffer.from('{"path":"bench/get"}') },
    // Right after nexusGet in each round: the same get, by a workload that POLICY authorizes.
    policyGet: { url: `${stack.nexusUrl}/v1/store/secrets?action=get`, body: () => Buffer.from('{"path":"bench/get"}'), svid: app },
    nexusPut: { url: `${stack.nexusUrl}/v1/store/secrets`, body: (i) => Buffer.from(`{"path":"bench/put/${i % 64}","values":{"k":"v${i}"}}`) },
    echoGet: { url: `https://127.0.0.1:${echo.port}/v1/store/secrets?action=get`, body: () => Buffer.from('{"path":"bench/get"}') },
    echoPut: { url: `https://127.0.0.1:${echo.port}/v1/store/secrets`, body: (i) => Buffer.from(`{"path":"bench/put/${i % 64}","values":{"k":"v${i}"}}`) },
  };
  const seedAgent = mtlsAgent(pilot, LOAD.concurrency, pin);
  try {
    const seeded = await post(seedAgent, targets.nexusPut.url, value);
    if (seeded.status !== 200) throw new Error(`seeding the secret failed: HTTP ${seeded.status}`);
    const policy = await post(seedAgent, `${stack.nexusUrl}/v1/acl/policy`, Buffer.from(JSON.stringify(POLICY)));
    if (policy.status !== 200) throw new Error(`creating the policy failed: HTTP ${policy.status}`);
    seedAgent.destroy();
    const chosen = only === undefined ? targets : Object.fromEntries(Object.entries(targets).filter(([k]) => only.includes(k)));
    // Nexus's CPU time per put (BENCH_ONLY=put): every put sent (warm-up included) counted by its body.
    let putsSent = 0;
    let echoesSent = 0;
    if (only !== undefined) {
      chosen.nexusPut = { ...targets.nexusPut, body: (i) => (putsSent++, targets.nexusPut.body(i)) };
      chosen.echoPut = { ...targets.echoPut, body: (i) => (echoesSent++, targets.echoPut.body(i)) };
    }
    const cpu0 = cpuMs(stack.proc('nexus').child.pid);
    const mainCpu0 = cpuMs(stack.proc('nexus').child.pid, true);
    const echoCpu0 = cpuMs(echo.pid);
    const results = await measureRounds(chosen, { load: LOAD, svid: pilot, pin });
    const out = Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, summarizeRounds(rs)]));
    if (only !== undefined) {
      out.putsSent = putsSent;
      out.nexusCpuUsPerPut = ((cpuMs(stack.proc('nexus').child.pid) - cpu0) * 1000) / putsSent;
      out.nexusMainCpuUsPerPut = ((cpuMs(stack.proc('nexus').child.pid, true) - mainCpu0) * 1000) / putsSent;
      out.echoCpuUsPerRequest = ((cpuMs(echo.pid) - echoCpu0) * 1000) / echoesSent;
      out.putRatio = roundRatio(results.nexusPut, results.echoPut);
      out.putRounds = results.nexusPut.map((r, i) => ({ put: Math.round(r.perSecond), echo: Math.round(results.echoPut[i].perSecond) }));
      return out;
    }
    // Per-round ratios (Nexus and echo measured back to back) are steadier than a ratio of medians on a shared machine.
    out.getRatio = roundRatio(results.nexusGet, results.echoGet);
    out.putRatio = roundRatio(results.nexusPut, results.echoPut);
    out.policyGetRatio = roundRatio(results.policyGet, results.nexusGet);
    out.policyGetEchoRatio = roundRatio(results.policyGet, results.echoGet);
    out.nexusRssMiB = rssMiB(stack.proc('nexus').child.pid);
    return out;
  } finally {
    seedAgent.destroy();
    pilot.key = '';
    app.key = '';
    nexusSvid.key = '';
    echo.stop();
  }
}

/** A process's CPU time (user + system) so far, in ms, from /proc (clock ticks of 10 ms); `mainThread`: its main thread's alone. */
function cpuMs(pid, mainThread = false) {
  const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// ---- (c) Nexus start → ready ------------------------------------------------

async function benchNexusStart(stack) {
  const listening = [];
  const ready = [];
  for (let i = 0; i < NEXUS_RESTARTS + 1; i++) {
    const code = await stack.proc('nexus').stop('SIGTERM', 10_000);
    if (code !== 0) log(`nexus exited with ${code} on SIGTERM`);
    const nexus = stack.spawnNexus();
    const l = await nexus.listening;
    const r = await nexus.waitFor('root_key_ready', 20_000);
    if (r.source !== 'keepers') throw new Error(`root key came from ${r.source}, expected keepers`);
    if (i > 0) {
      listening.push(l._at - nexus.startedAt);
      ready.push(r._at - nexus.startedAt);
    }
  }
  return { listening, ready };
}

// ---- (a') the break-glass restore, for real ------------------------------------

/**
 * Everything crashes; Keepers come back empty, Nexus waits for a restore;
 * `spike operator restore` once per shard until restored (threshold 2).
 * One sample each of the collecting and the completing call.
 */
async function benchRealRestore(stack, shards) {
  await Promise.all([...stack.procs.entries()].filter(([n]) => n === 'nexus' || n.startsWith('keeper-')).map(([, p]) => p.stop('SIGKILL')));
  await stack.startKeepers();
  const nexus = stack.spawnNexus();
  await nexus.listening; // its new port, for the pilot's SPIKE_NEXUS_API_URL
  await nexus.waitFor('restore_needed', 30_000);
  await stack.setEntry('pilot', stack.ids.restore);
  const pilotEnv = stack.envFor('pilot');
  const spike = stack.bin('spike');
  const first = await timeNode([spike, 'operator', 'restore'], { env: pilotEnv, stdin: shards[0] });
  if (!first.stdout.includes('Shards remaining: 1')) throw new Error(`unexpected first restore output: ${first.stdout}`);
  const second = await timeNode([spike, 'operator', 'restore'], { env: pilotEnv, stdin: shards[1] });
  if (!second.stdout.includes('SPIKE is now restored')) throw new Error(`unexpected second restore output: ${second.stdout}`);
  const ready = await nexus.waitFor('root_key_ready', 10_000);
  if (ready.source !== 'restore') throw new Error(`root key came from ${ready.source}, expected restore`);
  return { collectMs: first.ms, completeMs: second.ms };
}

// ---- (d) Shamir ---------------------------------------------------------------

async function benchShamir(dir) {
  // src/shamir is not a standalone file in dist/: bundle it (in memory) for the micro-benchmark.
  const out = await build({ entryPoints: [join(REPO, 'src/shamir/index.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
  const file = join(dir, 'shamir-bench.mjs');
  writeFileSync(file, out.outputFiles[0].contents);
  const { computeShares, recoverSecret } = await import(pathToFileURL(file).href);
  const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const rate = (f, ms) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms && n < 1_000_000) {
      f();
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  const shares = computeShares(key, 2, 3);
  const compute = () => computeShares(key, 2, 3);
  const recover = () => recoverSecret(shares.slice(0, 2), 2);
  rate(compute, 300);
  rate(recover, 300);
  const c = [];
  const r = [];
  for (let i = 0; i < 3; i++) {
    c.push(rate(compute, 700));
    r.push(rate(recover, 700));
  }
  if (Buffer.compare(Buffer.from(recover()), Buffer.from(key)) !== 0) throw new Error('shamir round trip failed');
  return { computePerSecond: median(c), recoverPerSecond: median(r) };
}

// ---- report ---------------------------------------------------------------------

/** Median of the per-run ratios of two index-aligned sample lists (each pair ran back to back). */
const pairedRatio = (xs, ys) => median(xs.map((x, i) => x / ys[i]));

/** The (a) rows: CLI wall times vs `node -e 0`, ratios of interleaved pairs. */
function cliFigures(a) {
  const row = (name, samples, bare, t) => ({
    name,
    unit: 'ms',
    value: median(samples),
    baseline: { label: 'node -e 0', value: median(bare) },
    ratio: pairedRatio(samples, bare),
    ...(t ? { target: t } : {}),
  });
  return [
    row('spike --version', a.version.version, a.version.bare, target('ratio', '<=', 1.3)),
    row('spike operator restore (drill, non-TTY)', a.restore.restore, a.restore.bare, target('ratio', '<=', 3)),
    row('spike operator recover', a.recover.recover, a.recover.bare, target('ratio', '<=', 3)),
  ];
}

/** The (b) rows: Nexus vs the echo server, and the policy-authorized get vs the echo server and the superuser get. */
function throughputFigures(b) {
  const echo = (label, x) => ({ label, value: x });
  return [
    { name: 'Nexus get (superuser)', unit: 'req/s', value: b.nexusGet.perSecond, baseline: echo('echo', b.echoGet.perSecond), ratio: b.getRatio, target: target('ratio', '>=', 0.6) },
    { name: 'Nexus get p50', unit: 'ms', value: b.nexusGet.p50, baseline: echo('echo', b.echoGet.p50), ratio: b.nexusGet.p50 / b.echoGet.p50 },
    { name: 'Nexus get p99', unit: 'ms', value: b.nexusGet.p99, baseline: echo('echo', b.echoGet.p99), ratio: b.nexusGet.p99 / b.echoGet.p99 },
    { name: 'Nexus get via policy', unit: 'req/s', value: b.policyGet.perSecond, baseline: echo('echo', b.echoGet.perSecond), ratio: b.policyGetEchoRatio, target: target('ratio', '>=', 0.5) },
    { name: 'Nexus get via policy, vs superuser get', unit: 'req/s', value: b.policyGet.perSecond, baseline: echo('superuser get', b.nexusGet.perSecond), ratio: b.policyGetRatio },
    { name: 'Nexus get via policy p50', unit: 'ms', value: b.policyGet.p50, baseline: echo('superuser get', b.nexusGet.p50), ratio: b.policyGet.p50 / b.nexusGet.p50 },
    ...putFigures(b),
  ];
}

/** The put rows of (b). */
function putFigures(b) {
  const echo = (label, x) => ({ label, value: x });
  return [
    { name: 'Nexus put', unit: 'req/s', value: b.nexusPut.perSecond, baseline: echo('echo', b.echoPut.perSecond), ratio: b.putRatio, target: target('ratio', '>=', 0.5) },
    { name: 'Nexus put p50', unit: 'ms', value: b.nexusPut.p50, baseline: echo('echo', b.echoPut.p50), ratio: b.nexusPut.p50 / b.echoPut.p50 },
    { name: 'Nexus put p99', unit: 'ms', value: b.nexusPut.p99, baseline: echo('echo', b.echoPut.p99), ratio: b.nexusPut.p99 / b.echoPut.p99 },
  ];
}

function figures(a, b, p, c, d, e, s) {
  const bare = median([...a.version.bare, ...a.restore.bare, ...a.recover.bare]);
  const oneRun = (name, ms) => ({ name, unit: 'ms', value: ms, note: '1 run', baseline: { label: 'node -e 0', value: bare }, ratio: ms / bare });
  return [
    ...cliFigures(a),
    oneRun('restore for real: 1st shard', e.collectMs),
    oneRun('restore for real: 2nd shard, restores', e.completeMs),
    ...throughputFigures(b),
    { name: 'Nexus RSS after the get/put load (a few secrets, 1 policy)', unit: 'MiB', value: b.nexusRssMiB },
    ...postgresFigures(p),
    { name: 'Nexus start → listening', unit: 'ms', value: median(c.listening) },
    { name: 'Nexus start → ready', unit: 'ms', value: median(c.ready), target: target('value', '<=', 1000, 'ms') },
    { name: 'Shamir computeShares 2-of-3', unit: '/s', value: d.computePerSecond },
    { name: 'Shamir recoverSecret 2-of-3', unit: '/s', value: d.recoverPerSecond },
    ...scaleFigures(s.levels),
    ...rotationFigures(s.rotations),
  ];
}

/** The printed report: the figures, the scale table when there is one, the machine line. */
function printReport(rows, m, scaleLevels, tail) {
  // The scale rows (in the JSON) print as the scale table.
  const parts = [figureTable(rows.filter((r) => !r.name.startsWith('scale ')))];
  if (scaleLevels.length > 0) {
    const { header, lines } = scaleTableLines(scaleLevels);
    parts.push(`Scale (${SCALE_POLICIES} policies; growth = factor per 10× step, 1k→10k, 10k→100k):\n\n${markdownTable(header, lines)}`);
  }
  parts.push(`${machineLine(m)}; medians, ratios are medians of back-to-back pairs; ${tail}`);
  process.stdout.write(`${parts.join('\n\n')}\n`);
}

function writeSvg(levels, m) {
  mkdirSync(dirname(SVG_OUT), { recursive: true });
  writeFileSync(SVG_OUT, scaleSvg(levels, machineLine(m)));
  log(`scale curve drawn to ${SVG_OUT}`);
}

async function main() {
  const t0 = performance.now();
  const m = machine();
  if (ONLY !== undefined && !['throughput', 'put', 'postgres', 'scale', 'rotation'].includes(ONLY)) {
    throw new Error(`BENCH_ONLY=${ONLY}: only "throughput", "put", "postgres", "scale" and "rotation" are known`);
  }
  /** Clean-ups of what the run starts besides the stack (the PostgreSQL part), run by the finally below. */
  const cleanups = [];
  const postgres = () => benchPostgres({ repo: REPO, load: LOAD, log, onCleanup: (f) => cleanups.push(f) });
  // BENCH_ONLY=postgres needs no SQLite stack.
  const stack = ONLY === 'postgres' ? undefined : await Stack.create(REPO, 3);
  const watchdog = setTimeout(() => {
    log(`watchdog: the bench took longer than ${WATCHDOG_MS / 1000}s; stopping`);
    killAll();
    process.exit(1);
  }, WATCHDOG_MS);
  const onSignal = () => {
    killAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (ONLY === 'postgres') {
      log('(p) Nexus get/put on PostgreSQL, 1 and 2 replicas (BENCH_ONLY=postgres)');
      const p = await postgres();
      const rows = finalize(postgresFigures(p));
      printReport(rows, m, [], `stack and cluster started in ${(p.startMs / 1000).toFixed(1)} s; bench ${((performance.now() - t0) / 1000).toFixed(1)} s; nothing written`);
      return exitStatus(rows);
    }
    log(`stack in ${stack.dir}: starting`);
    // With BENCH_CPU_PROF, the first Nexus (startup, (a) and (b)) is profiled; its profile is written when (c) stops it.
    await stack.startAll(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'nexus.cpuprofile'] : []);
    if (ONLY === 'throughput') {
      log('(b) Nexus throughput vs echo server (BENCH_ONLY=throughput)');
      const rows = finalize(throughputFigures(await benchThroughput(stack)));
      printReport(rows, m, [], 'nothing written');
      return exitStatus(rows);
    }
    if (ONLY === 'put') {
      log('(b) Nexus put vs echo server only (BENCH_ONLY=put)');
      const b = await benchThroughput(stack, ['nexusPut', 'echoPut']);
      const rows = finalize(putFigures(b));
      printReport(rows, m, [], `put/echo per round (req/s): ${b.putRounds.map((r) => `${r.put}/${r.echo}`).join(' ')}; ${b.putsSent} puts sent; Nexus CPU ${Math.round(b.nexusCpuUsPerPut)} µs per put (its main thread ${Math.round(b.nexusMainCpuUsPerPut)} µs), echo server ${Math.round(b.echoCpuUsPerRequest)} µs per request; nothing written`);
      return exitStatus(rows);
    }
    if (ONLY === 'scale' || ONLY === 'rotation') {
      const scale = ONLY === 'scale';
      log(scale ? '(s) scale curve (BENCH_ONLY=scale)' : '(r) root-key rotation (BENCH_ONLY=rotation)');
      const s = await benchScale(stack, REPO, log, { measure: scale, rotate: !scale, profileDir: PROFILE_DIR });
      if (scale) writeSvg(s.levels, m);
      printReport(finalize(scale ? scaleFigures(s.levels) : rotationFigures(s.rotations)), m, s.levels, scale ? `scale curve in ${SVG_OUT}; bench-results.json not written` : 'one run each; nothing written');
      return 0;
    }
    log('(d) Shamir');
    const d = await benchShamir(stack.dir);
    log('(a) CLI wall time');
    const a = await benchCli(stack);
    log('(b) Nexus throughput vs echo server');
    const b = await benchThroughput(stack);
    log('(p) Nexus get/put on PostgreSQL, 1 and 2 replicas (a stack of its own; this one idles)');
    const p = await postgres();
    log('(c) Nexus start → ready');
    const c = await benchNexusStart(stack);
    log(`(s) scale curve at ${SCALE_LEVELS.join(', ')} secrets, with (r) a root-key rotation at each size`);
    const s = await benchScale(stack, REPO, log, { measure: true, rotate: true, profileDir: PROFILE_DIR });
    writeSvg(s.levels, m);
    // the rotations made a.shards useless: the break-glass restore uses the new key's shards
    a.shards.forEach((x) => x.fill(0));
    delete a.shards;
    const shards = await exportShards(stack);
    log("(a') break-glass restore after a crash of everything");
    const e = await benchRealRestore(stack, shards).finally(() => shards.forEach((x) => x.fill(0)));
    const rows = finalize(figures(a, b, p, c, d, e, s));
    let commit = 'unknown';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      // not a git checkout
    }
    const benchSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const status = exitStatus(rows);
    const result = {
      machine: m,
      commit,
      benchSeconds,
      exitStatus: status,
      settings: { CLI_RUNS, RESTORE_RUNS, RECOVER_RUNS, NEXUS_RESTARTS, LOAD, POSTGRES: { replicas: [1, 2], connectionsPerReplica: [LOAD.concurrency, p.connectionsPerReplica] }, SCALE: { levels: SCALE_LEVELS, policies: SCALE_POLICIES, ...SCALE_SETTINGS } },
      figures: rows,
      scaleTable: scaleTableLines(s.levels),
      raw: { cli: a, throughput: b, postgres: p, nexusStart: c, shamir: d, realRestore: e, scale: s.levels, rotation: s.rotations },
    };
    writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
    printReport(rows, m, s.levels, `bench ${benchSeconds} s (without the build); written to ${OUT}`);
    return status;
  } finally {
    clearTimeout(watchdog);
    for (const c of cleanups) await c().catch(() => undefined);
    await stack?.cleanup().catch(() => undefined);
    killAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
    killAll();
    process.exit(1);
  },
);
