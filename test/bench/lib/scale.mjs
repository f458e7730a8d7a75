// The scale curve of `npm run bench`: the same figures at 1 000, 10 000 and
// 100 000 stored secrets (and 1 000 policies), to see how each grows with the
// data. Per size: Nexus start → root_key_ready (restarts with the Keepers up),
// secret get / put p50 and p99 (keep-alive mTLS, 8 connections, as the
// throughput figures; gets spread over every stored secret, puts on 64
// paths of their own), a get that only the last of the 1 000 policies grants (every policy
// is tried), `spike secret list` wall time, and Nexus's RSS
// (/proc/<pid>/status VmRSS) after that load and after the lists. The store grows by direct
// seeding into spike.db (seed.mjs) while Nexus is stopped; optionally a
// root-key rotation is timed at each size (rotation.mjs), after the rest.
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { runTimed } from './procs.mjs';
import { fetchSvid, pinSpiffeId } from './svid.mjs';
import { mtlsAgent, runLoad } from './load.mjs';
import { startEcho } from './echo.mjs';
import { median } from './stats.mjs';
import { dbFileOf, growStore, loadSeedHelpers, pathOf } from './seed.mjs';
import { rotateOnce } from './rotation.mjs';

export const SCALE_LEVELS = [1_000, 10_000, 100_000];
export const SCALE_POLICIES = 1_000;
const SCALE = { restarts: 5, listRuns: 3, concurrency: 8, warmupMs: 1000, durationMs: 2000, rounds: 5, maxRequests: 200_000 };
export const SCALE_SETTINGS = SCALE;

/** The workload whose gets a policy grants; it is the last policy (by name) that matches it. */
export const SCALE_WORKLOAD = { name: 'bench-app', id: 'spiffe://spike.ist/workload/bench-app' };

/** 1 000 policies: 999 for other workloads, the last (by name) for SCALE_WORKLOAD on bench/scale/. */
export function scalePolicies() {
  const out = [];
  for (let i = 0; i < SCALE_POLICIES - 1; i++) {
    out.push({
      name: `bench-scale-${String(i).padStart(4, '0')}`,
      spiffeIdPattern: `^spiffe://spike\\.ist/workload/app-${i}$`,
      pathPattern: `^apps/app-${i}/`,
      permissions: ['read'],
    });
  }
  out.push({
    name: `bench-scale-${String(SCALE_POLICIES - 1).padStart(4, '0')}`,
    spiffeIdPattern: '^spiffe://spike\\.ist/workload/bench-app$',
    pathPattern: '^bench/scale/',
    permissions: ['read'],
  });
  return out;
}

/** Nexus's resident set (kB → MiB) from /proc/<pid>/status; NaN where /proc is missing. */
export function rssMiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function dbMiB(stack) {
  const size = (f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const f = dbFileOf(stack);
  return (size(f) + size(`${f}-wal`)) / 2 ** 20;
}

/** SCALE.restarts restarts of Nexus (SIGTERM, spawn, root_key_ready from the Keepers), ms each. */
async function startTimes(stack, log, lastNodeArgs = []) {
  const ready = [];
  for (let i = 0; i < SCALE.restarts; i++) {
    const code = await stack.proc('nexus').stop('SIGTERM', 10_000);
    if (code !== 0) log(`nexus exited with ${code} on SIGTERM`);
    const nexus = stack.spawnNexus(i === SCALE.restarts - 1 ? lastNodeArgs : []);
    await nexus.listening;
    const r = await nexus.waitFor('root_key_ready', 60_000);
    if (r.source !== 'keepers') throw new Error(`root key came from ${r.source}, expected keepers`);
    ready.push(r._at - nexus.startedAt);
  }
  return ready;
}

/**
 * get / put / policy get / echo get, interleaved per round; each run with its
 * own agent (Nexus caps connections per peer). The echo get (a bare https mTLS
 * server, echo.mjs) measured in the same round gives each Nexus latency a
 * baseline that moves with the machine's load: the ratios (Nexus p50 ÷ echo
 * p50, median of the rounds) compare sizes measured minutes apart.
 */
async function loads(stack, secrets, pilot, app, echoPort) {
  const pin = pinSpiffeId(stack.ids.nexus);
  // A fixed stride through every stored secret: consecutive gets hit different rows (and Nexus's per-path cache only as it would).
  const stride = 7919; // prime, coprime with every level
  const getBody = (i) => Buffer.from(`{"path":"${pathOf((i * stride) % secrets)}"}`);
  const targets = {
    get: { url: `${stack.nexusUrl}/v1/store/secrets?action=get`, body: getBody, svid: pilot },
    // Puts on 64 paths of their own (the seeded ones are read back after the rotations), in the same table.
    put: { url: `${stack.nexusUrl}/v1/store/secrets`, body: (i) => Buffer.from(`{"path":"bench/scale/put/${i % 64}","values":{"user":"u","pass":"v${i}"}}`), svid: pilot },
    policyGet: { url: `${stack.nexusUrl}/v1/store/secrets?action=get`, body: getBody, svid: app },
    echo: { url: `https://127.0.0.1:${echoPort}/v1/store/secrets?action=get`, body: getBody, svid: pilot },
  };
  const once = async (t, durationMs) => {
    const agent = mtlsAgent(t.svid, SCALE.concurrency, pin);
    try {
      return await runLoad({ agent, url: t.url, body: t.body, concurrency: SCALE.concurrency, durationMs, maxRequests: SCALE.maxRequests });
    } finally {
      agent.destroy();
    }
  };
  const results = { get: [], put: [], policyGet: [], echo: [] };
  for (const t of Object.values(targets)) await once(t, SCALE.warmupMs);
  for (let round = 0; round < SCALE.rounds; round++) {
    for (const [name, t] of Object.entries(targets)) {
      const r = await once(t, SCALE.durationMs);
      if (r.failed > 0) throw new Error(`scale ${secrets} ${name}: ${r.failed} failed requests (statuses ${JSON.stringify(r.statuses)})`);
      results[name].push(r);
    }
  }
  const vsEcho = (rs, k) => median(rs.map((r, i) => r[k] / results.echo[i][k]));
  const summary = (rs) => ({
    perSecond: median(rs.map((r) => r.perSecond)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    p50VsEcho: vsEcho(rs, 'p50'),
    p99VsEcho: vsEcho(rs, 'p99'),
  });
  return { get: summary(results.get), put: summary(results.put), policyGet: summary(results.policyGet), echo: summary(results.echo) };
}

/** Paths printed by `spike secret list` (human format: `- <path>` lines). */
const countListed = (text) => text.split('\n').filter((l) => l.startsWith('- ')).length;

/**
 * `spike secret list` as the superuser, SCALE.listRuns after one warm-up,
 * stdout to a file (complete whatever the CLI does at exit); checks it lists
 * at least `secrets` paths. One more run through a pipe (`spike secret list |
 * …`) checks that a reader of a pipe gets every path too: `pipeListed`.
 */
async function listTimes(stack, secrets) {
  const out = [];
  const file = join(stack.dir, 'list.out');
  for (let i = 0; i < SCALE.listRuns + 1; i++) {
    const fd = openSync(file, 'w');
    let r;
    try {
      r = await runTimed('list', process.execPath, [stack.bin('spike'), 'secret', 'list'], { env: stack.envFor('pilot'), stdoutFd: fd }, 120_000);
    } finally {
      closeSync(fd);
    }
    if (r.code !== 0) throw new Error(`spike secret list exited ${r.code}: ${r.stderr.trim()}`);
    const n = countListed(readFileSync(file, 'utf8'));
    if (n < secrets) throw new Error(`spike secret list printed ${n} paths, expected at least ${secrets}`);
    if (i > 0) out.push(r.ms);
  }
  const listed = countListed(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  const piped = await runTimed('list', process.execPath, [stack.bin('spike'), 'secret', 'list'], { env: stack.envFor('pilot') }, 120_000);
  return { samples: out, listed, pipeListed: piped.code === 0 ? countListed(piped.stdout) : NaN };
}

/**
 * Grows the store through SCALE_LEVELS; at each size measures (when
 * `measure`) and rotates (when `rotate`). The stack must be healthy (Keepers
 * hold the shards, Pilot on the superuser role). Returns { levels, rotations }.
 */
export async function benchScale(stack, repo, log, { measure = true, rotate = true, profileDir } = {}) {
  const helpers = await loadSeedHelpers(repo, stack.dir);
  if (measure) await stack.setEntry(SCALE_WORKLOAD.name, SCALE_WORKLOAD.id);
  const levels = [];
  const rotations = [];
  let stored = 0;
  for (const secrets of SCALE_LEVELS) {
    log(`scale: seeding up to ${secrets} secrets${stored === 0 ? ` and ${SCALE_POLICIES} policies` : ''}`);
    const { seedMs } = await growStore(stack, helpers, stored, secrets, stored === 0 ? scalePolicies() : [], log);
    const seedPerSecond = (secrets - stored) / (seedMs / 1000);
    stored = secrets;
    if (measure) {
      log(`scale ${secrets}: start → ready, get/put load, secret list`);
      // BENCH_CPU_PROF: the largest size's last Nexus runs under the V8 profiler (its start, the load, the lists).
      const profile = profileDir !== undefined && secrets === SCALE_LEVELS[SCALE_LEVELS.length - 1];
      const profName = `nexus-scale-${label(secrets)}.cpuprofile`;
      const ready = await startTimes(stack, log, profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', profName] : []);
      // SVIDs fetched per size: the run is long, and they must be the ones the agent serves now.
      const pilot = await fetchSvid(stack.socketOf('pilot'));
      const app = await fetchSvid(stack.socketOf(SCALE_WORKLOAD.name));
      const nexusSvid = await fetchSvid(stack.socketOf('nexus'));
      let echo;
      let load;
      try {
        echo = await startEcho(nexusSvid, pilot.id);
        load = await loads(stack, secrets, pilot, app, echo.port);
      } finally {
        echo?.stop();
        pilot.key = '';
        app.key = '';
        nexusSvid.key = '';
      }
      const rssAfterLoad = rssMiB(stack.proc('nexus').child.pid);
      const list = await listTimes(stack, secrets);
      if (list.pipeListed !== list.listed) log(`warning: spike secret list through a pipe printed ${list.pipeListed} of ${list.listed} paths (output lost at exit)`);
      levels.push({
        secrets,
        policies: SCALE_POLICIES,
        seedMs,
        readyMs: median(ready),
        readySamples: ready,
        ...load,
        listMs: median(list.samples),
        listSamples: list.samples,
        listed: list.listed,
        pipeListed: list.pipeListed,
        rssMiB: rssAfterLoad,
        rssAfterListsMiB: rssMiB(stack.proc('nexus').child.pid),
        dbMiB: dbMiB(stack),
      });
      if (profile) {
        // The profile is written when that Nexus exits: restart it now (a later SIGKILL would lose it).
        const code = await stack.proc('nexus').stop('SIGTERM', 10_000);
        if (code !== 0) log(`nexus exited with ${code} on SIGTERM`);
        const nexus = stack.spawnNexus();
        await nexus.listening;
        await nexus.waitFor('root_key_ready', 60_000);
        log(`Nexus profile written to ${profileDir}/${profName}`);
      }
    }
    if (rotate) rotations.push(await rotateOnce(stack, secrets, seedPerSecond, log));
  }
  return { levels, rotations };
}

const label = (n) => `${n / 1000}k`;

/** The scale metrics: how to read each from a level, its unit and how it may grow. */
export const SCALE_METRICS = [
  { key: 'getP50', name: 'get p50', unit: 'ms', of: (l) => l.get.p50, expected: 'flat' },
  { key: 'getP99', name: 'get p99', unit: 'ms', of: (l) => l.get.p99, expected: 'flat' },
  { key: 'putP50', name: 'put p50', unit: 'ms', of: (l) => l.put.p50, expected: 'flat' },
  { key: 'putP99', name: 'put p99', unit: 'ms', of: (l) => l.put.p99, expected: 'flat' },
  { key: 'policyGetP50', name: 'get via policy p50 (1k policies)', unit: 'ms', of: (l) => l.policyGet.p50, expected: 'flat' },
  { key: 'echoP50', name: 'echo get p50 (baseline, same rounds)', unit: 'ms', of: (l) => l.echo.p50, expected: 'flat' },
  { key: 'getP50VsEcho', name: 'get p50 ÷ echo p50', unit: '×', of: (l) => l.get.p50VsEcho, expected: 'flat' },
  { key: 'putP50VsEcho', name: 'put p50 ÷ echo p50', unit: '×', of: (l) => l.put.p50VsEcho, expected: 'flat' },
  { key: 'policyGetP50VsEcho', name: 'get via policy p50 ÷ echo p50', unit: '×', of: (l) => l.policyGet.p50VsEcho, expected: 'flat' },
  { key: 'listMs', name: 'spike secret list', unit: 'ms', of: (l) => l.listMs, expected: 'linear' },
  { key: 'readyMs', name: 'Nexus start → ready', unit: 'ms', of: (l) => l.readyMs, expected: 'linear' },
  { key: 'rssMiB', name: 'Nexus RSS after the get/put load', unit: 'MiB', of: (l) => l.rssMiB, expected: 'linear' },
  { key: 'rssAfterListsMiB', name: 'Nexus RSS after the lists too', unit: 'MiB', of: (l) => l.rssAfterListsMiB, expected: 'linear' },
  { key: 'dbMiB', name: 'spike.db + WAL size', unit: 'MiB', of: (l) => l.dbMiB, expected: 'linear' },
];

/**
 * How a figure grows per 10× of data: flat (≤ 2×, noise included),
 * sublinear (≤ 7×), linear (≤ 13×), superlinear beyond.
 */
export function shapeOf(factor) {
  if (!Number.isFinite(factor)) return 'unknown';
  if (factor <= 2) return 'flat';
  if (factor <= 7) return 'sublinear';
  if (factor <= 13) return 'linear';
  return 'superlinear';
}

/** Whether a shape is within what was expected (flat must stay flat; linear may be anything up to linear). */
export const withinExpected = (shape, expected) => (expected === 'flat' ? shape === 'flat' : shape !== 'superlinear' && shape !== 'unknown');

/** Per metric: values per level, the factor of each 10× step, the worst step, its shape and verdict. */
export function scaleSummary(levels) {
  return SCALE_METRICS.map((m) => {
    const values = levels.map((l) => m.of(l));
    const steps = values.slice(1).map((v, i) => v / values[i]);
    const worst = Math.max(...steps);
    const shape = shapeOf(worst);
    return { ...m, values, steps, worst, shape, ok: withinExpected(shape, m.expected) };
  });
}

/** Figure rows (report.mjs): each metric at each size, then its growth per 10× (worst step; no target, an expectation). */
export function scaleFigures(levels) {
  const rows = [];
  const summary = scaleSummary(levels);
  for (const s of summary) {
    levels.forEach((l, i) => rows.push({ name: `scale ${label(l.secrets)} secrets: ${s.name}`, unit: s.unit, value: s.values[i] }));
  }
  for (const s of summary) {
    rows.push({
      name: `scale growth per 10× secrets: ${s.name}`,
      unit: '×',
      value: s.worst,
      steps: s.steps.map((x) => Math.round(x * 100) / 100),
      expected: s.expected,
      shape: s.shape,
      withinExpected: s.ok,
    });
  }
  return rows;
}

/** The compact table: one line per metric, one column per size, the growth per 10× step and the verdict. */
export function scaleTableLines(levels) {
  const fmt = (v, unit) => (!Number.isFinite(v) ? 'n/a' : unit === '×' || v < 10 ? String(Math.round(v * 100) / 100) : String(Math.round(v * 10) / 10));
  const header = ['metric', ...levels.map((l) => `${label(l.secrets)} secrets`), 'growth per 10×', 'expected', 'shape'];
  const lines = scaleSummary(levels).map((s) => [
    `${s.name} (${s.unit})`,
    ...s.values.map((v) => fmt(v, s.unit)),
    s.steps.map((x) => `${fmt(x, '×')}×`).join(', '),
    s.expected,
    s.ok ? s.shape : `${s.shape.toUpperCase()} (worse than ${s.expected})`,
  ]);
  return { header, lines };
}
