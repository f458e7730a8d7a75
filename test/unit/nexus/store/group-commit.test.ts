// Group commit (docs/design.md § Store): writes queued in one event-loop turn
// share one transaction; each is answered only after COMMIT; a failing write
// fails alone (savepoint); a failing group transaction stores and answers
// nothing. What is stored is read with a second, independent SQLite
// connection (rows per path), not through the store under test.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommitter, type GroupTransactions } from '../../../../src/nexus/store/group-commit.js';
import { createStore } from '../../../../src/nexus/store/core.js';
import { Keyring } from '../../../../src/nexus/store/keyring.js';
import { openConnection } from '../../../../src/nexus/store/sqlite/connection.js';
import { sqliteBackend } from '../../../../src/nexus/store/sqlite/sqlite-backend.js';
import {
  NotFoundError,
  openMemoryStore,
  openSqliteStore,
  StoreError,
  type GroupCommitOptions,
  type SecretStore,
} from '../../../../src/nexus/store/index.js';
import { steppingClock, tempDir, testKey } from './helpers.js';

const KEY = testKey(9);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** The next turn of the event loop: setImmediate callbacks run in the order they were queued. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Settled<T> {
  state: 'pending' | 'resolved' | 'rejected';
  value?: T;
  error?: unknown;
}

function track<T>(p: Promise<T>): Settled<T> {
  const s: Settled<T> = { state: 'pending' };
  p.then(
    (value) => Object.assign(s, { state: 'resolved', value }),
    (error: unknown) => Object.assign(s, { state: 'rejected', error }),
  );
  return s;
}

function sqliteStore(opts: { groupCommit?: GroupCommitOptions; clockStartMs?: number } = {}): { store: SecretStore; dataDir: string; reopen: () => SecretStore } {
  const t = tempDir();
  const dataDir = join(t.dir, 'data');
  const clock = steppingClock(opts.clockStartMs);
  const open = (o: { groupCommit?: GroupCommitOptions }): SecretStore => openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10, now: clock.now, ...o });
  const h = {
    store: open(opts.groupCommit === undefined ? {} : { groupCommit: opts.groupCommit }),
    dataDir,
    reopen(): SecretStore {
      h.store.close();
      h.store = open({});
      return h.store;
    },
  };
  cleanups.push(() => {
    h.store.close();
    t.cleanup();
  });
  return h;
}

/** Stored secret versions per path, read with a connection of our own (committed data only). */
function storedVersions(dataDir: string): Record<string, number[]> {
  const db = new Database(join(dataDir, 'spike.db'), { readonly: true });
  try {
    const out: Record<string, number[]> = {};
    for (const r of db.prepare('SELECT path, version FROM secrets ORDER BY path, version').all() as { path: string; version: number }[]) {
      (out[r.path] ??= []).push(r.version);
    }
    return out;
  } finally {
    db.close();
  }
}

function storedMetadataPaths(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'spike.db'), { readonly: true });
  try {
    return (db.prepare('SELECT path FROM secret_metadata ORDER BY path').all() as { path: string }[]).map((r) => r.path);
  } finally {
    db.close();
  }
}

function storedPolicies(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'spike.db'), { readonly: true });
  try {
    return (db.prepare('SELECT name FROM policies ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

// ---- the committer alone, over a fake transaction ------------------------------

/** A transaction log: what a real backend would BEGIN, run and COMMIT. */
function fakeTx(): GroupTransactions & { log: string[]; open: boolean } {
  const tx = {
    log: [] as string[],
    open: false,
    runGroup(fn: () => void): void {
      tx.open = true;
      tx.log.push('begin');
      try {
        fn();
        if (!tx.open) throw new Error('no transaction is active');
        tx.log.push('commit');
      } catch (e) {
        tx.log.push('rollback');
        throw e;
      } finally {
        tx.open = false;
      }
    },
    stillOpen: () => tx.open,
  };
  return tx;
}

describe('group committer', () => {
  it('flushes what one turn queued as one transaction on the next turn (setImmediate, no timer), in order', async () => {
    const tx = fakeTx();
    const ran: number[] = [];
    const c = createGroupCommitter(tx);
    const answers = [1, 2, 3].map((i) => track(c.submit(() => (ran.push(i), i * 10), 1)));
    expect(c.pending()).toBe(3);
    expect(ran).toEqual([]);
    await nextTurn(); // queued after the committer's flush: runs after it
    expect(ran).toEqual([1, 2, 3]);
    expect(tx.log).toEqual(['begin', 'commit']);
    await Promise.resolve();
    expect(answers.map((a) => a.value)).toEqual([10, 20, 30]);
  });

  it('a lone write is flushed on the very next turn', async () => {
    const tx = fakeTx();
    const c = createGroupCommitter(tx);
    const a = track(c.submit(() => 'x', 1));
    await nextTurn();
    await Promise.resolve();
    expect(a).toEqual({ state: 'resolved', value: 'x' });
    expect(tx.log).toEqual(['begin', 'commit']);
  });

  it('bounds a group by maxWrites and by maxBytes (a larger write still goes, alone)', async () => {
    const sizes: number[] = [];
    const c = createGroupCommitter(fakeTx(), { maxWrites: 4, hooks: { beforeCommit: (n) => sizes.push(n) } });
    await Promise.all(Array.from({ length: 10 }, (_, i) => c.submit(() => i, 1)));
    expect(sizes).toEqual([4, 4, 2]);

    const bySize: number[] = [];
    const d = createGroupCommitter(fakeTx(), { maxBytes: 100, hooks: { beforeCommit: (n) => bySize.push(n) } });
    await Promise.all([60, 40, 1, 500, 10, 90, 1].map((b) => d.submit(() => b, b)));
    // [60, 40] = 100; [1] (+500 > 100); [500] alone; [10, 90] = 100; [1]
    expect(bySize).toEqual([2, 1, 1, 2, 1]);
  });

  it('a write that throws is rejected alone; the others commit', async () => {
    const tx = fakeTx();
    const c = createGroupCommitter(tx);
    const bad = new Error('not this one');
    const results = await Promise.allSettled([
      c.submit(() => 1, 1),
      c.submit(() => {
        throw bad;
      }, 1),
      c.submit(() => 3, 1),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: bad },
      { status: 'fulfilled', value: 3 },
    ]);
    expect(tx.log).toEqual(['begin', 'commit']);
  });

  it('a throw before COMMIT rejects every write of the group with StoreError io; the next group is unaffected', async () => {
    const tx = fakeTx();
    let fail = true;
    const c = createGroupCommitter(tx, {
      hooks: {
        beforeCommit: () => {
          if (fail) throw new Error('power cut');
        },
      },
    });
    const first = await Promise.allSettled([c.submit(() => 1, 1), c.submit(() => 2, 1)]);
    for (const r of first) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason as StoreError;
      expect(e).toBeInstanceOf(StoreError);
      expect(e.code).toBe('io');
    }
    fail = false;
    expect(await c.submit(() => 3, 1)).toBe(3);
    expect(tx.log).toEqual(['begin', 'rollback', 'begin', 'commit']);
  });

  it('when the transaction ends under a write (SQLite rolls back by itself), the rest of the group does not run and nothing is answered OK', async () => {
    const tx = fakeTx();
    const ran: string[] = [];
    const c = createGroupCommitter(tx);
    const results = await Promise.allSettled([
      c.submit(() => ran.push('a'), 1),
      c.submit(() => {
        ran.push('b');
        tx.open = false; // e.g. SQLITE_FULL: the whole transaction is gone
        throw new Error('database or disk is full');
      }, 1),
      c.submit(() => ran.push('c'), 1),
    ]);
    expect(ran).toEqual(['a', 'b']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(((results[0] as PromiseRejectedResult).reason as StoreError).code).toBe('io');
  });

  it('drain() runs everything queued now, group by group', async () => {
    const sizes: number[] = [];
    const c = createGroupCommitter(fakeTx(), { maxWrites: 2, hooks: { beforeCommit: (n) => sizes.push(n) } });
    const all = Promise.all([1, 2, 3].map((i) => c.submit(() => i, 1)));
    c.drain();
    expect(sizes).toEqual([2, 1]);
    expect(c.pending()).toBe(0);
    expect(await all).toEqual([1, 2, 3]);
  });
});

// ---- the SQLite store ------------------------------------------------------------------

describe('SQLite store: grouped writes', () => {
  it('writes of one turn share one transaction; each answer comes when another connection already sees the write', async () => {
    const sizes: number[] = [];
    const h = sqliteStore({ groupCommit: { hooks: { beforeCommit: (n) => sizes.push(n) } } });
    const seenAtAnswer: Record<string, number[] | undefined>[] = [];
    const writes = Array.from({ length: 20 }, (_, i) =>
      h.store.grouped.putSecret(`g/${i}`, { v: `value-${i}` }).then((version) => {
        seenAtAnswer.push({ [`g/${i}`]: storedVersions(h.dataDir)[`g/${i}`] });
        return version;
      }),
    );
    expect(await Promise.all(writes)).toEqual(Array.from({ length: 20 }, () => 1));
    expect(sizes).toEqual([20]);
    expect(seenAtAnswer).toHaveLength(20);
    for (const s of seenAtAnswer) expect(Object.values(s)).toEqual([[1]]);
    const reopened = h.reopen();
    for (let i = 0; i < 20; i++) expect(reopened.getSecret(`g/${i}`)).toEqual({ v: `value-${i}` });
  });

  it('one failing write among many fails alone (not found, invalid); the others are stored', async () => {
    const sizes: number[] = [];
    const h = sqliteStore({ groupCommit: { hooks: { beforeCommit: (n) => sizes.push(n) } } });
    h.store.putSecret('exists', { v: '1' });
    const results = await Promise.allSettled([
      h.store.grouped.putSecret('a', { v: 'a' }),
      h.store.grouped.deleteSecretVersions('missing', []),
      h.store.grouped.putSecret('b', { v: 'b' }),
      h.store.grouped.undeleteSecretVersions('exists', [1]), // nothing deleted: not found
      h.store.grouped.putPolicy({ name: 'p1', spiffeIdPattern: '^x$', pathPattern: '^a$', permissions: ['read'] }),
      h.store.grouped.deletePolicy('no-such-policy'),
      h.store.grouped.putSecret('c', { v: 'c' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect((results[5] as PromiseFulfilledResult<boolean>).value).toBe(false);
    expect(sizes).toEqual([7]);
    expect(storedVersions(h.dataDir)).toEqual({ a: [1], b: [1], c: [1], exists: [1] });
    expect(storedPolicies(h.dataDir)).toEqual(['p1']);
  });

  it('a write that fails after writing some of its rows is rolled back to its savepoint, not the others', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10 }).close();
    // A put writes secret_metadata first, then the version row: make the second statement fail for one path.
    const ddl = new Database(join(dataDir, 'spike.db'));
    ddl.exec(`CREATE TRIGGER gc_boom BEFORE INSERT ON secrets WHEN NEW.path = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;`);
    ddl.close();
    const store = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10 });
    cleanups.push(() => store.close());
    const r = await Promise.allSettled([
      store.grouped.putSecret('ok/1', { v: '1' }),
      store.grouped.putSecret('boom', { v: 'x' }),
      store.grouped.putSecret('ok/2', { v: '2' }),
    ]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(storedVersions(dataDir)).toEqual({ 'ok/1': [1], 'ok/2': [1] });
    expect(storedMetadataPaths(dataDir)).toEqual(['ok/1', 'ok/2']); // boom's metadata row rolled back with it
    expect(() => store.getSecret('boom')).toThrow(NotFoundError);
  });

  it('two puts to one path in one group get consecutive versions, in the order they were queued', async () => {
    const sizes: number[] = [];
    const h = sqliteStore({ groupCommit: { hooks: { beforeCommit: (n) => sizes.push(n) } } });
    h.store.putSecret('same', { v: 'v1' });
    const [a, b] = await Promise.all([h.store.grouped.putSecret('same', { v: 'first' }), h.store.grouped.putSecret('same', { v: 'second' })]);
    expect([a, b]).toEqual([2, 3]);
    expect(sizes).toEqual([2]);
    expect(storedVersions(h.dataDir)).toEqual({ same: [1, 2, 3] });
    const s = h.reopen();
    expect(s.getSecret('same', 2)).toEqual({ v: 'first' });
    expect(s.getSecret('same')).toEqual({ v: 'second' });
    expect(s.getSecretMetadata('same').metadata.currentVersion).toBe(3);
  });

  it('a throw inside the group transaction before COMMIT: none of the group is stored or answered OK; the store goes on', async () => {
    let fail = true;
    const h = sqliteStore({
      groupCommit: {
        hooks: {
          beforeCommit: () => {
            if (fail) throw new Error('simulated crash before COMMIT');
          },
        },
      },
    });
    h.store.putSecret('before', { v: '1' });
    const results = await Promise.allSettled([
      h.store.grouped.putSecret('lost/a', { v: 'a' }),
      h.store.grouped.putSecret('before', { v: '2' }),
      h.store.grouped.deleteSecretVersions('before', [1]),
      h.store.grouped.putPolicy({ name: 'lost', spiffeIdPattern: '^x$', pathPattern: '^a$', permissions: ['read'] }),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(((r as PromiseRejectedResult).reason as StoreError).code).toBe('io');
    }
    expect(storedVersions(h.dataDir)).toEqual({ before: [1] });
    expect(storedPolicies(h.dataDir)).toEqual([]);
    expect(() => h.store.getSecret('lost/a')).toThrow(NotFoundError);
    expect(h.store.getSecret('before')).toEqual({ v: '1' });
    fail = false;
    expect(await h.store.grouped.putSecret('before', { v: '2' })).toBe(2);
    const s = h.reopen();
    expect(s.getSecret('before')).toEqual({ v: '2' });
    expect(() => s.getSecret('lost/a')).toThrow(NotFoundError);
  });

  it('a COMMIT that fails (a deferred constraint): none of the group is stored or answered OK', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10 }).close(); // schema + key check
    const conn = openConnection(join(dataDir, 'spike.db'));
    conn.pragma('foreign_keys = ON');
    conn.exec(`CREATE TABLE gc_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE gc_child (pid INTEGER REFERENCES gc_parent(id) DEFERRABLE INITIALLY DEFERRED);`);
    let breakCommit = true;
    const store = createStore(sqliteBackend(conn, new Keyring(Buffer.from(KEY))), {
      maxVersions: 10,
      now: () => new Date(),
      groupCommit: {
        hooks: {
          // Checked only at COMMIT: the statement succeeds, COMMIT fails with SQLITE_CONSTRAINT_FOREIGNKEY.
          beforeCommit: () => {
            if (breakCommit) conn.prepare('INSERT INTO gc_child (pid) VALUES (42)').run();
          },
        },
      },
    });
    cleanups.push(() => store.close());
    const results = await Promise.allSettled([store.grouped.putSecret('c/1', { v: '1' }), store.grouped.putSecret('c/2', { v: '2' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const cause = ((results[0] as PromiseRejectedResult).reason as StoreError).cause as { code?: string };
    expect(cause.code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    expect(conn.inTransaction).toBe(false);
    expect(storedVersions(dataDir)).toEqual({});
    expect(() => store.getSecret('c/1')).toThrow(NotFoundError);
    breakCommit = false;
    expect(await store.grouped.putSecret('c/1', { v: 'again' })).toBe(1);
    expect(storedVersions(dataDir)).toEqual({ 'c/1': [1] });
  });

  it('what the store reads right after grouped writes equals what a fresh open reads from disk (versions, times, current)', async () => {
    const h = sqliteStore({ clockStartMs: Date.UTC(2026, 4, 6, 7, 8, 9, 678) }); // milliseconds: metadata keeps whole seconds
    await Promise.all([h.store.grouped.putSecret('m/a', { v: '1' }), h.store.grouped.putSecret('m/a', { v: '2' }), h.store.grouped.putSecret('m/b', { v: '1' })]);
    for (let i = 3; i <= 12; i++) await h.store.grouped.putSecret('m/a', { v: String(i) }); // pruned beyond 10
    await Promise.all([h.store.grouped.deleteSecretVersions('m/a', [12, 5]), h.store.grouped.deleteSecretVersions('m/b', [])]);
    await h.store.grouped.undeleteSecretVersions('m/a', [5]);
    const before = { a: h.store.getSecretMetadata('m/a'), a5: h.store.getSecret('m/a', 5) };
    expect(() => h.store.getSecretMetadata('m/b')).toThrow(NotFoundError); // no live version
    const s = h.reopen();
    const after = { a: s.getSecretMetadata('m/a'), a5: s.getSecret('m/a', 5) };
    expect(after).toEqual(before);
    expect([...after.a.versions.keys()]).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(after.a.metadata.currentVersion).toBe(11);
    expect(() => s.getSecretMetadata('m/b')).toThrow(NotFoundError);
  });

  it('bad input is rejected at once and queues nothing', async () => {
    const sizes: number[] = [];
    const h = sqliteStore({ groupCommit: { hooks: { beforeCommit: (n) => sizes.push(n) } } });
    await expect(h.store.grouped.putSecret('', { v: '1' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.store.grouped.putSecret('p', { v: 1 } as unknown as Record<string, string>)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(h.store.grouped.deletePolicy(7 as unknown as string)).rejects.toMatchObject({ code: 'invalid_input' });
    await nextTurn();
    expect(sizes).toEqual([]);
  });

  it('the values are copied when queued: a change by the caller afterwards is not stored', async () => {
    const h = sqliteStore();
    const values: Record<string, string> = { v: 'as queued' };
    const p = h.store.grouped.putSecret('copy', values);
    values.v = 'changed later';
    await p;
    expect(h.reopen().getSecret('copy')).toEqual({ v: 'as queued' });
  });

  it('close() first runs and answers the writes still queued', async () => {
    const h = sqliteStore();
    const queued = [h.store.grouped.putSecret('q/1', { v: '1' }), h.store.grouped.putSecret('q/2', { v: '2' })];
    h.store.close();
    expect(await Promise.all(queued)).toEqual([1, 1]);
    expect(storedVersions(h.dataDir)).toEqual({ 'q/1': [1], 'q/2': [1] });
    await expect(h.store.grouped.putSecret('q/3', { v: '3' })).rejects.toMatchObject({ code: 'closed' });
  });

  it('writes queued when a rotation begins are sealed with the new key: after finish the old key opens nothing', async () => {
    const OLD = testKey(1);
    const NEW = testKey(2);
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    let store = openSqliteStore({ dataDir, rootKey: OLD, maxVersions: 10 });
    store.putSecret('r/old', { v: 'old' });
    const queued = [store.grouped.putSecret('r/q1', { v: 'q1' }), store.grouped.putSecret('r/old', { v: 'old2' })];
    const rotation = store.rotation;
    if (rotation === undefined) throw new Error('no rotation');
    rotation.begin(NEW, 'spiffe://test/rotator'); // its own transaction, before the group
    expect(await Promise.all(queued)).toEqual([1, 2]);
    while (rotation.status()?.phase === 'reencrypting') rotation.reencryptBatch(1);
    rotation.finish();
    store.close();
    store = openSqliteStore({ dataDir, rootKey: NEW, maxVersions: 10 });
    cleanups.push(() => store.close());
    expect(store.getSecret('r/q1')).toEqual({ v: 'q1' });
    expect(store.getSecret('r/old')).toEqual({ v: 'old2' });
    expect(store.getSecret('r/old', 1)).toEqual({ v: 'old' });
  });
});

describe('memory store: grouped writes', () => {
  it('same answers: a failing write alone, consecutive versions in queue order', async () => {
    const store = openMemoryStore({ maxVersions: 10 });
    cleanups.push(() => store.close());
    const r = await Promise.allSettled([
      store.grouped.putSecret('m', { v: '1' }),
      store.grouped.deleteSecretVersions('nope', []),
      store.grouped.putSecret('m', { v: '2' }),
    ]);
    expect(r).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: expect.any(NotFoundError) },
      { status: 'fulfilled', value: 2 },
    ]);
    expect(store.getSecret('m')).toEqual({ v: '2' });
  });
});
