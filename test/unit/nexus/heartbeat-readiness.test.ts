// A replica's heartbeat row follows its readiness at once (docs/ha.md § Nexus
// replicas): when the replica becomes ready or stops being ready (key
// installed or dropped, database back or gone), it writes its row then, not
// at the next period. On a real private PostgreSQL cluster, with a heartbeat
// period of an hour, so that only a write on the change can show it; the test
// waits for each condition as another replica reads it. The row also carries
// the replica's key state (fingerprint, rotation phase: public names), listed
// by the others, and nothing when the replica has no key.
import { describe, expect, it } from 'vitest';
import { loadDatabaseConfig } from '../../../src/nexus/database-config.js';
import { openPostgresGate } from '../../../src/nexus/state/postgres-gate.js';
import type { StoreGate } from '../../../src/nexus/state/store-interface.js';
import { usePostgres } from '../../helpers/postgres.js';
import { captureLogger } from './fixtures.js';

const cluster = usePostgres();

/** Waits for `cond` (polls every 10 ms); the test's own timeout bounds it. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}

const HOUR_MS = 3_600_000;

describe('heartbeat on a readiness change', () => {
  it('the row says ready as soon as the replica is, and not ready as soon as it is not', { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const gates: StoreGate[] = [];
    const gate = async (): Promise<StoreGate> => {
      const g = await openPostgresGate({ database: loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url }), maxVersions: 10, log: captureLogger().log, heartbeatIntervalMs: HOUR_MS });
      gates.push(g);
      return g;
    };
    try {
      const a = await gate();
      const reader = await gate();
      let ready = false;
      a.replicas?.startHeartbeat('nexus-a', () => ready);
      const seenReady = async (): Promise<boolean | undefined> => ((await reader.replicas?.list()) ?? []).find((r) => r.name === 'nexus-a')?.ready;
      await until(async () => (await seenReady()) === false);
      ready = true;
      await until(async () => (await seenReady()) === true);
      expect(await seenReady()).toBe(true);
      ready = false;
      await until(async () => (await seenReady()) === false);
      expect(await seenReady()).toBe(false);
    } finally {
      for (const g of gates) {
        await g.replicas?.stop();
        await g.close();
      }
    }
  });

  it("the row carries the key's fingerprint and the rotation phase the replica knows of; the others list them", { timeout: 60_000 }, async () => {
    const url = await cluster().createDatabase();
    const log = captureLogger().log;
    const database = loadDatabaseConfig({ SPIKE_NEXUS_DATABASE_URL: url });
    const a = await openPostgresGate({ database, maxVersions: 10, log, heartbeatIntervalMs: 20 });
    const reader = await openPostgresGate({ database, maxVersions: 10, log });
    try {
      const fp = 'ab'.repeat(32);
      let key = { fingerprint: '', rotation: '' };
      a.replicas?.startHeartbeat('nexus-a', () => key.fingerprint !== '', undefined, () => key);
      const seen = async () => ((await reader.replicas?.list()) ?? []).find((r) => r.name === 'nexus-a');
      await until(async () => (await seen()) !== undefined);
      expect(await seen()).toMatchObject({ ready: false, fingerprint: '', rotation: '' });
      key = { fingerprint: fp, rotation: 'reencrypting' };
      await until(async () => (await seen())?.rotation === 'reencrypting');
      expect(await seen()).toMatchObject({ ready: true, fingerprint: fp, rotation: 'reencrypting' });
      key = { fingerprint: 'cd'.repeat(32), rotation: '' };
      await until(async () => (await seen())?.rotation === '');
      expect(await seen()).toMatchObject({ fingerprint: 'cd'.repeat(32), rotation: '' });
    } finally {
      for (const g of [a, reader]) {
        await g.replicas?.stop();
        await g.close();
      }
    }
  });
});
