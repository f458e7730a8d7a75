// The rotation watcher of a replica on a shared PostgreSQL store: with the
// polls set to an hour, only the NOTIFY of another replica's begin and finish
// can make this replica learn the new key and then drop the old one — without
// a read or a write of its own. The poll is the safety net: a short poll alone
// (no notification reaches a watcher started after the begin's NOTIFY) learns
// the key and reports the running rotation (so that a replica may take it over).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/common/log.js';
import type { NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import type { SharedStoreRotation } from '../../../../src/nexus/store/postgres/rotation-api.js';
import { watchSharedRotation } from '../../../../src/nexus/rotation/replica-watch.js';
import { usePostgres } from '../../../helpers/postgres.js';
import { testKey } from '../store/helpers.js';

const cluster = usePostgres();

const OLD = testKey(0x42);
const NEW = testKey(0x17);
const HOUR = 3_600_000;

async function open(url: string, key: Uint8Array, events: string[]): Promise<NexusStore> {
  return openPostgresStore(await connectPostgres({ url, maxConnections: 4 }), { rootKey: key, maxVersions: 10, onKeys: (w) => events.push(w) });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 3000) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const quiet = createLogger({ level: 'error', component: 'test', out: () => undefined, auditOut: () => undefined });

describe('rotation watcher', () => {
  it('learns the new key from the begin notification and drops the old one on the finish notification (no poll, no traffic)', async () => {
    const url = await cluster().createDatabase();
    const aEvents: string[] = [];
    const bEvents: string[] = [];
    const a = await open(url, OLD, aEvents);
    const b = await open(url, OLD, bEvents);
    await a.grouped.putSecret('s', { v: '1' });
    const rb = b.rotation as SharedStoreRotation;
    const watch = watchSharedRotation({
      config: { url },
      log: quiet,
      rotation: () => rb,
      onRunning: () => undefined,
      pollMs: { unlistened: HOUR, running: HOUR, idle: HOUR },
    });
    try {
      await until(() => watch.listening, 'LISTEN in effect');
      const ra = a.rotation as SharedStoreRotation;
      await ra.begin(NEW, 'op');
      await until(() => bEvents.includes('changed'), 'B learns the new key');
      expect(rb.withSealingKey((k) => k.equals(NEW))).toBe(true);
      expect(rb.withPreviousKey((k) => k.equals(OLD))).toBe(true);
      while ((await ra.reencryptBatch(100)).phase !== 'pushing');
      await ra.finish();
      await until(() => rb.withPreviousKey(() => true) === undefined, 'B drops the old key');
      expect(bEvents).toEqual(['changed', 'changed']);
      expect(await b.getSecret('s')).toEqual({ v: '1' });
    } finally {
      await watch.close();
      await a.close();
      await b.close();
    }
  });

  it('the poll alone learns a rotation begun before the watcher started and reports it running', async () => {
    const url = await cluster().createDatabase();
    const a = await open(url, OLD, []);
    const bEvents: string[] = [];
    const b = await open(url, OLD, bEvents);
    await a.grouped.putSecret('s', { v: '1' });
    await (a.rotation as SharedStoreRotation).begin(NEW, 'op');
    const rb = b.rotation as SharedStoreRotation;
    let running = 0;
    const watch = watchSharedRotation({
      config: { url },
      log: quiet,
      rotation: () => rb,
      onRunning: () => running++,
      pollMs: { unlistened: 50, running: 50, idle: 50 },
    });
    try {
      await until(() => running >= 2, 'the poll reports the running rotation');
      expect(bEvents).toEqual(['changed']);
      expect(rb.status()).toMatchObject({ phase: 'reencrypting' });
    } finally {
      await watch.close();
      await a.close();
      await b.close();
    }
  });
});
