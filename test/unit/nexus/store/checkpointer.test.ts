// WAL checkpoints in a worker thread (src/nexus/store/sqlite/checkpointer.ts):
// the store's group commits ask a second connection, in a worker, to copy the
// WAL into spike.db; the writer's own automatic checkpoint only runs past a
// far higher threshold. What is checked: spike.db grows while the store is
// open although the writer's threshold is never reached (so the pages were
// copied by the worker), nothing written is lost, and close() still leaves
// the writer's connection the last one (it removes the WAL, as before).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../../src/nexus/store/index.js';
import { SAFETY_NET_PAGES, startCheckpointer } from '../../../../src/nexus/store/sqlite/checkpointer.js';
import { tempDir, testKey } from './helpers.js';

const KEY = testKey(21);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** Polls `cond` every 20 ms until it holds; fails after `deadlineMs`. */
async function waitFor(cond: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WAL checkpoints in a worker thread', () => {
  it('copies group commits into spike.db while the store is open, loses nothing, and close() still removes the WAL', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    const file = join(dataDir, 'spike.db');
    const store = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3, checkpoint: { every: 4 } });
    const before = statSync(file).size;
    const paths: string[] = [];
    for (let i = 0; i < 40; i++) {
      const path = `ck/${i}`;
      paths.push(path);
      await store.grouped.putSecret(path, { v: String(i).repeat(100) }); // one group commit each
    }
    // 40 small commits stay far below the writer's own threshold: only the worker can have copied them.
    await waitFor(() => statSync(file).size > before, 'spike.db to grow');
    store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3 });
    try {
      expect(again.listSecretPaths()).toEqual([...paths].sort());
      expect(again.getSecret('ck/39')).toEqual({ v: '39'.repeat(100) });
    } finally {
      again.close();
    }
  });

  it('sets the writer\'s automatic checkpoint to the safety net, and back to SQLite\'s default when the worker cannot run', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'x.db');
    const db = new Database(file);
    cleanups.push(() => db.close());
    db.pragma('journal_mode = WAL');
    const cp = startCheckpointer(file, db);
    expect(cp).toBeDefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_NET_PAGES);
    cp?.close();
    // A file that does not exist: the worker's connection fails to open and the worker ends.
    const lost = startCheckpointer(join(t.dir, 'missing.db'), db);
    cleanups.push(() => lost?.close());
    await waitFor(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 'the fallback to 1000 pages');
  });
});
