// Group commit with the fsync off the event loop (docs/design.md § Store,
// group commit): a group transaction commits with synchronous=NORMAL and its
// writes are answered only when the fsync of the WAL that follows returns.
// The fsyncs are the store's injected hooks (walFsync), held and released (or
// failed) by the test, so that "before the fsync returned" is a state the
// test controls, not a race against the disk.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../../../src/nexus/store/core.js';
import type { GroupCommitOptions } from '../../../../src/nexus/store/group-commit.js';
import { Keyring } from '../../../../src/nexus/store/keyring.js';
import { openConnection } from '../../../../src/nexus/store/sqlite/connection.js';
import { sqliteBackend } from '../../../../src/nexus/store/sqlite/sqlite-backend.js';
import { openWalSync, type WalFsyncHooks } from '../../../../src/nexus/store/sqlite/wal-sync.js';
import { NotFoundError, openMemoryStore, openSqliteStore, StoreError, type SecretStore } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const KEY = testKey(11);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Lets every settled promise's callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

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

/**
 * Fsync hooks the test drives: every asynchronous fsync waits for release()/fail() (the oldest
 * held one by default); the synchronous one is counted and may be made to throw.
 */
function heldFsync(inFlight?: number): WalFsyncHooks & {
  asyncCalls: number;
  syncCalls: number;
  /** The descriptor of each asynchronous fsync, in call order. */
  fds: number[];
  waiting: () => number;
  release: (i?: number) => void;
  fail: (e: Error, i?: number) => void;
  syncError: Error | undefined;
} {
  const held: ((e: Error | null) => void)[] = [];
  const take = (i: number): ((e: Error | null) => void) => {
    const [d] = held.splice(i, 1);
    if (d === undefined) throw new Error('no such fsync is waiting');
    return d;
  };
  const h = {
    ...(inFlight === undefined ? {} : { inFlight }),
    asyncCalls: 0,
    syncCalls: 0,
    fds: [] as number[],
    syncError: undefined as Error | undefined,
    waiting: () => held.length,
    fsync(fd: number, done: (e: Error | null) => void): void {
      h.asyncCalls++;
      h.fds.push(fd);
      held.push(done);
    },
    fsyncSync(): void {
      h.syncCalls++;
      if (h.syncError !== undefined) throw h.syncError;
    },
    release(i = 0): void {
      take(i)(null);
    },
    fail(e: Error, i = 0): void {
      take(i)(e);
    },
  };
  return h;
}

function sqliteStore(fsync: WalFsyncHooks, groupCommit?: GroupCommitOptions): { store: SecretStore; dataDir: string } {
  const t = tempDir();
  const dataDir = join(t.dir, 'data');
  const store = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10, walFsync: fsync, ...(groupCommit === undefined ? {} : { groupCommit }) });
  cleanups.push(() => {
    store.close();
    t.cleanup();
  });
  return { store, dataDir };
}

function expectIo(e: unknown): void {
  expect(e).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe('io');
}

describe('group commit: answered after the fsync that follows COMMIT', () => {
  it('a committed write is not answered, and durable() does not resolve, until its fsync returns', async () => {
    const f = heldFsync();
    const { store } = sqliteStore(f);
    const w = track(store.grouped.putSecret('a/1', { v: 'one' }));
    const d0 = track(store.durable()); // nothing committed yet: at once
    await nextTurn(); // the group commits
    await settle();
    expect(f.asyncCalls).toBe(1);
    expect(w.state).toBe('pending');
    const d1 = track(store.durable());
    await settle();
    expect(d0.state).toBe('resolved');
    expect(d1.state).toBe('pending');
    f.release();
    await settle();
    expect(w).toEqual({ state: 'resolved', value: 1 });
    expect(d1.state).toBe('resolved');
    expect(f.syncCalls).toBe(0); // no read, no close: nothing fsynced on the event loop
  });

  it('a read of the store while an fsync is held first fsyncs synchronously; only then does it see the write (and the write is answered)', async () => {
    const f = heldFsync();
    const { store } = sqliteStore(f);
    const w = track(store.grouped.putSecret('a/1', { v: 'one' }));
    await nextTurn();
    expect(f.waiting()).toBe(1);
    expect(f.syncCalls).toBe(0);
    expect(store.getSecret('a/1')).toEqual({ v: 'one' });
    expect(f.syncCalls).toBe(1);
    await settle();
    expect(w).toEqual({ state: 'resolved', value: 1 });
    // Once durable, reads fsync no more; the late asynchronous fsync changes nothing.
    expect(store.listSecretPaths()).toEqual(['a/1']);
    expect(f.syncCalls).toBe(1);
    f.release();
    await settle();
    expect(store.getSecret('a/1')).toEqual({ v: 'one' });
  });

  it('when the read barrier\'s fsync fails, the read sees nothing, the write is not answered OK, and the store refuses every call but close', async () => {
    const f = heldFsync();
    const { store } = sqliteStore(f);
    const w = track(store.grouped.putSecret('a/1', { v: 'one' }));
    await nextTurn();
    f.syncError = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    let readError: unknown;
    try {
      store.getSecret('a/1');
    } catch (e) {
      readError = e;
    }
    expectIo(readError);
    await settle();
    expect(w.state).toBe('rejected');
    expectIo(w.error);
    expect(() => store.listPolicies()).toThrow(StoreError);
    expect(() => store.putSecret('b', { v: '1' })).toThrow(/durable/);
    await expect(store.grouped.putSecret('c', { v: '1' })).rejects.toMatchObject({ code: 'io' });
    await expect(store.durable()).rejects.toMatchObject({ code: 'io' });
    f.release(); // the asynchronous fsync returning later changes nothing
    await settle();
    expect(() => store.close()).not.toThrow();
  });

  it('a failing asynchronous fsync rejects its group and everything committed or queued after it with StoreError io, nothing answered OK', async () => {
    const f = heldFsync(2);
    const { store } = sqliteStore(f);
    const first = [track(store.grouped.putSecret('g1/a', { v: '1' })), track(store.grouped.putSecret('g1/b', { v: '1' }))];
    await nextTurn(); // group 1 commits, its fsync is held
    const second = track(store.grouped.putSecret('g2/a', { v: '1' }));
    const notFound = track(store.grouped.undeleteSecretVersions('no/such', [1])); // would fail alone with NotFoundError
    await nextTurn(); // group 2 commits, its own fsync is held too
    const third = track(store.grouped.putSecret('g2/b', { v: '1' }));
    await nextTurn(); // not committed: two fsyncs are in flight, the write stays queued
    expect(f.asyncCalls).toBe(2);
    const fourth = track(store.grouped.putSecret('g4/a', { v: '1' })); // queued, not yet flushed
    const d = track(store.durable());
    f.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })); // group 1's
    await settle();
    for (const w of [...first, second, notFound, third, fourth]) {
      expect(w.state).toBe('rejected');
      expectIo(w.error);
    }
    expect(d.state).toBe('rejected');
    expectIo(d.error);
    expect(() => store.getSecret('g1/a')).toThrow(/durable/);
    f.release(); // group 2's fsync returning fine afterwards answers nothing
    await settle();
    await nextTurn();
    expect(f.asyncCalls).toBe(2); // nothing more committed or synced
    expect(() => store.close()).not.toThrow();
  });

  it('with two fsyncs allowed in flight: a group committing while an fsync runs gets its own (two at most, on two descriptors); while two run, writes stay queued and commit together once one returns; one returning answers every group committed before it started, in any order', async () => {
    const f = heldFsync(2);
    const commits: number[] = [];
    const { store } = sqliteStore(f, { hooks: { beforeCommit: (n) => commits.push(n) } });
    const a = track(store.grouped.putSecret('p/a', { v: '1' }));
    await nextTurn(); // group 1 → fsync #1
    const b = track(store.grouped.putSecret('p/b', { v: '1' }));
    const missing = track(store.grouped.deleteSecretVersions('p/none', []));
    await nextTurn(); // group 2 → fsync #2
    const c = track(store.grouped.putSecret('p/a', { v: '2' }));
    await nextTurn(); // c stays queued: two fsyncs in flight
    const e = track(store.grouped.putSecret('p/e', { v: '1' }));
    await nextTurn(); // e too
    expect(f.asyncCalls).toBe(2);
    expect(new Set(f.fds).size).toBe(2);
    expect(commits).toEqual([1, 2]);
    await settle();
    expect([a.state, b.state, missing.state, c.state, e.state]).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    f.release(1); // fsync #2 returns first: groups 1 and 2 are durable
    await settle();
    expect(a).toEqual({ state: 'resolved', value: 1 });
    expect(b).toEqual({ state: 'resolved', value: 1 });
    expect(missing.state).toBe('rejected');
    expect(missing.error).toBeInstanceOf(NotFoundError);
    expect([c.state, e.state]).toEqual(['pending', 'pending']);
    await nextTurn(); // the flush the returning fsync scheduled: c and e in one group, its fsync started at once
    expect(commits).toEqual([1, 2, 2]);
    expect(f.asyncCalls).toBe(3);
    f.release(0); // fsync #1, late: changes nothing
    await settle();
    expect([c.state, e.state]).toEqual(['pending', 'pending']);
    expect(f.asyncCalls).toBe(3);
    f.release();
    await settle();
    expect(c).toEqual({ state: 'resolved', value: 2 });
    expect(e).toEqual({ state: 'resolved', value: 1 });
    expect(f.waiting()).toBe(0);
  });

  it('by default one fsync runs at a time: writes arriving in later turns while it runs stay queued, then commit as one group once it returns, answered by the fsync started for them', async () => {
    const f = heldFsync();
    const commits: number[] = [];
    const { store } = sqliteStore(f, { hooks: { beforeCommit: (n) => commits.push(n) } });
    const a = track(store.grouped.putSecret('q/a', { v: '1' }));
    await nextTurn(); // group 1 → the fsync, held
    const b = track(store.grouped.putSecret('q/b', { v: '1' }));
    await nextTurn();
    const c = track(store.grouped.putSecret('q/a', { v: '2' }));
    await nextTurn();
    expect(commits).toEqual([1]); // b and c wait: the one fsync slot is busy
    expect(f.asyncCalls).toBe(1);
    f.release();
    await settle();
    expect(a).toEqual({ state: 'resolved', value: 1 });
    expect([b.state, c.state]).toEqual(['pending', 'pending']);
    await nextTurn(); // the flush the returning fsync scheduled: b and c in one group
    expect(commits).toEqual([1, 2]);
    expect(f.asyncCalls).toBe(2);
    await settle();
    expect([b.state, c.state]).toEqual(['pending', 'pending']); // committed, not yet durable
    f.release();
    await settle();
    expect(b).toEqual({ state: 'resolved', value: 1 });
    expect(c).toEqual({ state: 'resolved', value: 2 });
    expect(f.waiting()).toBe(0);
  });

  it('close() runs what is queued, fsyncs synchronously and answers everything; an fsync returning after close changes nothing', async () => {
    const f = heldFsync();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    const store = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10, walFsync: f });
    const a = track(store.grouped.putSecret('k/a', { v: '1' }));
    await nextTurn(); // committed, fsync held
    const b = track(store.grouped.putSecret('k/b', { v: '1' })); // still queued
    store.close();
    expect(f.syncCalls).toBe(1);
    await settle();
    expect(a).toEqual({ state: 'resolved', value: 1 });
    expect(b).toEqual({ state: 'resolved', value: 1 });
    f.release();
    await settle();
    const again = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10 });
    try {
      expect(again.listSecretPaths()).toEqual(['k/a', 'k/b']);
    } finally {
      again.close();
    }
  });

  it('only the group transaction commits with synchronous=NORMAL; every other transaction stays FULL', async () => {
    const f = heldFsync();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 10 }).close(); // schema + key check
    const file = join(dataDir, 'spike.db');
    const conn = openConnection(file);
    conn.prepare('SELECT 1 FROM secrets').all(); // the connection opens its WAL
    const modes: number[] = [];
    const syncMode = (): number => conn.pragma('synchronous', { simple: true }) as number;
    const store = createStore(sqliteBackend(conn, new Keyring(Buffer.from(KEY)), openWalSync(file, f)), {
      maxVersions: 10,
      now: () => new Date(),
      groupCommit: { hooks: { beforeCommit: () => modes.push(syncMode()) } },
    });
    cleanups.push(() => store.close());
    const w = track(store.grouped.putSecret('s/a', { v: '1' }));
    await nextTurn();
    expect(modes).toEqual([1]); // NORMAL inside the group
    expect(syncMode()).toBe(2); // FULL again right after its COMMIT
    store.putSecret('s/b', { v: '1' }); // a write outside the group: its own transaction, FULL
    expect(syncMode()).toBe(2);
    f.release();
    await settle();
    expect(w).toEqual({ state: 'resolved', value: 1 });
  });

  it('memory store: durable() resolves at once; grouped writes are answered after their commit as before', async () => {
    const store = openMemoryStore({ maxVersions: 3 });
    cleanups.push(() => store.close());
    const w = track(store.grouped.putSecret('m/a', { v: '1' }));
    await nextTurn();
    await settle();
    expect(w).toEqual({ state: 'resolved', value: 1 });
    await expect(store.durable()).resolves.toBeUndefined();
  });
});
