// The root-key rotation figure of `npm run bench`: wall time of
// `spike operator rotate --yes -f json` (start → every row re-encrypted →
// Keepers hold the new shards → finished) over 10 000 and then 100 000 stored
// secrets, in secrets per second.
//
// Writing 100 000 secrets through Nexus's API would take longer than the
// whole bench (every put is fsynced), so the rows are written directly: the
// root key is rebuilt from two shard files of `spike operator recover`
// (src/shamir's recoverSecret, bundled in memory), Nexus is stopped, the rows
// are sealed with the store's own helpers (src/nexus/store/sqlite/rows.ts:
// the same AES-256-GCM layout Nexus writes) and inserted in large
// transactions, and Nexus is started again (it gets its root key from the
// Keepers). The seeding rate (seal + insert in this process, secrets/s) is
// the baseline: the same crypto and SQLite work without Nexus, the rotation's
// batches, transactions and Keeper push.
import { Buffer } from 'node:buffer';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { runTimed } from './procs.mjs';

/** The secret value every seeded row holds (a typical size), numbered. */
const valueOf = (i) => ({ user: `bench-user-${i}`, pass: `p-${String(i).padStart(8, '0')}-0123456789abcdef0123456789abcdef` });
const pathOf = (i) => `bench/rot/${Math.floor(i / 1000)}/s-${i}`;
const TX_ROWS = 10_000;
/** Nexus's default (SPIKE_NEXUS_MAX_SECRET_VERSIONS). */
const MAX_VERSIONS = 10;

/** rows.ts, time.ts and recoverSecret, bundled in memory (they are not standalone files in dist/). */
async function loadHelpers(repo, dir) {
  const contents = [
    "export { sealSecretValues, sealMetadata } from './src/nexus/store/sqlite/rows.ts';",
    "export { formatSqliteTime } from './src/nexus/store/sqlite/time.ts';",
    "export { recoverSecret } from './src/shamir/index.ts';",
  ].join('\n');
  const out = await build({
    stdin: { contents, resolveDir: repo, sourcefile: 'rotation-bench-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const file = join(dir, 'rotation-bench.mjs');
  writeFileSync(file, out.outputFiles[0].contents);
  return import(pathToFileURL(file).href);
}

/** The root key Nexus holds now: `spike operator recover` (recover role), two shard files, recoverSecret. */
async function currentRootKey(stack, helpers) {
  await stack.setEntry('pilot', stack.ids.recover);
  const r = await runTimed('recover', process.execPath, [stack.bin('spike'), 'operator', 'recover'], { env: stack.envFor('pilot') }, 60_000);
  if (r.code !== 0) throw new Error(`spike operator recover exited ${r.code}: ${r.stderr.trim()}`);
  const dir = join(stack.dir, 'pilot', 'recover');
  const shares = readdirSync(dir)
    .filter((f) => /^spike\.recovery\.\d+\.txt$/.test(f))
    .sort()
    .slice(0, 2)
    .map((f) => {
      const [, id, hex] = readFileSync(join(dir, f), 'latin1').trim().split(':');
      return { id: Number(id), value: Buffer.from(hex, 'hex') };
    });
  const key = Buffer.from(helpers.recoverSecret(shares, 2));
  for (const s of shares) s.value.fill(0);
  return key;
}

/** Writes secrets [from, to) (one version each) into spike.db under `key`; returns ms. Nexus must be stopped. */
function seedRows(dbFile, key, helpers, from, to) {
  const db = new Database(dbFile);
  try {
    db.pragma('busy_timeout = 5000');
    const insertSecret = db.prepare('INSERT INTO secrets (path, version, nonce, encrypted_data, created_time, deleted_time) VALUES (?, 1, ?, ?, ?, NULL)');
    const insertMeta = db.prepare(
      `INSERT INTO secret_metadata (path, nonce, encrypted_current_version, encrypted_oldest_version, encrypted_created_time, encrypted_updated_time, encrypted_max_versions)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date();
    const created = helpers.formatSqliteTime(now);
    const meta = { currentVersion: 1, oldestVersion: 1, createdTime: now, updatedTime: now, maxVersions: MAX_VERSIONS };
    const chunk = db.transaction((a, b) => {
      for (let i = a; i < b; i++) {
        const path = pathOf(i);
        const s = helpers.sealSecretValues(key, valueOf(i));
        insertSecret.run(path, s.nonce, s.data, created);
        const m = helpers.sealMetadata(key, meta);
        insertMeta.run(path, m.nonce, m.currentVersion, m.oldestVersion, m.createdTime, m.updatedTime, m.maxVersions);
      }
    });
    const t0 = performance.now();
    for (let a = from; a < to; a += TX_ROWS) chunk.immediate(a, Math.min(to, a + TX_ROWS));
    return performance.now() - t0;
  } finally {
    db.close();
  }
}

/** `spike secret get <path> pass` as the superuser: the value must be the one seeded. */
async function checkSecret(stack, i) {
  const r = await runTimed('get', process.execPath, [stack.bin('spike'), 'secret', 'get', pathOf(i), 'pass'], { env: stack.envFor('pilot') }, 60_000);
  if (r.code !== 0 || r.stdout.trim() !== valueOf(i).pass) throw new Error(`secret ${pathOf(i)} after the rotation: exit ${r.code}, ${r.stdout.trim().slice(0, 80)} ${r.stderr.trim()}`);
}

/**
 * Grows the store to `to` secrets and times one rotation over it. Returns
 * { secrets, rows, seedMs, seedPerSecond, rotateMs, perSecond }.
 */
async function rotateAt(stack, helpers, from, to, log) {
  const key = await currentRootKey(stack, helpers);
  let seedMs;
  try {
    const code = await stack.proc('nexus').stop('SIGTERM', 10_000);
    if (code !== 0) log(`nexus exited with ${code} on SIGTERM`);
    seedMs = seedRows(join(stack.dir, 'nexus', 'data', 'spike.db'), key, helpers, from, to);
  } finally {
    key.fill(0);
  }
  const nexus = stack.spawnNexus();
  await nexus.listening;
  await nexus.waitFor('root_key_ready', 60_000);
  await stack.setEntry('pilot', stack.ids.superuser);
  log(`rotating ${to} secrets`);
  const r = await runTimed('rotate', process.execPath, [stack.bin('spike'), 'operator', 'rotate', '--yes', '-f', 'json'], { env: stack.envFor('pilot', { SPIKE_HTTP_CLIENT_TIMEOUT: '60s' }) }, 300_000);
  if (r.code !== 0) throw new Error(`spike operator rotate exited ${r.code}: ${r.stderr.trim()} ${r.stdout.trim()}`);
  let answer;
  try {
    answer = JSON.parse(r.stdout);
  } catch {
    throw new Error(`spike operator rotate -f json printed no JSON: ${r.stdout.slice(0, 200)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(answer.fingerprint ?? '') || answer.fingerprint === answer.previousFingerprint) {
    throw new Error(`unexpected rotate answer: ${r.stdout.slice(0, 300)}`);
  }
  for (const i of [from, Math.floor((from + to) / 2), to - 1]) await checkSecret(stack, i);
  const added = to - from;
  return { secrets: to, rows: answer.rows ?? answer.total, seedMs, seedPerSecond: added / (seedMs / 1000), rotateMs: r.ms, perSecond: to / (r.ms / 1000) };
}

/** The shard files of the root key in force now (`spike operator recover`), as the restore's stdin. */
async function currentShardFiles(stack) {
  await stack.setEntry('pilot', stack.ids.recover);
  const r = await runTimed('recover', process.execPath, [stack.bin('spike'), 'operator', 'recover'], { env: stack.envFor('pilot') }, 60_000);
  if (r.code !== 0) throw new Error(`spike operator recover exited ${r.code}: ${r.stderr.trim()}`);
  const dir = join(stack.dir, 'pilot', 'recover');
  const files = readdirSync(dir).filter((f) => /^spike\.recovery\.\d+\.txt$/.test(f)).sort();
  await stack.setEntry('pilot', stack.ids.superuser);
  return files.map((f) => readFileSync(join(dir, f)));
}

/**
 * (r) rotations over 10k, then 100k secrets; the stack must be healthy
 * (Keepers hold the shards). Returns the figures and `shards`: the shard
 * files of the new root key (earlier exports are useless after a rotation).
 */
export async function benchRotation(stack, repo, log) {
  const helpers = await loadHelpers(repo, stack.dir);
  const small = await rotateAt(stack, helpers, 0, 10_000, log);
  const large = await rotateAt(stack, helpers, 10_000, 100_000, log);
  return { small, large, shards: await currentShardFiles(stack) };
}

/** Table rows (run.mjs's format): time and secrets/s, the seeding rate as the baseline. */
export function rotationRows(r) {
  const rows = [];
  for (const [label, x] of [
    ['10k', r.small],
    ['100k', r.large],
  ]) {
    rows.push({ name: `rotate ${label} secrets (ms, 1 run)`, value: x.rotateMs });
    rows.push({
      name: `rotate ${label} secrets (secrets/s)`,
      value: x.perSecond,
      baseline: 'seal + insert, bench process',
      baselineValue: x.seedPerSecond,
      ratio: x.perSecond / x.seedPerSecond,
    });
  }
  return rows;
}
