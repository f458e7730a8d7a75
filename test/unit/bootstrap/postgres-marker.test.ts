// Bootstrap once per PostgreSQL store (src/bootstrap/postgres-marker.ts) on a
// real private cluster: the first marker holds the run lock, a second waits
// for it and then finds the store bootstrapped; a holder whose connection
// dies (a crashed Bootstrap) leaves the lock free and no row, so the next one
// runs; a store holding data without a row is recorded as bootstrapped.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStoreMarker, type StoreMarker } from '../../../src/bootstrap/store-marker.js';
import { loadDatabaseConfig } from '../../../src/nexus/database-config.js';
import { connectPostgres, openPostgresStore } from '../../../src/nexus/store/postgres/index.js';
import { usePostgres } from '../../helpers/postgres.js';

const cluster = usePostgres();

const MARKER = { bootstrap_completed: true as const, completed_at: 'now', completed_by: 'spiffe://spike.ist/spike/bootstrap', shares: 3, threshold: 2 };

function open(url: string, events: { waiting?: number; adopted?: number } = {}): Promise<StoreMarker> {
  return openStoreMarker(
    { backend: 'postgres', nexusDataDir: '/nonexistent', database: loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }) },
    { onWaiting: () => (events.waiting = (events.waiting ?? 0) + 1), onAdopted: () => (events.adopted = (events.adopted ?? 0) + 1) },
  );
}

async function rows(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM spike_ts_bootstrap')).rows.length;
  } finally {
    await c.end();
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the PostgreSQL bootstrap marker', () => {
  it('a second Bootstrap waits for the first, then finds the store bootstrapped', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const first = await open(url);
    expect(await first.alreadyBootstrapped()).toBe(false);
    const seen: { waiting?: number } = {};
    let second: StoreMarker | undefined;
    const opening = open(url, seen).then((m) => (second = m));
    await until(() => seen.waiting === 1, 'the second to wait');
    expect(second).toBeUndefined();
    expect(await rows(url)).toBe(0);
    await first.record(MARKER);
    await first.close();
    await opening;
    expect(await second?.alreadyBootstrapped()).toBe(true);
    expect(seen.waiting).toBe(1);
    await second?.close();
    expect(await rows(url)).toBe(1);
  });

  it('a Bootstrap that dies before recording (its connection ends) leaves no row and no lock: the next one runs', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const dying = await open(url);
    expect(await dying.alreadyBootstrapped()).toBe(false);
    const seen: { waiting?: number } = {};
    let next: StoreMarker | undefined;
    const opening = open(url, seen).then((m) => (next = m));
    await until(() => seen.waiting === 1, 'the next to wait');
    // The crash: the server ends the holder's sessions (as when its process dies).
    const admin = await cluster().adminClient();
    try {
      const dbName = decodeURIComponent(/@\/([^?]+)/.exec(url)?.[1] ?? '');
      const killed = await admin.query(
        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.datname = $1",
        [dbName],
      );
      expect(killed.rows).toHaveLength(1);
    } finally {
      await admin.end();
    }
    await opening;
    expect(await next?.alreadyBootstrapped()).toBe(false);
    expect(await rows(url)).toBe(0);
    await next?.record(MARKER);
    expect(await rows(url)).toBe(1);
    await next?.close();
    await dying.close();
  });

  it('a store that holds data under a root key but has no row is recorded as bootstrapped (a new key would orphan it)', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const db = await connectPostgres({ url });
    const store = await openPostgresStore(db, { rootKey: Buffer.alloc(32, 7), maxVersions: 10 });
    await store.close();
    const seen: { adopted?: number } = {};
    const m = await open(url, seen);
    expect(await m.alreadyBootstrapped()).toBe(true);
    expect(seen.adopted).toBe(1);
    expect(await rows(url)).toBe(1);
    await m.close();
    const again: { adopted?: number } = {};
    const m2 = await open(url, again);
    expect(await m2.alreadyBootstrapped()).toBe(true);
    expect(again.adopted).toBeUndefined();
    await m2.close();
  });

  it('the file marker for sqlite is untouched by this (no database needed)', async () => {
    const m = await openStoreMarker({ backend: 'sqlite', nexusDataDir: '/nonexistent-spike-dir', database: undefined });
    expect(m.place).toBe('/nonexistent-spike-dir/bootstrap.json');
    expect(await m.alreadyBootstrapped()).toBe(false);
    await m.close();
  });
});
