// The get path (SecretStore.getSecret): a read snapshot that takes no write
// lock, reads the current version and the one needed row only, and keeps the
// same answers and integrity checks as the full header path.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError, openSqliteStore, type SecretStore } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open(): { store: SecretStore; file: string } {
  const t = tempDir();
  const store = openSqliteStore({ dataDir: t.dir, rootKey: testKey(), maxVersions: 10, busyTimeoutMs: 50 });
  cleanups.push(t.cleanup, () => store.close());
  return { store, file: join(t.dir, 'spike.db') };
}

describe('getSecret read path (SQLite)', () => {
  it('reads while another connection holds the write lock (no write transaction for a read)', () => {
    const { store, file } = open();
    store.putSecret('a/b', { k: 'v1' });
    const other = new Database(file);
    cleanups.push(() => other.close());
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(store.getSecret('a/b')).toEqual({ k: 'v1' });
      // A write still waits for the lock (and gives up after busyTimeoutMs): the lock was real.
      expect(() => store.putSecret('a/b', { k: 'v2' })).toThrow();
    } finally {
      other.exec('ROLLBACK');
    }
  });

  it('same answers as the header path: current, explicit, deleted, missing', () => {
    const { store } = open();
    for (let i = 1; i <= 3; i++) store.putSecret('p', { n: String(i) });
    expect(store.getSecret('p')).toEqual({ n: '3' });
    expect(store.getSecret('p', 1)).toEqual({ n: '1' });
    store.deleteSecretVersions('p', [3]);
    expect(store.getSecret('p')).toEqual({ n: '2' }); // upstream: the current version moves back to the newest live one
    expect(() => store.getSecret('p', 3)).toThrow(/deleted/);
    expect(() => store.getSecret('p', 9)).toThrow(NotFoundError);
    expect(() => store.getSecret('p', -1)).toThrow(NotFoundError);
    expect(() => store.getSecret('p', 1.5)).toThrow(NotFoundError);
    expect(() => store.getSecret('nope')).toThrow(NotFoundError);
    store.undeleteSecretVersions('p', [3]);
    expect(store.getSecret('p')).toEqual({ n: '3' });
  });

  it('a read after every kind of write sees that write (the cached current version is dropped on write)', () => {
    const t = tempDir();
    const store = openSqliteStore({ dataDir: t.dir, rootKey: testKey(), maxVersions: 2 });
    cleanups.push(t.cleanup, () => store.close());
    store.putSecret('c', { v: '1' });
    expect(store.getSecret('c')).toEqual({ v: '1' });
    store.putSecret('c', { v: '2' });
    expect(store.getSecret('c')).toEqual({ v: '2' });
    store.deleteSecretVersions('c', [2]);
    expect(store.getSecret('c')).toEqual({ v: '1' });
    store.undeleteSecretVersions('c', [2]);
    expect(store.getSecret('c')).toEqual({ v: '2' });
    store.putSecret('c', { v: '3' }); // prunes version 1 (maxVersions 2)
    expect(store.getSecret('c')).toEqual({ v: '3' });
    expect(() => store.getSecret('c', 1)).toThrow(NotFoundError);
    expect(store.getSecret('c', 2)).toEqual({ v: '2' });
    store.deleteSecretVersions('c', [2, 3]);
    expect(() => store.getSecret('c')).toThrow(NotFoundError);
    // And a fresh store on the same file agrees (nothing was only in memory).
    store.close();
    const again = openSqliteStore({ dataDir: t.dir, rootKey: testKey(), maxVersions: 2 });
    cleanups.push(() => again.close());
    expect(() => again.getSecret('c')).toThrow(NotFoundError);
    again.undeleteSecretVersions('c', [3]);
    expect(again.getSecret('c')).toEqual({ v: '3' });
  });

  it('a current version whose row is gone is an integrity failure, not "not found"', () => {
    const { store, file } = open();
    store.putSecret('x', { a: 'b' });
    const other = new Database(file);
    cleanups.push(() => other.close());
    other.prepare("DELETE FROM secrets WHERE path = 'x'").run();
    const err = (() => {
      try {
        store.getSecret('x');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('integrity');
  });

  it('a tampered current-version field fails to decrypt (integrity)', () => {
    const { store, file } = open();
    store.putSecret('x', { a: 'b' });
    const other = new Database(file);
    cleanups.push(() => other.close());
    other.prepare("UPDATE secret_metadata SET encrypted_current_version = x'00112233445566778899aabbccddeeff00' WHERE path = 'x'").run();
    expect(() => store.getSecret('x')).toThrow(expect.objectContaining({ code: 'integrity' }) as unknown as Error);
  });
});
