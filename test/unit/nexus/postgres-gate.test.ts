// Nexus's gate on PostgreSQL (src/nexus/state/postgres-gate.ts) against a real
// private cluster: connecting waits for a server that is not up yet (one log
// line per state change, never the password); key checks as SQLite's
// (match, mismatch, retired; KeyMismatchError / RetiredKeyError on open);
// restore's checker decides in memory (it answers with the server stopped);
// a server stopped under an open store fails calls with StoreUnavailableError
// (one line), the process survives its idle connections' errors, and the
// pool reconnects by itself once the server is back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatabaseConfig } from '../../../src/nexus/database-config.js';
import { connectPostgresGate } from '../../../src/nexus/state/store-gate.js';
import { keyCheckValue } from '../../../src/nexus/store/crypto.js';
import { KeyMismatchError, RetiredKeyError, StoreUnavailableError } from '../../../src/nexus/store/index.js';
import { MIGRATIONS } from '../../../src/nexus/store/postgres/schema.js';
import { startPostgres, PASSWORD_ROLE, type PostgresCluster } from '../../helpers/postgres.js';
import { captureLogger } from './fixtures.js';
import { testKey } from './store/helpers.js';

let cluster: PostgresCluster;
let tmp: string;
beforeAll(async () => {
  cluster = await startPostgres();
  tmp = mkdtempSync(join(tmpdir(), 'pg-gate-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const KEY = testKey(0x42);
const OTHER = testKey(0x99);
const RETIRED = testKey(0x17);

/** The database config Nexus would load: the password from a file, never in the URL. */
function databaseConfig(url: string, password: string) {
  const file = join(tmp, `pw-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url, SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file });
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('connectPostgresGate', () => {
  it('waits for a server that is down at start (one line), connects when it is up, and never logs the password', { timeout: 120_000 }, async () => {
    const database = databaseConfig(cluster.passwordUrl, cluster.password);
    const { log, lines, events } = captureLogger();
    await cluster.pause();
    let gate: Awaited<ReturnType<typeof connectPostgresGate>> | undefined;
    let failed: unknown;
    const connecting = connectPostgresGate(database, 10, log, { retryInitialMs: 10, retryMaxMs: 50 }).then(
      (g) => (gate = g),
      (e: unknown) => (failed = e),
    );
    await until(() => events('database_unreachable').length > 0, 'database_unreachable');
    // Several attempts fail meanwhile; still one line.
    await until(() => lines.length > 0 && Date.now() - Date.parse(String(lines[0]?.['time'])) > 300, 'more attempts');
    expect(gate).toBeUndefined();
    await cluster.resume();
    await connecting;
    expect(failed).toBeUndefined();
    expect(events('database_unreachable')).toHaveLength(1);
    expect(events('database_unreachable')[0]?.['error']).toMatch(/^cannot reach PostgreSQL at spike_pw@\/spike \(socket in .*\) \((ENOENT|ECONNREFUSED)\)$/);
    expect(events('database_connected')).toHaveLength(1);
    expect(events('database_connected')[0]).toMatchObject({ database: expect.stringContaining(`${PASSWORD_ROLE}@`), schema_version: MIGRATIONS.length });
    expect(JSON.stringify(lines)).not.toContain(cluster.password);
    await gate?.close();
  });

  it('a refused password ends the start with one line, without retrying and without the password', async () => {
    const { log, lines } = captureLogger();
    const wrong = 'not-the-password-4711';
    const e = await connectPostgresGate(databaseConfig(cluster.passwordUrl, wrong), 10, log).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`PostgreSQL refused the password for ${PASSWORD_ROLE}@/spike (socket in ${cluster.socketDir})`);
    expect(JSON.stringify(lines)).not.toContain(wrong);
    expect(lines.filter((l) => l.msg === 'database_unreachable')).toEqual([]);
  });
});

describe('the postgres gate', () => {
  it('key checks as SQLite: empty, match, mismatch, retired; open refuses the wrong and the retired key', { timeout: 60_000 }, async () => {
    const url = await cluster.createDatabase();
    const { log } = captureLogger();
    const gate = await connectPostgresGate(loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }), 10, log);
    try {
      expect(await gate.hasKeyCheck()).toBe(false);
      expect(await gate.checkKey(KEY)).toBe('empty');
      expect(await gate.withKeyCheck((check) => [check(KEY), check(OTHER)])).toEqual(['empty', 'empty']);
      const store = await gate.open(KEY);
      await store.grouped.putSecret('apps/db', { pass: 'v1' });
      expect(await gate.hasKeyCheck()).toBe(true);
      expect(await gate.checkKey(KEY)).toBe('match');
      expect(await gate.checkKey(OTHER)).toBe('mismatch');

      // A key a rotation retired (its check value, as a finished rotation leaves it).
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query("INSERT INTO spike_ts_retired_key_checks (value, algorithm, retired_time) VALUES ($1, 'hmac-sha256/spike-ts-key-check-v1', 0)", [
          keyCheckValue(RETIRED),
        ]);
      } finally {
        await c.end();
      }
      expect(await gate.checkKey(RETIRED)).toBe('retired');
      expect(await gate.withKeyCheck((check) => [check(OTHER), check(KEY), check(RETIRED)])).toEqual(['mismatch', 'match', 'retired']);
      await expect(gate.open(OTHER)).rejects.toBeInstanceOf(KeyMismatchError);
      await expect(gate.open(RETIRED)).rejects.toBeInstanceOf(RetiredKeyError);
      await expect(gate.withKeyCheck((check) => check(new Uint8Array(31)))).rejects.toThrow(/32 bytes/);
      await store.close();
    } finally {
      await gate.close();
    }
  });

  it("restore's checker answers from memory: with the server stopped it still decides every candidate", { timeout: 120_000 }, async () => {
    const url = await cluster.createDatabase();
    const { log } = captureLogger();
    const gate = await connectPostgresGate(loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }), 10, log);
    try {
      const store = await gate.open(KEY);
      await store.grouped.putPolicy({ name: 'p', spiffeIdPattern: '^x$', pathPattern: '^y$', permissions: ['read'] });
      const check = await gate.withKeyCheck((c) => c);
      await cluster.pause();
      try {
        expect([check(KEY), check(OTHER)]).toEqual(['match', 'mismatch']);
        await expect(gate.checkKey(KEY)).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await cluster.resume();
      }
      await store.close();
    } finally {
      await gate.close();
    }
  });

  it('a server stopped under an open store: calls fail StoreUnavailableError (one line), the process survives, the pool reconnects', { timeout: 120_000 }, async () => {
    const url = await cluster.createDatabase();
    const { log, events } = captureLogger();
    const gate = await connectPostgresGate(loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }), 10, log);
    try {
      const store = await gate.open(KEY);
      await store.grouped.putSecret('apps/db', { pass: 's3cr3t' });
      // Several connections idle in the pool when the server goes away (each gets an error event).
      await Promise.all(Array.from({ length: 5 }, () => store.getSecret('apps/db')));
      await cluster.pause();
      for (let i = 0; i < 3; i++) {
        await expect(store.getSecret('apps/db')).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.grouped.putSecret('apps/db', { pass: 'x' })).rejects.toBeInstanceOf(StoreUnavailableError);
      }
      expect(events('database_unavailable')).toHaveLength(1);
      expect(events('database_available')).toHaveLength(0);
      await cluster.resume();
      expect(await store.getSecret('apps/db')).toEqual({ pass: 's3cr3t' });
      expect(await store.grouped.putSecret('apps/db', { pass: 'v2' })).toBe(2);
      expect(events('database_unavailable')).toHaveLength(1);
      expect(events('database_available')).toHaveLength(1);
      await store.close();
    } finally {
      await gate.close();
    }
  });
});
