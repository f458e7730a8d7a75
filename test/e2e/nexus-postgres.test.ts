// Nexus on PostgreSQL end to end (npm run build first): the real binaries from
// dist/ (dev agent, three Keepers, Nexus, Bootstrap) and the built `spike`,
// Nexus on a private PostgreSQL cluster (test/helpers/postgres.ts) reached with
// a password from SPIKE_NEXUS_DATABASE_PASSWORD_FILE.
//   - Bootstrap runs once per store: its marker is the database row (no
//     bootstrap.json); a second Bootstrap, and two at once, skip.
//   - Secrets and policies written with `spike` read back, also after Nexus
//     restarted and rebuilt its key from the Keepers.
//   - PostgreSQL stopped: `spike secret get` fails with the not-ready message
//     (503) and Nexus stays up; PostgreSQL started again: it works again
//     without restarting Nexus.
//   - Nothing secret in the database (rows and the cluster's files), the
//     database password in no log.
//   - Total loss (Keepers and Nexus killed, Keepers back empty): Nexus waits
//     for a restore; `spike operator restore` with the recovered shards
//     restores it and every secret reads back.
//   - A Bootstrap SIGKILLed while it holds the store's run lock: the one
//     waiting for it runs and completes; later ones skip.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike } from '../helpers/fakenexus.js';
import { filesUnder } from '../helpers/files-under.js';
import type { PostgresCluster } from '../helpers/postgres.js';
import { postgresStack } from '../helpers/postgres-stack.js';
import { Stack } from '../helpers/stack.js';

const NOT_READY = 'Error: SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.\n';
const VALUE = 'pg-e2e-s3cr3t-7f3a91';
const OTHER_VALUE = 'pg-e2e-other-c0ffee42';
const POLICY_PATTERN = '^pg-e2e-path-pattern/.*$';

let cluster: PostgresCluster;
let stack: Stack;
let tmp: string;
const pgStack = postgresStack('/tmp/npg-');

beforeAll(async () => {
  ({ cluster, stack, tmp } = await pgStack.start());
}, 120_000);

afterAll(() => pgStack.cleanup());

function spike(args: string[], extra: Record<string, string> = {}, stdin?: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot', extra))) if (v !== undefined) env[k] = v;
  return runSpike(args, { env, stdin });
}

async function query<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  // As the superuser: the tables belong to the role Nexus connects as.
  const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: 'postgres', database: 'spike' });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Nexus on PostgreSQL, one replica', () => {
  it('bootstraps once, serves, restarts from the Keepers, rides out a database outage, keeps nothing secret in the database', { timeout: 300_000 }, async () => {
    await stack.startAll();
    const nexus = stack.proc('nexus');
    expect(nexus.events('database_connected')).toHaveLength(1);
    expect(nexus.events('nexus_listening')[0]).toMatchObject({ backend: 'postgres' });
    // The marker is the database row, not a file.
    // (SQLite's marker file lives in the data directory Nexus derives, `<SPIKE_NEXUS_DATA_DIR>/data`; look in both places.)
    expect(existsSync(join(stack.nexusDataDir, 'bootstrap.json'))).toBe(false);
    expect(existsSync(join(stack.nexusDataDir, 'data', 'bootstrap.json'))).toBe(false);
    expect(await query('SELECT id FROM spike_ts_bootstrap')).toEqual([{ id: 1 }]);
    expect(stack.proc('bootstrap').events('bootstrap_completed')).toHaveLength(1);

    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'put', 'apps/db', `pass=${VALUE}`])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(['secret', 'put', 'apps/db', `pass=${OTHER_VALUE}`])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'get', 'apps/db', 'pass', '-v', '1'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: `${OTHER_VALUE}\n` });
    const flags = ['--name', 'pg-reader', '--path-pattern', POLICY_PATTERN, '--spiffeid-pattern', '^spiffe://spike\\.ist/app/.*$', '--permissions', 'read,list'];
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 0, stdout: 'Policy created successfully.\n' });
    expect((await spike(['policy', 'get', 'pg-reader', '-f', 'json'])).stdout).toContain(JSON.stringify(POLICY_PATTERN).slice(1, -1));
    expect(await spike(['secret', 'list'])).toMatchObject({ code: 0, stdout: '- apps/db\n' });

    // A second Bootstrap, and two at once: every one skips; the store keeps its key.
    const again = await stack.bootstrap();
    expect(again.code).toBe(0);
    expect(again.proc.events('bootstrap_skipped')[0]).toMatchObject({ reason: 'this store was bootstrapped before' });
    const racing = [
      stack.spawn('bootstrap-a', 'spike-bootstrap', ['-init'], stack.envFor('bootstrap')),
      stack.spawn('bootstrap-b', 'spike-bootstrap', ['-init'], stack.envFor('bootstrap')),
    ];
    expect(await Promise.all(racing.map((p) => p.exited))).toEqual([0, 0]);
    for (const p of racing) expect(p.events('bootstrap_skipped')).toHaveLength(1);
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: `${OTHER_VALUE}\n` });

    // Nexus restarted: its key from the Keepers, everything readable.
    await stack.kill('nexus');
    const restarted = await stack.startNexus();
    expect(await restarted.waitForEvent('root_key_ready')).toMatchObject({ source: 'keepers' });
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: `${OTHER_VALUE}\n` });
    expect((await spike(['policy', 'list'])).stdout).toContain('Name: pg-reader');

    // PostgreSQL stopped: clean failure (503 → not ready), Nexus stays up.
    await cluster.pause();
    const down = await spike(['secret', 'get', 'apps/db', 'pass']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toBe(NOT_READY);
    expect(down.stdout).toBe('');
    const put = await spike(['secret', 'put', 'apps/db', 'pass=lost']);
    expect(put.code).not.toBe(0);
    expect(put.stderr).toBe(NOT_READY);
    await restarted.waitForEvent('database_unavailable');
    expect(restarted.running()).toBe(true);
    expect(restarted.events('database_unavailable')).toHaveLength(1);

    // PostgreSQL back: Nexus answers again by itself.
    await cluster.resume();
    const back = await until(async () => {
      const r = await spike(['secret', 'get', 'apps/db', 'pass']);
      if (r.code === 0) return r;
      expect(r.stderr).toBe(NOT_READY);
      return undefined;
    }, 'Nexus to answer again');
    expect(back.stdout).toBe(`${OTHER_VALUE}\n`);
    expect(restarted.running()).toBe(true);
    await restarted.waitForEvent('database_available');
    expect(await spike(['secret', 'put', 'apps/web', `k=${VALUE}`])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'get', 'apps/web', 'k'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });

    // Nothing secret in the database: no row, and no file of the cluster (tables, WAL, log), holds a value or a pattern.
    const tables = (await query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['secrets', 'secret_metadata', 'policies', 'spike_ts_key_check', 'spike_ts_bootstrap']));
    const needles = [VALUE, OTHER_VALUE, POLICY_PATTERN, 'pg-e2e'];
    for (const t of tables) {
      const rows = await query(`SELECT * FROM ${t}`);
      const text = JSON.stringify(rows, (_k, v: unknown) => (v instanceof Buffer ? v.toString('latin1') : v));
      for (const n of needles) expect(text, `${t} holds ${n}`).not.toContain(n);
    }
    for (const f of filesUnder(cluster.dir)) {
      const bytes = readFileSync(f);
      for (const n of needles) expect(bytes.includes(Buffer.from(n)), `${f} holds ${n}`).toBe(false);
    }
    // The database password is in no process's output.
    for (const p of stack.all) expect(p.stdout() + p.stderr(), p.name).not.toContain(cluster.password);
  });

  it('total loss: Keepers and Nexus killed, Keepers back empty; Nexus waits; spike operator restore with the recovered shards restores it', { timeout: 300_000 }, async () => {
    const recoveryDir = join(tmp, 'recovery');
    await stack.setEntry('pilot', stack.ids.recover);
    const rec = await spike(['operator', 'recover'], { SPIKE_PILOT_RECOVERY_DIR: recoveryDir });
    expect(rec.code, rec.stderr).toBe(0);
    const shardFile = (n: number): string => join(recoveryDir, 'recover', `spike.recovery.${n}.txt`);
    expect(existsSync(shardFile(1)) && existsSync(shardFile(3))).toBe(true);

    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed');
    expect(nexus.events('root_key_ready')).toEqual([]);

    await stack.setEntry('pilot', stack.ids.restore);
    const r1 = await spike(['operator', 'restore', '--file', shardFile(3)]);
    expect(r1).toMatchObject({ code: 0, stderr: '' });
    expect(r1.stdout).toContain('Shards remaining: 1');
    const r2 = await spike(['operator', 'restore', '--file', shardFile(1), '-f', 'json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ collected: 2, remaining: 0, restored: true });
    expect(await nexus.waitForEvent('root_key_ready')).toMatchObject({ source: 'restore' });

    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: `${OTHER_VALUE}\n` });
    expect(await spike(['secret', 'get', 'apps/web', 'k'])).toMatchObject({ code: 0, stdout: `${VALUE}\n` });
    expect((await spike(['policy', 'list'])).stdout).toContain('Name: pg-reader');
    // The Keepers (restarted empty) are refilled from the restored key.
    for (const k of ['keeper-1', 'keeper-2', 'keeper-3']) await stack.proc(k).waitForEvent('shard_stored', { where: (l) => l['from'] === stack.ids.nexus });
  });
});

describe('Bootstrap once per PostgreSQL store, with real processes', () => {
  it('a Bootstrap killed while it holds the run lock leaves the store bootstrappable: the one waiting for it runs and completes', { timeout: 300_000 }, async () => {
    const url = await cluster.createDatabase();
    const own = await Stack.create({
      keepers: 3,
      threshold: 2,
      env: {
        SPIKE_NEXUS_BACKEND_STORE: 'postgres',
        SPIKE_NEXUS_DATABASE_URL: url,
        SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES: '1000',
        SPIKE_BOOTSTRAP_KEEPER_TIMEOUT: '10m',
        SPIKE_BOOTSTRAP_KEEPER_RETRY_INITIAL_INTERVAL: '50ms',
        SPIKE_BOOTSTRAP_KEEPER_RETRY_MAX_INTERVAL: '200ms',
      },
    });
    try {
      await own.startAgent();
      await own.startKeepers();
      const nexus = await own.startNexus();
      // No Keeper reachable: the first Bootstrap holds the lock and retries its pushes.
      for (const k of ['keeper-1', 'keeper-2', 'keeper-3']) await own.kill(k);
      const first = own.spawn('bootstrap-1', 'spike-bootstrap', ['-init'], own.envFor('bootstrap'));
      await first.waitForEvent('keeper_retry');
      const second = own.spawn('bootstrap-2', 'spike-bootstrap', ['-init'], own.envFor('bootstrap'));
      await second.waitForEvent('bootstrap_waiting');
      // The first one dies (SIGKILL: no clean-up of its own); its session, and with it the lock, ends.
      await own.kill('bootstrap-1');
      await second.waitForEvent('bootstrap starting');
      await own.startKeepers();
      expect(await second.exited).toBe(0);
      expect(second.events('bootstrap_completed')).toHaveLength(1);
      expect(first.events('bootstrap_completed')).toEqual([]);
      expect(await nexus.waitForEvent('root_key_ready')).toMatchObject({ source: 'keepers' });
      const rows = new pg.Client({ connectionString: url });
      await rows.connect();
      try {
        expect((await rows.query('SELECT id FROM spike_ts_bootstrap')).rows).toEqual([{ id: 1 }]);
      } finally {
        await rows.end();
      }
      // And from now on every Bootstrap skips.
      const third = await own.bootstrap();
      expect(third.code).toBe(0);
      expect(third.proc.events('bootstrap_skipped')).toHaveLength(1);
    } finally {
      await own.cleanup();
    }
  });
});
