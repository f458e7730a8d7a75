// asNexusStore: the synchronous SQLite and memory stores seen through the async
// interface Nexus consumes (docs/design.md § Async store).
import { afterEach, describe, expect, it } from 'vitest';
import { asNexusStore, NotFoundError, openMemoryStore, StoreError, type NexusStore, type SecretStore } from '../../../../src/nexus/store/index.js';
import { BACKENDS, steppingClock, type Harness } from './helpers.js';

describe.each(BACKENDS)('asNexusStore ($name)', (backend) => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.dispose();
    h = undefined;
  });

  function make(): { sync: SecretStore; store: NexusStore } {
    h = backend.make({ maxVersions: 10, now: steppingClock().now });
    return { sync: h.store, store: asNexusStore(h.store) };
  }

  it('reads return promises of what the synchronous store returns', async () => {
    const { sync, store } = make();
    expect(store.kind).toBe(backend.name);
    sync.putSecret('app/db', { user: 'admin', pass: 'one' });
    sync.putSecret('app/db', { pass: 'two' });
    sync.putSecret('app/cache', { url: 'redis://x' });
    sync.putPolicy({ name: 'readers', spiffeIdPattern: '^spiffe://example\\.org/r$', pathPattern: '^app/.*$', permissions: ['read'] });
    sync.putPolicy({ name: 'admins', spiffeIdPattern: '^spiffe://example\\.org/a$', pathPattern: '.*', permissions: ['super'] });

    const get = store.getSecret('app/db');
    expect(get).toBeInstanceOf(Promise);
    expect(await get).toEqual({ pass: 'two' });
    expect(await store.getSecret('app/db', 1)).toEqual({ user: 'admin', pass: 'one' });
    expect(await store.listSecretPaths()).toEqual(['app/cache', 'app/db']);
    const md = await store.getSecretMetadata('app/db', 1);
    expect(md.metadata.currentVersion).toBe(2);
    expect([...md.versions.keys()]).toEqual([1, 2]);
    expect((await store.getPolicy('readers')).permissions).toEqual(['read']);
    expect((await store.listPolicies()).map((p) => p.name)).toEqual(['admins', 'readers']);
  });

  it('a missing secret or policy rejects with the store\'s NotFoundError, never throws synchronously', async () => {
    const { store } = make();
    let secret: Promise<unknown> | undefined;
    let metadata: Promise<unknown> | undefined;
    let policy: Promise<unknown> | undefined;
    expect(() => {
      secret = store.getSecret('no/such');
      metadata = store.getSecretMetadata('no/such');
      policy = store.getPolicy('nobody');
    }).not.toThrow();
    await expect(secret).rejects.toBeInstanceOf(NotFoundError);
    await expect(metadata).rejects.toBeInstanceOf(NotFoundError);
    await expect(policy).rejects.toBeInstanceOf(NotFoundError);
  });

  it('grouped is the store\'s own; writes through it are read back', async () => {
    const { sync, store } = make();
    expect(store.grouped).toBe(sync.grouped);
    expect(await store.grouped.putSecret('a/b', { k: 'v' })).toBe(1);
    expect(await store.getSecret('a/b')).toEqual({ k: 'v' });
  });

  it('rotation is passed through (SQLite) or absent (memory)', () => {
    const { sync, store } = make();
    expect(sync.rotation === undefined).toBe(backend.name === 'memory');
    expect(store.rotation).toBe(sync.rotation);
    expect('rotation' in store).toBe(backend.name === 'sqlite');
  });

  it('close() closes the store: later reads reject with StoreError \'closed\'', async () => {
    const { sync, store } = make();
    sync.putSecret('a/b', { k: 'v' });
    await expect(store.close()).resolves.toBeUndefined();
    await expect(store.getSecret('a/b')).rejects.toMatchObject({ code: 'closed' });
    await expect(store.listPolicies()).rejects.toBeInstanceOf(StoreError);
    await store.close(); // idempotent
  });
});

describe('asNexusStore error passing', () => {
  /** A memory store whose every synchronous call throws `err` (what the store adds beyond these is the real store's). */
  function throwing(err: Error): SecretStore {
    const fail = (): never => {
      throw err;
    };
    const failLater = (): Promise<never> => Promise.reject(err);
    return {
      ...openMemoryStore({ maxVersions: 1 }),
      putSecret: fail,
      getSecret: fail,
      deleteSecretVersions: fail,
      undeleteSecretVersions: fail,
      getSecretMetadata: fail,
      listSecretPaths: fail,
      putPolicy: fail,
      getPolicy: fail,
      deletePolicy: fail,
      listPolicies: fail,
      grouped: { putSecret: failLater, deleteSecretVersions: failLater, undeleteSecretVersions: failLater, putPolicy: failLater, deletePolicy: failLater },
      close: fail,
    };
  }

  it('every read and close() rejects with the very error object the store threw', async () => {
    const err = new StoreError('integrity', 'row 7 fails to decrypt');
    const store = asNexusStore(throwing(err));
    const calls: Array<() => Promise<unknown>> = [
      () => store.getSecret('p'),
      () => store.getSecret('p', 3),
      () => store.getSecretMetadata('p'),
      () => store.listSecretPaths(),
      () => store.getPolicy('n'),
      () => store.listPolicies(),
      () => store.close(),
    ];
    for (const call of calls) {
      const rejected = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(rejected).toBe(err);
    }
  });

  it('passes the version and names through unchanged', async () => {
    const seen: unknown[] = [];
    const base = throwing(new Error('unused'));
    const store = asNexusStore({
      ...base,
      getSecret: (path, version) => {
        seen.push(['getSecret', path, version]);
        return {};
      },
      getSecretMetadata: (path, version) => {
        seen.push(['getSecretMetadata', path, version]);
        return { versions: new Map(), metadata: { currentVersion: 0, oldestVersion: 0, createdTime: new Date(0), updatedTime: new Date(0), maxVersions: 1 } };
      },
      getPolicy: (name) => {
        seen.push(['getPolicy', name]);
        return { name, spiffeIdPattern: 'x', pathPattern: 'y', permissions: [], createdAt: new Date(0), updatedAt: new Date(0) };
      },
    });
    await store.getSecret('a/b', 4);
    await store.getSecret('a/c');
    await store.getSecretMetadata('a/d', 2);
    await store.getPolicy('pol');
    expect(seen).toEqual([
      ['getSecret', 'a/b', 4],
      ['getSecret', 'a/c', undefined],
      ['getSecretMetadata', 'a/d', 2],
      ['getPolicy', 'pol'],
    ]);
  });
});

describe('asNexusStore read barrier (store.durable())', () => {
  /** A memory store whose durable() the test settles, counting the synchronous reads that ran. */
  function barred(): { store: NexusStore; reads: () => number; settle: (err?: Error) => void; closed: () => boolean } {
    const sync = openMemoryStore({ maxVersions: 1 });
    sync.putSecret('a/b', { k: 'v' });
    let reads = 0;
    let closed = false;
    let settle: (err?: Error) => void = () => undefined;
    const barrier = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    const counted = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
      reads++;
      return f(...a);
    };
    const store = asNexusStore({
      ...sync,
      durable: () => barrier,
      getSecret: counted(sync.getSecret),
      getSecretMetadata: counted(sync.getSecretMetadata),
      listSecretPaths: counted(sync.listSecretPaths),
      getPolicy: counted(sync.getPolicy),
      listPolicies: counted(sync.listPolicies),
      close: () => {
        closed = true;
        sync.close();
      },
    });
    return { store, reads: () => reads, settle, closed: () => closed };
  }

  it('a read runs only once every committed write is durable', async () => {
    const b = barred();
    const pending = [b.store.getSecret('a/b'), b.store.getSecretMetadata('a/b'), b.store.listSecretPaths(), b.store.listPolicies(), b.store.getPolicy('p')];
    await new Promise((r) => setImmediate(r));
    expect(b.reads()).toBe(0);
    b.settle();
    const [secret, , paths, policies, policy] = await Promise.allSettled(pending);
    expect(b.reads()).toBe(5);
    expect(secret).toEqual({ status: 'fulfilled', value: { k: 'v' } });
    expect(paths).toEqual({ status: 'fulfilled', value: ['a/b'] });
    expect(policies).toEqual({ status: 'fulfilled', value: [] });
    expect(policy).toMatchObject({ status: 'rejected', reason: expect.any(NotFoundError) });
  });

  it('a failed barrier (an fsync failed) rejects the read with its error, the read never runs', async () => {
    const b = barred();
    const err = new StoreError('io', 'fsync of the WAL failed');
    const read = b.store.getSecret('a/b');
    b.settle(err);
    await expect(read).rejects.toBe(err);
    expect(b.reads()).toBe(0);
  });

  it('close() does not wait for the barrier (it must run after a failed fsync too)', async () => {
    const b = barred();
    const closing = b.store.close();
    expect(b.closed()).toBe(true);
    await closing;
  });

  it('a barrier that throws instead of rejecting still gives a rejected promise', async () => {
    const err = new StoreError('closed', 'closed');
    const sync = openMemoryStore({ maxVersions: 1 });
    const store = asNexusStore({
      ...sync,
      durable: () => {
        throw err;
      },
    });
    let read: Promise<unknown> | undefined;
    expect(() => {
      read = store.listSecretPaths();
    }).not.toThrow();
    await expect(read).rejects.toBe(err);
    sync.close();
  });
});
