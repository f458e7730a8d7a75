// The SecretStore contract, run against both backends: upstream versioning
// semantics (upstream state/base/secret.go) with our documented fixes.
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError, type SecretStore } from '../../../../src/nexus/store/index.js';
import { BACKENDS, steppingClock, type Harness } from './helpers.js';

function versionsOf(s: SecretStore, path: string): Record<number, boolean> {
  // version -> deleted?
  const out: Record<number, boolean> = {};
  const md = s.getSecretMetadata(path, anyLiveVersion(s, path));
  for (const [n, v] of md.versions) out[n] = v.deletedTime !== null;
  return out;
}

function anyLiveVersion(s: SecretStore, path: string): number {
  // getSecretMetadata requires a readable version; current is enough when there is one.
  return s.getSecretMetadata(path).metadata.currentVersion;
}

describe.each(BACKENDS)('SecretStore ($name)', (backend) => {
  let h: Harness;
  afterEach(() => h?.dispose());

  /** The live store, then the same store reopened from disk (SQLite). */
  function* nowAndAfterReopen(): Generator<SecretStore> {
    yield h.store;
    yield h.reopen();
  }

  function make(maxVersions = 10, clock = steppingClock()): Harness {
    h = backend.make({ maxVersions, now: clock.now });
    return h;
  }

  it('puts versions starting at 1 and reads current and specific versions, after reopen too', () => {
    make();
    expect(h.store.putSecret('app/db', { user: 'admin', pass: 'one' })).toBe(1);
    expect(h.store.putSecret('app/db', { pass: 'two' })).toBe(2);
    for (const s of nowAndAfterReopen()) {
      expect(s.getSecret('app/db')).toEqual({ pass: 'two' });
      expect(s.getSecret('app/db', 0)).toEqual({ pass: 'two' });
      expect(s.getSecret('app/db', 1)).toEqual({ user: 'admin', pass: 'one' });
      expect(() => s.getSecret('app/db', 3)).toThrow(NotFoundError);
      expect(() => s.getSecret('nope')).toThrow(NotFoundError);
    }
  });

  it('returns metadata with real version numbers and times, after reopen too', () => {
    const clock = steppingClock();
    make(10, clock);
    h.store.putSecret('p', { a: '1' }); // t0
    h.store.putSecret('p', { a: '2' }); // t0+1s
    for (const s of nowAndAfterReopen()) {
      const md = s.getSecretMetadata('p');
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

  it('prunes the lowest versions beyond maxVersions, and they never come back', () => {
    make(3);
    for (let i = 1; i <= 5; i++) expect(h.store.putSecret('s', { v: String(i) })).toBe(i);
    for (const s of nowAndAfterReopen()) {
      const md = s.getSecretMetadata('s');
      expect([...md.versions.keys()]).toEqual([3, 4, 5]);
      expect(md.metadata.oldestVersion).toBe(3);
      expect(md.metadata.currentVersion).toBe(5);
      expect(() => s.getSecret('s', 1)).toThrow(NotFoundError);
      expect(() => s.getSecret('s', 2)).toThrow(NotFoundError);
      expect(s.getSecret('s', 3)).toEqual({ v: '3' });
    }
    expect(h.reopen().putSecret('s', { v: '6' })).toBe(6);
    expect([...h.reopen().getSecretMetadata('s').versions.keys()]).toEqual([4, 5, 6]);
  });

  it('soft-deletes the current version: current moves to the highest live one', () => {
    const clock = steppingClock();
    make(10, clock);
    for (let i = 1; i <= 3; i++) h.store.putSecret('s', { v: String(i) });
    h.store.deleteSecretVersions('s', []);
    for (const s of nowAndAfterReopen()) {
      expect(() => s.getSecret('s', 3)).toThrow(NotFoundError);
      expect(s.getSecret('s')).toEqual({ v: '2' });
      const md = s.getSecretMetadata('s');
      expect(md.metadata.currentVersion).toBe(2);
      expect(md.metadata.oldestVersion).toBe(1);
      expect(md.versions.get(3)?.deletedTime).toEqual(new Date(Date.UTC(2026, 0, 2, 3, 4, 8)));
      expect(md.metadata.updatedTime).toEqual(new Date(Date.UTC(2026, 0, 2, 3, 4, 8)));
    }
    // Version 0 means current; deleting a lower version recomputes oldest only.
    h.store.deleteSecretVersions('s', [1]);
    expect(h.store.getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
    h.store.deleteSecretVersions('s', [0]);
    h.reopen();
    expect(() => h.store.getSecret('s')).toThrow(NotFoundError);
    expect(() => h.store.getSecretMetadata('s')).toThrow(NotFoundError);
  });

  it('deleting everything leaves current and oldest at 0; the path is still listed', () => {
    make();
    h.store.putSecret('s', { v: '1' });
    h.store.putSecret('s', { v: '2' });
    h.store.deleteSecretVersions('s', [1, 2]);
    const s = h.reopen();
    expect(() => s.getSecret('s')).toThrow(NotFoundError);
    expect(() => s.getSecretMetadata('s')).toThrow(NotFoundError);
    expect(s.listSecretPaths()).toEqual(['s']);
    // Undelete of [0] while current is 0 undeletes nothing: 404 (what the CLI default does upstream).
    expect(() => s.undeleteSecretVersions('s', [0])).toThrow(NotFoundError);
    // Undelete of [] picks the highest deleted version.
    s.undeleteSecretVersions('s', []);
    expect(s.getSecret('s')).toEqual({ v: '2' });
    expect(s.getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
  });

  it('undeletes specific versions; current moves up only when a higher version comes back', () => {
    make();
    for (let i = 1; i <= 3; i++) h.store.putSecret('s', { v: String(i) });
    h.store.deleteSecretVersions('s', [1, 3]);
    expect(h.store.getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
    h.store.undeleteSecretVersions('s', [1]);
    expect(h.reopen().getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 2, oldestVersion: 1 });
    expect(h.store.getSecret('s', 1)).toEqual({ v: '1' });
    h.store.undeleteSecretVersions('s', [3]);
    expect(h.reopen().getSecret('s')).toEqual({ v: '3' });
    // Nothing deleted any more: nothing to undelete.
    expect(() => h.store.undeleteSecretVersions('s', [1, 2, 3])).toThrow(NotFoundError);
    expect(() => h.store.undeleteSecretVersions('s', [])).toThrow(NotFoundError);
  });

  it('metadata of a deleted version is 404 but lists deleted versions', () => {
    make();
    h.store.putSecret('s', { v: '1' });
    h.store.putSecret('s', { v: '2' });
    h.store.deleteSecretVersions('s', [1]);
    expect(() => h.store.getSecretMetadata('s', 1)).toThrow(NotFoundError);
    const md = h.store.getSecretMetadata('s', 2);
    expect(versionsOf(h.store, 's')).toEqual({ 1: true, 2: false });
    expect(md.versions.size).toBe(2);
  });

  it('a put after deleting the current version gets a fresh number and keeps the deleted one undeletable', () => {
    make();
    for (let i = 1; i <= 3; i++) h.store.putSecret('s', { v: String(i) });
    h.store.deleteSecretVersions('s', [3]);
    expect(h.store.putSecret('s', { v: '4' })).toBe(4);
    const s = h.reopen();
    s.undeleteSecretVersions('s', [3]);
    expect(s.getSecret('s', 3)).toEqual({ v: '3' });
    expect(s.getSecret('s')).toEqual({ v: '4' });
  });

  it('a put after deleting everything is live and oldest follows it', () => {
    make();
    h.store.putSecret('s', { v: '1' });
    h.store.deleteSecretVersions('s', [1]);
    expect(h.store.putSecret('s', { v: '2' })).toBe(2);
    expect(h.reopen().getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2 });
  });

  it('delete/undelete on a missing path is NotFound; unknown and odd versions are ignored', () => {
    make();
    expect(() => h.store.deleteSecretVersions('missing', [])).toThrow(NotFoundError);
    expect(() => h.store.undeleteSecretVersions('missing', [])).toThrow(NotFoundError);
    h.store.putSecret('s', { v: '1' });
    h.store.deleteSecretVersions('s', [-1, 99, Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, Number.NaN, Infinity]);
    expect(h.reopen().getSecret('s')).toEqual({ v: '1' });
    for (const v of [-1, 2 ** 60, 1.5, Number.NaN]) {
      expect(() => h.store.getSecret('s', v)).toThrow(NotFoundError);
    }
    expect(() => h.store.undeleteSecretVersions('s', [-5, 2 ** 70])).toThrow(NotFoundError);
    expect(h.store.getSecretMetadata('s').metadata).toMatchObject({ currentVersion: 1, oldestVersion: 1 });
  });

  it('stores empty maps and values with any characters', () => {
    make();
    h.store.putSecret('empty', {});
    const odd = { 'we ird': 'ünïcødé 🔑 "quotes" \\ \n\u0000', k: '' };
    h.store.putSecret('odd', odd);
    const s = h.reopen();
    expect(s.getSecret('empty')).toEqual({});
    expect(s.getSecret('odd')).toEqual(odd);
  });

  it('refuses what it cannot store faithfully, without changing anything', () => {
    make();
    h.store.putSecret('s', { v: '1' });
    const bad = { v: 5 } as unknown as Record<string, string>;
    expect(() => h.store.putSecret('s', bad)).toThrow(StoreError);
    expect(() => h.store.putSecret('', { v: '1' })).toThrow(StoreError);
    expect(() => h.store.putSecret('s', null as unknown as Record<string, string>)).toThrow(StoreError);
    expect(() => h.store.deleteSecretVersions('s', ['1'] as unknown as number[])).toThrow(StoreError);
    expect(h.reopen().getSecretMetadata('s').metadata.currentVersion).toBe(1);
    expect(h.store.listSecretPaths()).toEqual(['s']);
  });

  it('lists every path sorted bytewise, deleted secrets included', () => {
    make();
    for (const p of ['b/x', 'a', 'B', 'a/b', 'a-b', 'é', 'z']) h.store.putSecret(p, { v: p });
    h.store.deleteSecretVersions('z', []);
    expect(h.reopen().listSecretPaths()).toEqual(['B', 'a', 'a-b', 'a/b', 'b/x', 'z', 'é']);
  });

  it('lists nothing when empty', () => {
    make();
    expect(h.store.listSecretPaths()).toEqual([]);
    expect(h.store.listPolicies()).toEqual([]);
  });

  it('policies: create, read, update keeping createdAt, list sorted, delete', () => {
    const clock = steppingClock();
    make(10, clock);
    const input = { name: 'web', spiffeIdPattern: '^spiffe://spike.ist/web/.*$', pathPattern: '^secrets/web/.*$', permissions: ['read', 'list'] };
    const created = h.store.putPolicy(input);
    expect(created).toMatchObject(input);
    expect(created.createdAt).toEqual(created.updatedAt);
    h.store.putPolicy({ name: 'admin', spiffeIdPattern: '^spiffe://spike.ist/admin$', pathPattern: '.*', permissions: ['super'] });
    const updated = h.store.putPolicy({ ...input, permissions: ['read', 'write'] });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    const s = h.reopen();
    expect(s.getPolicy('web')).toEqual({ ...input, permissions: ['read', 'write'], createdAt: created.createdAt, updatedAt: updated.updatedAt });
    expect(s.listPolicies().map((p) => p.name)).toEqual(['admin', 'web']);
    expect(() => s.getPolicy('nope')).toThrow(NotFoundError);
    expect(s.deletePolicy('nope')).toBe(false);
    expect(s.deletePolicy('web')).toBe(true);
    expect(h.reopen().listPolicies().map((p) => p.name)).toEqual(['admin']);
    expect(() => h.store.getPolicy('web')).toThrow(NotFoundError);
  });

  it('policies: refuses empty names and commas inside permissions', () => {
    make();
    expect(() => h.store.putPolicy({ name: '', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] })).toThrow(StoreError);
    expect(() => h.store.putPolicy({ name: 'x', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read,write'] })).toThrow(StoreError);
    expect(h.store.listPolicies()).toEqual([]);
  });

  it('returned objects are copies: mutating them changes nothing stored', () => {
    make();
    h.store.putSecret('s', { v: '1' });
    const got = h.store.getSecret('s');
    got['v'] = 'mutated';
    expect(h.store.getSecret('s')).toEqual({ v: '1' });
    const p = h.store.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    (p.permissions as string[]).push('write');
    expect(h.store.getPolicy('p').permissions).toEqual(['read']);
    const md = h.store.getSecretMetadata('s');
    const created = md.metadata.createdTime.getTime();
    md.metadata.createdTime.setTime(0);
    md.versions.get(1)?.createdTime.setTime(0);
    expect(h.store.getSecretMetadata('s').metadata.createdTime.getTime()).toBe(created);
    expect(h.store.getSecretMetadata('s').versions.get(1)?.createdTime.getTime()).toBe(created);
  });

  it('a closed store refuses every call; close is idempotent', () => {
    make();
    h.store.close();
    h.store.close();
    expect(() => h.store.getSecret('s')).toThrow(expect.objectContaining({ code: 'closed' }));
    expect(() => h.store.putSecret('s', {})).toThrow(StoreError);
    expect(() => h.store.listSecretPaths()).toThrow(StoreError);
  });
});
