// Several replicas on one PostgreSQL database (docs/postgres.md § Several
// replicas), two gates in one process on a real private cluster:
// - a policy deleted through replica A drops replica B's compiled policies
//   (LISTEN/NOTIFY): B denies within the stated bound, 1 s from the delete's
//   answer; a rolled-back write notifies nobody;
// - B's LISTEN connection killed: B caches nothing until it listens again
//   (a change made meanwhile is seen at once), then caches again;
// - heartbeats: both replicas listed with their readiness; a clean stop
//   removes the row.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PolicyIndex } from '../../../src/nexus/auth/policy-index.js';
import { loadDatabaseConfig } from '../../../src/nexus/database-config.js';
import { connectPostgresGate } from '../../../src/nexus/state/store-gate.js';
import type { SecretsStore, StoreGate } from '../../../src/nexus/state/store-interface.js';
import { POLICY_CHANNEL } from '../../../src/nexus/store/postgres/listen.js';
import { usePostgres } from '../../helpers/postgres.js';
import { captureLogger } from './fixtures.js';
import { testKey } from './store/helpers.js';

const cluster = usePostgres();

const KEY = testKey(0x42);
const WORKLOAD = 'spiffe://spike.ist/workload/app';

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Replica {
  gate: StoreGate;
  store: SecretsStore;
  index: PolicyIndex;
  events: (msg: string) => unknown[];
  close(): Promise<void>;
}

/** `retryMs`: the pause before a LISTEN reconnect (and a connect retry). */
async function replica(url: string, retryMs = 10): Promise<Replica> {
  const { log, events } = captureLogger();
  const gate = await connectPostgresGate(loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }), 10, log, { retryInitialMs: retryMs, retryMaxMs: retryMs });
  const store = await gate.open(KEY);
  const index = new PolicyIndex(log);
  gate.replicas?.watchPolicies(index);
  return {
    gate,
    store,
    index,
    events,
    close: async () => {
      await gate.replicas?.stop();
      await store.close();
      await gate.close();
    },
  };
}

/** Whether `r` grants WORKLOAD from its cache (loading it first when needed). */
async function cachedGrant(r: Replica): Promise<boolean> {
  await r.index.policiesFor(r.store, WORKLOAD);
  return r.index.loaded(r.store)?.length === 1;
}

const policy = { name: 'app-read', spiffeIdPattern: '^spiffe://spike\\.ist/workload/.*$', pathPattern: '^apps/.*$', permissions: ['read' as const] };

describe('policy changes across replicas', () => {
  it('a policy deleted through A denies on B by notification (not the 60 s safety reload); a rolled-back write notifies nobody', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    try {
      await until(() => a.index.caching && b.index.caching, 'both replicas listening');
      await a.store.grouped.putPolicy(policy);
      // Until B's cache holds the policy (A's own notification may drop a first load).
      await until(() => cachedGrant(b), "B's cache to hold the policy");

      expect(await a.store.grouped.deletePolicy(policy.name)).toBe(true);
      // B denies once A's notification arrives (milliseconds on an idle machine; the 1 s bound of
      // docs/postgres.md). The test waits for the condition with a 20 s deadline rather than timing
      // it (no elapsed-time bound on a loaded machine): still far under the 60 s safety reload, so
      // only the notification can make B deny in time.
      await until(async () => (await b.index.policiesFor(b.store, WORKLOAD)).length === 0, 'B to deny', 20_000);

      // A write that rolls back notifies nobody (counted on B, after A's next put was heard).
      let invalidations = 0;
      const invalidate = b.index.invalidate.bind(b.index);
      b.index.invalidate = () => {
        invalidations++;
        invalidate();
      };
      await a.store.grouped.putPolicy(policy);
      await until(() => invalidations === 1, "A's put heard on B");
      await until(() => cachedGrant(b), "B's cache to hold the policy again");
      invalidations = 0;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query('BEGIN');
        await c.query('DELETE FROM policies');
        await c.query('SELECT pg_notify($1, $2)', [POLICY_CHANNEL, policy.name]);
        await c.query('ROLLBACK');
        // Then one committed notification: B gets notifications in commit order, so once this one
        // arrived, the rolled-back one would have arrived before it.
        await c.query('SELECT pg_notify($1, $2)', [POLICY_CHANNEL, 'marker']);
      } finally {
        await c.end();
      }
      await until(() => invalidations > 0, 'the committed notification');
      expect(invalidations).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("B's LISTEN connection lost: nothing cached meanwhile, a change made then is seen at once; A, back at once, caches again", { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url);
    // B reconnects only a minute later: the test looks at it while it is disconnected.
    const b = await replica(url, 60_000);
    const admin = await cluster().adminClient();
    try {
      await until(() => a.index.caching && b.index.caching, 'both replicas listening');
      await a.store.grouped.putPolicy(policy);
      // Until B's cache holds the policy (A's own notification may drop a first load).
      await until(() => cachedGrant(b), "B's cache to hold the policy");
      // Every session of the database ends (a failover, a restart): both LISTEN connections and the pools' ones.
      const probe = new pg.Client({ connectionString: url });
      await probe.connect();
      const db = (await probe.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d;
      await probe.end();
      const ended = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
      expect(ended.rowCount).toBeGreaterThanOrEqual(2);
      await until(() => b.events('policy_notifications_lost').length === 1 && a.events('policy_notifications_listening').length === 2, 'B to notice, A to listen again');
      expect(b.index.caching).toBe(false);
      expect(b.index.loaded(b.store)).toBeUndefined();
      // A change B cannot be told of: B reads the store for each request, so it denies at once.
      expect(await a.store.grouped.deletePolicy(policy.name)).toBe(true);
      expect(await b.index.policiesFor(b.store, WORKLOAD)).toEqual([]);
      await a.store.grouped.putPolicy(policy);
      expect(await b.index.policiesFor(b.store, WORKLOAD)).toHaveLength(1);
      expect(b.index.loaded(b.store)).toBeUndefined();
      expect(b.index.caching).toBe(false);
      // A listens again: it caches again, and is still told of changes.
      await until(() => cachedGrant(a), "A's cache to hold the policy");
      await b.store.grouped.deletePolicy(policy.name);
      await until(async () => (await a.index.policiesFor(a.store, WORKLOAD)).length === 0, 'A to deny after its reconnect', 1_000);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });

  it('suspended, the index loads per call and installs nothing', async () => {
    const { log } = captureLogger();
    const index = new PolicyIndex(log);
    let rows = [{ ...policy, createdAt: new Date(), updatedAt: new Date() }];
    let loads = 0;
    const store = {
      listPolicies: async () => {
        loads++;
        return rows;
      },
    } as unknown as SecretsStore;
    index.suspend();
    expect(await index.policiesFor(store, WORKLOAD)).toHaveLength(1);
    expect(index.loaded(store)).toBeUndefined();
    rows = [];
    expect(await index.policiesFor(store, WORKLOAD)).toHaveLength(0);
    expect(loads).toBe(2);
    index.resume();
    await index.policies(store);
    await index.policies(store);
    expect(loads).toBe(3);
    expect(index.loaded(store)).toEqual([]);
  });
});

describe('replica heartbeats', () => {
  it('each replica is listed with its readiness; a clean stop removes its row', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    try {
      let bReady = false;
      a.gate.replicas?.startHeartbeat('nexus-a:8553', () => true);
      b.gate.replicas?.startHeartbeat('nexus-b:8553', () => bReady);
      await until(async () => ((await a.gate.replicas?.list()) ?? []).length === 2, 'two heartbeats');
      const seen = (await b.gate.replicas?.list()) ?? [];
      expect(seen.map((r) => [r.name, r.ready])).toEqual([
        ['nexus-a:8553', true],
        ['nexus-b:8553', false],
      ]);
      for (const r of seen) {
        expect(r.lastSeen).toBeInstanceOf(Date);
        expect(r.ageMs).toBeGreaterThanOrEqual(0);
      }
      bReady = true;
      await until(async () => ((await a.gate.replicas?.list()) ?? []).every((r) => r.ready), 'B ready in its heartbeat');
      await b.gate.replicas?.stop();
      expect(((await a.gate.replicas?.list()) ?? []).map((r) => r.name)).toEqual(['nexus-a:8553']);
      expect(() => a.gate.replicas?.startHeartbeat('bad name', () => true)).toThrow(/replica name/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
