// Direct seeding of spike.db for the bench's large-store figures (scale curve,
// root-key rotation). Writing 100 000 secrets through Nexus's API would take
// longer than the whole bench (every put is fsynced), so rows are written
// straight into the database while Nexus is stopped: the root key is rebuilt
// from two shard files of `spike operator recover` (src/shamir's
// recoverSecret, bundled in memory), the rows are sealed with the store's own
// helpers (src/nexus/store/sqlite/rows.ts: the same AES-256-GCM layout Nexus
// writes) and inserted in large transactions. Nexus is then started again and
// gets its root key from the Keepers. Bench-only: nothing here is a way to
// load data into a production store.
import { Buffer } from 'node:buffer';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { runTimed } from './procs.mjs';

/** The secret value every seeded row holds (a typical size), numbered. */
export const valueOf = (i) => ({ user: `bench-user-${i}`, pass: `p-${String(i).padStart(8, '0')}-0123456789abcdef0123456789abcdef` });
/** Seeded secret i's path: 1000 per directory. */
export const pathOf = (i) => `bench/scale/${Math.floor(i / 1000)}/s-${i}`;
const TX_ROWS = 10_000;
/** Nexus's default (SPIKE_NEXUS_MAX_SECRET_VERSIONS). */
const MAX_VERSIONS = 10;

/** rows.ts, time.ts and recoverSecret, bundled in memory (they are not standalone files in dist/). */
export async function loadSeedHelpers(repo, dir) {
  const contents = [
    "export { sealSecretValues, sealMetadata, sealPolicyFields } from './src/nexus/store/sqlite/rows.ts';",
    "export { formatSqliteTime, dateToUnixSeconds } from './src/nexus/store/sqlite/time.ts';",
    "export { recoverSecret } from './src/shamir/index.ts';",
  ].join('\n');
  const out = await build({
    stdin: { contents, resolveDir: repo, sourcefile: 'seed-bench-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const file = join(dir, 'seed-bench.mjs');
  writeFileSync(file, out.outputFiles[0].contents);
  return import(pathToFileURL(file).href);
}

/** `spike operator recover` as the recover role; leaves the Pilot's entry on the superuser. Returns the shard files' bytes. */
export async function exportShards(stack) {
  await stack.setEntry('pilot', stack.ids.recover);
  const r = await runTimed('recover', process.execPath, [stack.bin('spike'), 'operator', 'recover'], { env: stack.envFor('pilot') }, 60_000);
  if (r.code !== 0) throw new Error(`spike operator recover exited ${r.code}: ${r.stderr.trim()}`);
  await stack.setEntry('pilot', stack.ids.superuser);
  const dir = join(stack.dir, 'pilot', 'recover');
  const files = readdirSync(dir).filter((f) => /^spike\.recovery\.\d+\.txt$/.test(f)).sort();
  if (files.length < 2) throw new Error(`spike operator recover wrote ${files.length} shard files`);
  return files.map((f) => readFileSync(join(dir, f)));
}

/** The root key Nexus holds now, from two exported shards (the caller zeroes it). */
export async function currentRootKey(stack, helpers) {
  const files = await exportShards(stack);
  const shares = files.slice(0, 2).map((b) => {
    const [, id, hex] = b.toString('latin1').trim().split(':');
    return { id: Number(id), value: Buffer.from(hex, 'hex') };
  });
  try {
    return Buffer.from(helpers.recoverSecret(shares, 2));
  } finally {
    for (const s of shares) s.value.fill(0);
    for (const f of files) f.fill(0);
  }
}

/** spike.db of the stack's Nexus. */
export const dbFileOf = (stack) => join(stack.dir, 'nexus', 'data', 'spike.db');

/**
 * Writes secrets [from, to) (one version each, paths `pathOf`) and the given
 * policies into spike.db under `key`; returns the ms it took. Nexus must be stopped.
 * @param {{ name: string, spiffeIdPattern: string, pathPattern: string, permissions: string[] }[]} policies
 */
export function seedRows(dbFile, key, helpers, from, to, policies = []) {
  const db = new Database(dbFile);
  try {
    db.pragma('busy_timeout = 5000');
    const insertSecret = db.prepare('INSERT INTO secrets (path, version, nonce, encrypted_data, created_time, deleted_time) VALUES (?, 1, ?, ?, ?, NULL)');
    const insertMeta = db.prepare(
      `INSERT INTO secret_metadata (path, nonce, encrypted_current_version, encrypted_oldest_version, encrypted_created_time, encrypted_updated_time, encrypted_max_versions)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertPolicy = db.prepare(
      `INSERT INTO policies (name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date();
    const created = helpers.formatSqliteTime(now);
    const nowSeconds = helpers.dateToUnixSeconds(now);
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
    const addPolicies = db.transaction(() => {
      for (const p of policies) {
        const s = helpers.sealPolicyFields(key, p);
        insertPolicy.run(p.name, s.nonce, s.spiffeIdPattern, s.pathPattern, s.permissions, nowSeconds, nowSeconds);
      }
    });
    const t0 = performance.now();
    for (let a = from; a < to; a += TX_ROWS) chunk.immediate(a, Math.min(to, a + TX_ROWS));
    if (policies.length > 0) addPolicies.immediate();
    return performance.now() - t0;
  } finally {
    db.close();
  }
}

/**
 * Stops Nexus, seeds secrets [from, to) and `policies` under the current root
 * key, starts Nexus again (root key from the Keepers). Returns { seedMs, nexus }
 * once Nexus is ready.
 */
export async function growStore(stack, helpers, from, to, policies, log) {
  const key = await currentRootKey(stack, helpers);
  let seedMs;
  try {
    const code = await stack.proc('nexus').stop('SIGTERM', 10_000);
    if (code !== 0) log(`nexus exited with ${code} on SIGTERM`);
    seedMs = seedRows(dbFileOf(stack), key, helpers, from, to, policies);
  } finally {
    key.fill(0);
  }
  const nexus = stack.spawnNexus();
  await nexus.listening;
  await nexus.waitFor('root_key_ready', 60_000);
  return { seedMs, nexus };
}

/** `spike secret get <path> pass` as the superuser: the value must be the one seeded. */
export async function checkSeeded(stack, i) {
  const r = await runTimed('get', process.execPath, [stack.bin('spike'), 'secret', 'get', pathOf(i), 'pass'], { env: stack.envFor('pilot') }, 60_000);
  if (r.code !== 0 || r.stdout.trim() !== valueOf(i).pass) throw new Error(`seeded secret ${pathOf(i)}: exit ${r.code}, ${r.stdout.trim().slice(0, 80)} ${r.stderr.trim()}`);
}
