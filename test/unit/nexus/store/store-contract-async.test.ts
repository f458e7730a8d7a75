// The store contract as Nexus consumes it (NexusStore, async), run against
// memory and SQLite through asNexusStore and against PostgreSQL: the cases of
// store-contract.test.ts with the same expectations (upstream versioning
// semantics, upstream state/base/secret.go, with our documented fixes).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, openMemoryStore, openSqliteStore, StoreError } from '../../../../src/nexus/store/index.js';
import { asNexusStore, type NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';
import { steppingClock, tempDir, testKey } from './helpers.js';

interface AsyncHarness {
  store: NexusStore;
  /** SQLite, PostgreSQL: close and open again from the database; memory: same store. */
  reopen(): Promise<NexusStore>;
  dispose(): Promise<void>;
}

interface AsyncBackend {
  name: 'memory' | 'sqlite' | 'postgres';
  make(opts: { maxVersions: number; now?: () => Date }): Promise<AsyncHarness>;
}

let cluster: PostgresCluster | undefined;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

function reopening(open: () => Promise<NexusStore>, cleanup: () => void = () => undefined): Promise<AsyncHarness> {
  return open().then((store) => {
    const h: AsyncHarness = {
      store,
      async reopen() {
        await h.store.close();
        h.store = await open();
        return h.store;
      },
      async dispose() {
        await h.store.close();
        cleanup();
      },
    };
    return h;
  });
}

const BACKENDS: AsyncBackend[] = [
  {
    name: 'memory',
    async make({ maxVersions, now }) {
      const store = asNexusStore(openMemoryStore({ maxVersions, ...(now ? { now } : {}) }));
      return { store, reopen: () => Promise.resolve(store), dispose: () => store.close() };
    },
  },
  {
    name: 'sqlite',
    make({ maxVersions, now }) {
      const t = tempDir();
      const dataDir = join(t.dir, 'data');
      return reopening(() => Promise.resolve(asNexusStore(openSqliteStore({ dataDir, rootKey: testKey(), maxVersions, ...(now ? { now } : {}) }))), t.cleanup);
    },
  },
  {
    name: 'postgres',
    async make({ maxVersions, now }) {
      if (cluster === undefined) throw new Error('no PostgreSQL cluster');
      const url = await cluster.createDatabase();
      return reopening(async () => openPostgresStore(await connectPostgres({ url, maxConnections: 4 }), { rootKey: testKey(), maxVersions, ...(now ? { now } : {}) }));
    },
  },
];

async function versionsOf(s: NexusStore, path: string): Promise<Record<number, boolean>> {
  // version -> deleted?
  const out: Record<number, boolean> = {};
  const current = (await s.getSecretMetadata(path)).metadata.currentVersion;
  const md = await s.getSecretMetadata(path, current);
  for (const [n, v] of md.versions) out[n] = v.deletedTime !== null;
  return out;
}

describe.each(BACKENDS)('NexusStore ($name)', (backend) => {
  let h: AsyncHarness | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  /** The live store, then the same store reopened from its database. */
  async function* nowAndAfterReopen(): AsyncGenerator<NexusStore> {
    yield (h as AsyncHarness).store;
    yield await (h as AsyncHarness).reopen();
  }

  async function make(maxVersions = 10, clock = steppingClock()): Promise<AsyncHarness> {
    h = await backend.make({ maxVersions, now: clock.now });
    return h;
  }

  it('puts versions starting at 1 and reads current and specific versions, after reopen too', async () => {
    const h = await make();
    expect(await h.store.grouped.putSecret('app/db', { user: 'admin', pass: 'one' })).toBe(1);
    expect(await h.store.grouped.putSecret('app/db', { pass: 'two' })).toBe(2);
    for await (const s of nowAndAfterReopen()) {
      expect(await s.getSecret('app/db')).toEqual({ pass: 'two' });
      expect(await s.getSecret('app/db', 0)).toEqual({ pass: 'two' });
      expect(await s.getSecret('app/db', 1)).toEqual({ user: 'admin', pass: 'one' });
      await expect(s.getSecret('app/db', 3)).rejects.toThrow(NotFoundError);
      await expect(s.getSecret('nope')).rejects.toThrow(NotFoundError);
    }
  });

  it('returns metadata with real version numbers and times, after reopen too', async () => {
    const h = await make(10, steppingClock());
    await h.store.grouped.putSecret('p', { a: '1' }); // t0
    await h.store.grouped.putSecret('p', { a: '2' }); // t0+1s
    for await (const s of nowAndAfterReopen()) {
      const md = await s.getSecretMetadata('p');
      expect([...md.versions.keys()]).toEqual([1, 2]);
      expect(md.versions.get(1)).toEqual({ version: 1, createdTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), deletedTime: null });
      expect(md.versions.get(2)?.version).toBe(2);
      expect(md.metadata).toEqual({
        currentVersion: 2,
        oldestVersion: 1,
        createdTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        updatedTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 6)),
        maxVersions: 10,
      });
    }
  });

  it('prunes the lowest versions beyond maxVersions, and they never come back', async () => {
    const h = await make(3);
    for (let i = 1; i <= 5; i++) expect(await h.store.grouped.putSecret('s', { v: String(i) })).toBe(i);
    for await (const s of nowAndAfterReopen()) {
      const md = await s.getSecretMetadata('s');
      expect([...md.versions.keys()]).toEqual([3, 4, 5]);
      expect(md.metadata.oldestVersion).toBe(3);
      expect(md.metadata.currentVersion).toBe(5);
      await expect(s.getSecret('s', 1)).rejects.toThrow(NotFoundError);
      await expect(s.getSecret('s', 2)).rejects.toThrow(NotFoundError);
      expect(await s.getSecret('s', 3)).toEqual({ v: '3' });
    }
    expect(await (await h.reopen()).grouped.putSecret('s', { v: '6' })).toBe(6);
    expect([...(await (await h.reopen()).getSecretMetadata('s')).versions.keys()]).toEqual([4, 5, 6]);
  });

  it('soft-deletes the current version: current moves to the highest live one', async () => {
    const h = await make(10, steppingClock());
    for (let i = 1; i <= 3; i++) await h.store.grouped.putSecret('s', { v: String(i) });
    await h.store.grouped.deleteSecretVersions('s', []);
    for await (const s of nowAndAfterReopen()) {
      await expect(s.getSecret('s', 3)).rejects.toThrow(NotFoundError);
      expect(await s.getSecret('s')).toEqual({ v: '2' });
      const md = await s.getSecretMetadata('s');
      expect(md.metadata.currentVersion).toBe(2);
      expect(md.metadata.oldestVersion).toBe(1);
      expect(md.versions.get(3)?.deletedTime).toEqual(new Date(Date.UTC(2026, 0, 2, 3, 4, 8)));
      expect(md.metadata.updatedTime).toEqual(new Date(Date.UTC(2026, 0, 2, 3, 4, 8)));
    }
    // Version 0 means current; deleting a lower version recomputes oldest only.
    await h.store.grouped.deleteSecretVersions('s', [1]);
    expect((await h.store.getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
    await h.store.grouped.deleteSecretVersions('s', [0]);
    await h.reopen();
    await expect(h.store.getSecret('s')).rejects.toThrow(NotFoundError);
    await expect(h.store.getSecretMetadata('s')).rejects.toThrow(NotFoundError);
  });

  it('deleting everything leaves current and oldest at 0; the path is still listed', async () => {
    const h = await make();
    await h.store.grouped.putSecret('s', { v: '1' });
    await h.store.grouped.putSecret('s', { v: '2' });
    await h.store.grouped.deleteSecretVersions('s', [1, 2]);
    const s = await h.reopen();
    await expect(s.getSecret('s')).rejects.toThrow(NotFoundError);
    await expect(s.getSecretMetadata('s')).rejects.toThrow(NotFoundError);
    expect(await s.listSecretPaths()).toEqual(['s']);
    // Undelete of [0] while current is 0 undeletes nothing: 404 (what the CLI default does upstream).
    await expect(s.grouped.undeleteSecretVersions('s', [0])).rejects.toThrow(NotFoundError);
    // Undelete of [] picks the highest deleted version.
    await s.grouped.undeleteSecretVersions('s', []);
    expect(await s.getSecret('s')).toEqual({ v: '2' });
    expect((await s.getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
  });

  it('undeletes specific versions; current moves up only when a higher version comes back', async () => {
    const h = await make();
    for (let i = 1; i <= 3; i++) await h.store.grouped.putSecret('s', { v: String(i) });
    await h.store.grouped.deleteSecretVersions('s', [1, 3]);
    expect((await h.store.getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
    await h.store.grouped.undeleteSecretVersions('s', [1]);
    expect((await (await h.reopen()).getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 2, oldestVersion: 1 });
    expect(await h.store.getSecret('s', 1)).toEqual({ v: '1' });
    await h.store.grouped.undeleteSecretVersions('s', [3]);
    expect(await (await h.reopen()).getSecret('s')).toEqual({ v: '3' });
    // Nothing deleted any more: nothing to undelete.
    await expect(h.store.grouped.undeleteSecretVersions('s', [1, 2, 3])).rejects.toThrow(NotFoundError);
    await expect(h.store.grouped.undeleteSecretVersions('s', [])).rejects.toThrow(NotFoundError);
  });

  it('metadata of a deleted version is 404 but lists deleted versions', async () => {
    const h = await make();
    await h.store.grouped.putSecret('s', { v: '1' });
    await h.store.grouped.putSecret('s', { v: '2' });
    await h.store.grouped.deleteSecretVersions('s', [1]);
    await expect(h.store.getSecretMetadata('s', 1)).rejects.toThrow(NotFoundError);
    const md = await h.store.getSecretMetadata('s', 2);
    expect(await versionsOf(h.store, 's')).toEqual({ 1: true, 2: false });
    expect(md.versions.size).toBe(2);
  });

  it('a put after deleting the current version gets a fresh number and keeps the deleted one undeletable', async () => {
    const h = await make();
    for (let i = 1; i <= 3; i++) await h.store.grouped.putSecret('s', { v: String(i) });
    await h.store.grouped.deleteSecretVersions('s', [3]);
    expect(await h.store.grouped.putSecret('s', { v: '4' })).toBe(4);
    const s = await h.reopen();
    await s.grouped.undeleteSecretVersions('s', [3]);
    expect(await s.getSecret('s', 3)).toEqual({ v: '3' });
    expect(await s.getSecret('s')).toEqual({ v: '4' });
  });

  it('a put after deleting everything is live and oldest follows it', async () => {
    const h = await make();
    await h.store.grouped.putSecret('s', { v: '1' });
    await h.store.grouped.deleteSecretVersions('s', [1]);
    expect(await h.store.grouped.putSecret('s', { v: '2' })).toBe(2);
    expect((await (await h.reopen()).getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
  });

  it('delete/undelete on a missing path is NotFound; unknown and odd versions are ignored', async () => {
    const h = await make();
    await expect(h.store.grouped.deleteSecretVersions('missing', [])).rejects.toThrow(NotFoundError);
    await expect(h.store.grouped.undeleteSecretVersions('missing', [])).rejects.toThrow(NotFoundError);
    await h.store.grouped.putSecret('s', { v: '1' });
    await h.store.grouped.deleteSecretVersions('s', [-1, 99, Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, Number.NaN, Infinity]);
    expect(await (await h.reopen()).getSecret('s')).toEqual({ v: '1' });
    for (const v of [-1, 2 ** 60, 1.5, Number.NaN]) {
      await expect(h.store.getSecret('s', v)).rejects.toThrow(NotFoundError);
    }
    await expect(h.store.grouped.undeleteSecretVersions('s', [-5, 2 ** 70])).rejects.toThrow(NotFoundError);
    expect((await h.store.getSecretMetadata('s')).metadata).toMatchObject({ currentVersion: 1, oldestVersion: 1 });
  });

  it('stores empty maps and values with any characters', async () => {
    const h = await make();
    await h.store.grouped.putSecret('empty', {});
    const odd = { 'we ird': 'ünïcødé 🔑 "quotes" \\ \n\u0000', k: '' };
    await h.store.grouped.putSecret('odd', odd);
    const s = await h.reopen();
    expect(await s.getSecret('empty')).toEqual({});
    expect(await s.getSecret('odd')).toEqual(odd);
  });

  it('refuses what it cannot store faithfully, without changing anything', async () => {
    const h = await make();
    await h.store.grouped.putSecret('s', { v: '1' });
    const bad = { v: 5 } as unknown as Record<string, string>;
    await expect(h.store.grouped.putSecret('s', bad)).rejects.toThrow(StoreError);
    await expect(h.store.grouped.putSecret('', { v: '1' })).rejects.toThrow(StoreError);
    await expect(h.store.grouped.putSecret('s', null as unknown as Record<string, string>)).rejects.toThrow(StoreError);
    await expect(h.store.grouped.deleteSecretVersions('s', ['1'] as unknown as number[])).rejects.toThrow(StoreError);
    expect((await (await h.reopen()).getSecretMetadata('s')).metadata.currentVersion).toBe(1);
    expect(await h.store.listSecretPaths()).toEqual(['s']);
  });

  it('lists every path sorted bytewise, deleted secrets included', async () => {
    const h = await make();
    for (const p of ['b/x', 'a', 'B', 'a/b', 'a-b', 'é', 'z']) await h.store.grouped.putSecret(p, { v: p });
    await h.store.grouped.deleteSecretVersions('z', []);
    expect(await (await h.reopen()).listSecretPaths()).toEqual(['B', 'a', 'a-b', 'a/b', 'b/x', 'z', 'é']);
  });

  it('lists nothing when empty', async () => {
    const h = await make();
    expect(await h.store.listSecretPaths()).toEqual([]);
    expect(await h.store.listPolicies()).toEqual([]);
  });

  it('policies: create, read, update keeping createdAt, list sorted, delete', async () => {
    const h = await make(10, steppingClock());
    const input = { name: 'web', spiffeIdPattern: '^spiffe://spike.ist/web/.*$', pathPattern: '^secrets/web/.*$', permissions: ['read', 'list'] };
    const created = await h.store.grouped.putPolicy(input);
    expect(created).toMatchObject(input);
    expect(created.createdAt).toEqual(created.updatedAt);
    await h.store.grouped.putPolicy({ name: 'admin', spiffeIdPattern: '^spiffe://spike.ist/admin$', pathPattern: '.*', permissions: ['super'] });
    const updated = await h.store.grouped.putPolicy({ ...input, permissions: ['read', 'write'] });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    const s = await h.reopen();
    expect(await s.getPolicy('web')).toEqual({ ...input, permissions: ['read', 'write'], createdAt: created.createdAt, updatedAt: updated.updatedAt });
    expect((await s.listPolicies()).map((p) => p.name)).toEqual(['admin', 'web']);
    await expect(s.getPolicy('nope')).rejects.toThrow(NotFoundError);
    expect(await s.grouped.deletePolicy('nope')).toBe(false);
    expect(await s.grouped.deletePolicy('web')).toBe(true);
    expect((await (await h.reopen()).listPolicies()).map((p) => p.name)).toEqual(['admin']);
    await expect(h.store.getPolicy('web')).rejects.toThrow(NotFoundError);
  });

  it('policies: refuses empty names and commas inside permissions', async () => {
    const h = await make();
    await expect(h.store.grouped.putPolicy({ name: '', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] })).rejects.toThrow(StoreError);
    await expect(h.store.grouped.putPolicy({ name: 'x', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read,write'] })).rejects.toThrow(StoreError);
    expect(await h.store.listPolicies()).toEqual([]);
  });

  it('returned objects are copies: mutating them changes nothing stored', async () => {
    const h = await make();
    await h.store.grouped.putSecret('s', { v: '1' });
    const got = await h.store.getSecret('s');
    got['v'] = 'mutated';
    expect(await h.store.getSecret('s')).toEqual({ v: '1' });
    const p = await h.store.grouped.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    (p.permissions as string[]).push('write');
    expect((await h.store.getPolicy('p')).permissions).toEqual(['read']);
    const md = await h.store.getSecretMetadata('s');
    const created = md.metadata.createdTime.getTime();
    md.metadata.createdTime.setTime(0);
    md.versions.get(1)?.createdTime.setTime(0);
    expect((await h.store.getSecretMetadata('s')).metadata.createdTime.getTime()).toBe(created);
    expect((await h.store.getSecretMetadata('s')).versions.get(1)?.createdTime.getTime()).toBe(created);
  });

  it('a closed store refuses every call; close is idempotent', async () => {
    const h = await make();
    await h.store.close();
    await h.store.close();
    await expect(h.store.getSecret('s')).rejects.toThrow(expect.objectContaining({ code: 'closed' }));
    await expect(h.store.grouped.putSecret('s', {})).rejects.toThrow(StoreError);
    await expect(h.store.listSecretPaths()).rejects.toThrow(StoreError);
  });
});
