// Root-key check (docs/design.md § Restore): match / mismatch / empty, strictly
// read-only, and a wrong key never changes anything on disk.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRootKey, KeyMismatchError, openSqliteStore, storeHoldsData } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';
import { sayingNothingOf } from '../../../helpers/expect.js';

const RIGHT = testKey(1);
const WRONG = testKey(2);

/** name -> sha256 of every file in the directory (absent directory: {}). */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

describe('checkRootKey', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()?.();
  });
  function dataDir(): string {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return join(t.dir, 'data');
  }
  function initialise(dir: string, fill: (s: ReturnType<typeof openSqliteStore>) => void = () => {}): void {
    const s = openSqliteStore({ dataDir: dir, rootKey: RIGHT, maxVersions: 10 });
    try {
      fill(s);
    } finally {
      s.close();
    }
  }

  it("is 'empty' for a missing store and creates nothing", () => {
    const dir = dataDir();
    expect(checkRootKey(dir, RIGHT)).toBe('empty');
    expect(storeHoldsData(dir)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("is 'empty' for a database with upstream's tables but no rows and no key-check value", () => {
    const dir = dataDir();
    initialise(dir);
    const db = new Database(join(dir, 'spike.db'));
    db.exec('DROP TABLE spike_ts_key_check');
    db.close();
    expect(checkRootKey(dir, WRONG)).toBe('empty');
    expect(storeHoldsData(dir)).toBe(false);
  });

  it("is 'match' / 'mismatch' against the key-check value written at first initialisation, even with no secrets", () => {
    const dir = dataDir();
    initialise(dir);
    expect(checkRootKey(dir, RIGHT)).toBe('match');
    expect(checkRootKey(dir, WRONG)).toBe('mismatch');
    expect(storeHoldsData(dir)).toBe(true);
  });

  it.each([
    ['secrets', (s: ReturnType<typeof openSqliteStore>) => s.putSecret('a', { k: 'v' }), 'DELETE FROM policies'],
    ['secret metadata only', (s: ReturnType<typeof openSqliteStore>) => s.putSecret('a', { k: 'v' }), 'DELETE FROM secrets'],
    [
      'policies',
      (s: ReturnType<typeof openSqliteStore>) => s.putPolicy({ name: 'p', spiffeIdPattern: 'x', pathPattern: 'y', permissions: ['read'] }),
      'DELETE FROM secrets',
    ],
  ])("without a key-check value (upstream data: %s) decides by decrypting a stored row", (_what, fill, extraSql) => {
    const dir = dataDir();
    initialise(dir, fill);
    const db = new Database(join(dir, 'spike.db'));
    db.exec(`DELETE FROM spike_ts_key_check; ${extraSql}`);
    db.close();
    expect(checkRootKey(dir, RIGHT)).toBe('match');
    expect(checkRootKey(dir, WRONG)).toBe('mismatch');
    expect(storeHoldsData(dir)).toBe(true);
    // Opening with the right key adopts the store and writes the key-check value.
    initialise(dir);
    const db2 = new Database(join(dir, 'spike.db'), { readonly: true });
    expect(db2.prepare('SELECT count(*) AS n FROM spike_ts_key_check').get()).toEqual({ n: 1 });
    db2.close();
  });

  it('a wrong key changes nothing on disk: neither checkRootKey nor openSqliteStore', () => {
    const dir = dataDir();
    initialise(dir, (s) => {
      s.putSecret('a', { k: 'v' });
      s.putPolicy({ name: 'p', spiffeIdPattern: 'x', pathPattern: 'y', permissions: ['read'] });
    });
    const before = snapshot(dir);
    expect(Object.keys(before)).toContain('spike.db');
    expect(checkRootKey(dir, WRONG)).toBe('mismatch');
    expect(() => openSqliteStore({ dataDir: dir, rootKey: WRONG, maxVersions: 10 })).toThrow(KeyMismatchError);
    expect(snapshot(dir)).toEqual(before);
    // And the right key still opens everything.
    const s = openSqliteStore({ dataDir: dir, rootKey: RIGHT, maxVersions: 10 });
    expect(s.getSecret('a')).toEqual({ k: 'v' });
    s.close();
  });

  it('a wrong key is refused for upstream-only data too, without writing', () => {
    const dir = dataDir();
    initialise(dir, (s) => s.putSecret('a', { k: 'v' }));
    const db = new Database(join(dir, 'spike.db'));
    db.exec('DROP TABLE spike_ts_key_check');
    db.close();
    const before = snapshot(dir);
    expect(() => openSqliteStore({ dataDir: dir, rootKey: WRONG, maxVersions: 10 })).toThrow(KeyMismatchError);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a candidate key that is not 32 bytes', () => {
    const dir = dataDir();
    initialise(dir);
    expect(() => checkRootKey(dir, Buffer.alloc(16, 1))).toThrow(expect.objectContaining({ name: 'StoreError', code: 'invalid_input' }));
  });

  it('the key-check error says nothing about the key', () => {
    const dir = dataDir();
    initialise(dir);
    const open = () => openSqliteStore({ dataDir: dir, rootKey: WRONG, maxVersions: 10 });
    expect(open).toThrow(KeyMismatchError);
    expect(open).toThrow(sayingNothingOf(WRONG.toString('hex'), RIGHT.toString('hex')));
  });

  it('a file that is not a database gives a StoreError, not a crash', async () => {
    const dir = dataDir();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'spike.db'), 'this is not sqlite at all, just some text padding it out a bit more');
    expect(() => checkRootKey(dir, RIGHT)).toThrow(expect.objectContaining({ name: 'StoreError', code: 'io' }));
    expect(() => openSqliteStore({ dataDir: dir, rootKey: RIGHT, maxVersions: 1 })).toThrow(expect.objectContaining({ name: 'StoreError' }));
  });
});
