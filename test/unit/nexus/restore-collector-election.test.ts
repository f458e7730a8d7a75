// The restore collector agreed through PostgreSQL (docs/design.md § Restore
// through any replica), on a real private cluster: the first replica to ask
// holds the lock and collects; another finds it by its row and pg_locks and
// forwards to its URL; a row left by a collector whose lock connection died
// does not count, and the next replica takes over; NOTIFY "restored" reaches
// a listener; a replica's heartbeat keeps its advertised URL; a claim tells
// whether a collector stopped holding the lock (its collection lost), once; a
// release after a restore leaves no such mark; peek never takes the lock.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorElection, RESTORE_CHANNEL, RESTORED_PAYLOAD, type CollectorElection } from '../../../src/nexus/restore/collector-election.js';
import { connectPostgres, type PostgresDatabase } from '../../../src/nexus/store/postgres/index.js';
import { listReplicas, writeHeartbeat } from '../../../src/nexus/store/postgres/heartbeat.js';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.js';

let cluster: PostgresCluster;
let url: string;
let db: PostgresDatabase;
beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase();
  db = await connectPostgres({ url });
}, 120_000);
afterAll(async () => {
  await db?.close();
  await cluster?.stop();
});

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('restore collector election', () => {
  it('one collector; the others forward to its URL; its lost lock hands over to the next', async () => {
    const lost: Error[] = [];
    const a = startCollectorElection({ config: { url }, name: 'nexus-a', advertiseUrl: 'https://a.example:8553', onLost: (e) => lost.push(e) });
    const b = startCollectorElection({ config: { url }, name: 'nexus-b', advertiseUrl: 'https://b.example:8553' });
    const all: CollectorElection[] = [a, b];
    try {
      expect(await a.resolve()).toEqual({ kind: 'self' });
      expect(a.holds).toBe(true);
      expect(await a.resolve()).toEqual({ kind: 'self' });
      expect(await b.resolve()).toEqual({ kind: 'forward', name: 'nexus-a', url: 'https://a.example:8553' });
      expect(b.holds).toBe(false);

      // The lock goes with A's connection: B takes over, A is told.
      const admin = await cluster.adminClient();
      try {
        const pid = (await db.pool.query<{ collector_pid: number }>("SELECT collector_pid FROM spike_ts_replicas WHERE name = 'nexus-a'")).rows[0]?.collector_pid;
        expect(typeof pid).toBe('number');
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      } finally {
        await admin.end();
      }
      await until(() => lost.length > 0, "A's lost lock");
      expect(a.holds).toBe(false);
      // A's row still names its old pid: it must not count.
      await until(async () => (await b.resolve()).kind === 'self', 'B collecting');
      expect(await a.resolve()).toEqual({ kind: 'forward', name: 'nexus-b', url: 'https://b.example:8553' });

      // A clean close gives the lock back; B's collection went with it (its mark stays until a claim reads it).
      await b.close();
      all.splice(1, 1);
      expect(await a.resolve()).toEqual({ kind: 'self', previous: 'nexus-b' });
    } finally {
      for (const e of all) await e.close();
    }
  });

  it('NOTIFY restored reaches a listener; the heartbeat keeps the advertised URL', async () => {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const got: string[] = [];
    listener.on('notification', (m) => {
      if (m.channel === RESTORE_CHANNEL) got.push(m.payload ?? '');
    });
    await listener.query(`LISTEN ${RESTORE_CHANNEL}`);
    const c = startCollectorElection({ config: { url }, name: 'nexus-c', advertiseUrl: 'https://c.example:8553' });
    try {
      await c.notifyRestored();
      await until(() => got.length > 0, 'the notification');
      expect(got).toEqual([RESTORED_PAYLOAD]);

      await writeHeartbeat(db.pool, 'nexus-d', true, new Date(), 'https://d.example:8553');
      await writeHeartbeat(db.pool, 'nexus-d', true, new Date());
      const row = await db.pool.query<{ advertise_url: string }>("SELECT advertise_url FROM spike_ts_replicas WHERE name = 'nexus-d'");
      expect(row.rows[0]?.advertise_url).toBe('https://d.example:8553');
      expect((await listReplicas(db.pool, 60_000)).map((r) => r.name)).toContain('nexus-d');
    } finally {
      await c.close();
      await listener.end();
    }
  });
});

describe('a stale row naming a reused pid', () => {
  it('is cleared by the claim, so it never shadows the live collector', async () => {
    const e = startCollectorElection({ config: { url }, name: 'nexus-e', advertiseUrl: 'https://e.example:8553' });
    const f = startCollectorElection({ config: { url }, name: 'nexus-f', advertiseUrl: 'https://f.example:8553' });
    const g = startCollectorElection({ config: { url }, name: 'nexus-g', advertiseUrl: 'https://g.example:8553' });
    try {
      expect(await e.resolve()).toMatchObject({ kind: 'self' }); // the tests above left marks: previous names one
      expect((await f.resolve()).kind).toBe('forward'); // f's lock connection is open now
      // Rows of dead collectors naming every backend pid now alive (f's among them).
      await db.pool.query(`INSERT INTO spike_ts_replicas (name, ready, started_time, last_seen, advertise_url, collector_pid)
        SELECT 'stale-' || pid, false, now(), now(), 'https://stale.example:1', pid FROM pg_stat_activity WHERE datname = current_database()`);
      await e.close();
      expect(await f.resolve()).toMatchObject({ kind: 'self' });
      const fPid = (await db.pool.query<{ p: number }>("SELECT collector_pid AS p FROM spike_ts_replicas WHERE name = 'nexus-f'")).rows[0]?.p;
      const rows = (await db.pool.query<{ name: string }>('SELECT name FROM spike_ts_replicas WHERE collector_pid = $1', [fPid])).rows;
      expect(rows.map((r) => r.name)).toEqual(['nexus-f']);
      expect(await g.resolve()).toEqual({ kind: 'forward', name: 'nexus-f', url: 'https://f.example:8553' });
    } finally {
      for (const x of [e, f, g]) await x.close();
    }
  });
});

describe('a collection lost, a collection ended', () => {
  it('the claim after a collector stopped names it, once; after release() the next claim names nobody; peek takes nothing', async () => {
    const h = startCollectorElection({ config: { url }, name: 'nexus-h', advertiseUrl: 'https://h.example:8553' });
    const i = startCollectorElection({ config: { url }, name: 'nexus-i', advertiseUrl: 'https://i.example:8553' });
    const all = [h, i];
    try {
      // Marks left by the tests above: cleared by a first claim.
      await h.resolve();
      await h.release();
      expect(h.holds).toBe(false);
      expect(await i.peek()).toEqual({ kind: 'none' });
      expect(i.holds).toBe(false);
      expect(await h.peek()).toEqual({ kind: 'none' });

      // The collection ended with a restore (release): the next claim names nobody.
      expect(await i.resolve()).toEqual({ kind: 'self' });
      expect(await h.peek()).toEqual({ kind: 'forward', name: 'nexus-i', url: 'https://i.example:8553' });
      expect(await i.peek()).toEqual({ kind: 'self' });
      await i.release();
      expect(await h.peek()).toEqual({ kind: 'none' });
      expect(await h.resolve()).toEqual({ kind: 'self' });

      // H stops holding the lock mid-collection (its connection ends): I's claim names it, and only once.
      await h.close();
      all.splice(0, 1);
      expect(await i.resolve()).toEqual({ kind: 'self', previous: 'nexus-h' });
      expect(await i.resolve()).toEqual({ kind: 'self' });
    } finally {
      for (const x of all) await x.close();
    }
  });
});
