// SQLite backend specifics: location, modes, pragmas, upstream's schema and
// encryption layout, encryption really applied, reading upstream-written rows.
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, StoreError, type SecretStore } from '../../../../src/nexus/store/index.js';
import { openConnection } from '../../../../src/nexus/store/sqlite/connection.js';
import { steppingClock, tempDir, testKey } from './helpers.js';

function goSeal(key: Uint8Array, nonce: Uint8Array, text: string): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([c.update(Buffer.from(text, 'utf8')), c.final(), c.getAuthTag()]);
}

function xor(a: Buffer, salt: string): Buffer {
  const s = Buffer.from(salt, 'ascii');
  return Buffer.from(a.map((b, i) => b ^ (s[i] ?? 0)));
}

describe('openSqliteStore', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()?.();
  });
  function setup(): { dataDir: string; open: (key?: Buffer) => SecretStore } {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'nested', 'data');
    return {
      dataDir,
      open: (key = testKey()) => {
        const s = openSqliteStore({ dataDir, rootKey: key, maxVersions: 10, now: steppingClock().now });
        cleanups.unshift(() => s.close());
        return s;
      },
    };
  }

  it('creates <dataDir>/spike.db with a 0700 directory and a 0600 file, in WAL mode with synchronous=FULL', () => {
    const { dataDir, open } = setup();
    open().putSecret('a', { k: 'v' });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const file = join(dataDir, 'spike.db');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('its connection runs WAL, synchronous=FULL and a busy timeout', () => {
    const { dataDir, open } = setup();
    open().close();
    const db = openConnection(join(dataDir, 'spike.db'), 1234);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      db.close();
    }
  });

  it('has upstream tables and columns, with the metadata and policy fields encrypted', () => {
    const { dataDir, open } = setup();
    const s = open();
    s.putSecret('app/x', { user: 'alice' });
    s.putPolicy({ name: 'p1', spiffeIdPattern: '^spiffe://spike.ist/w$', pathPattern: '^app/.*$', permissions: ['read', 'write'] });
    s.close();
    const db = new Database(join(dataDir, 'spike.db'), { readonly: true });
    try {
      const cols = (t: string) => (db.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name);
      expect(cols('secrets')).toEqual(['path', 'version', 'nonce', 'encrypted_data', 'created_time', 'deleted_time']);
      expect(cols('secret_metadata')).toEqual([
        'path',
        'nonce',
        'encrypted_current_version',
        'encrypted_oldest_version',
        'encrypted_created_time',
        'encrypted_updated_time',
        'encrypted_max_versions',
      ]);
      expect(cols('policies')).toEqual([
        'name',
        'nonce',
        'encrypted_spiffe_id_pattern',
        'encrypted_path_pattern',
        'encrypted_permissions',
        'created_time',
        'updated_time',
      ]);
      const row = db.prepare('SELECT version, nonce, encrypted_data, created_time, deleted_time FROM secrets').get() as {
        version: number;
        nonce: Buffer;
        encrypted_data: Buffer;
        created_time: string;
        deleted_time: null;
      };
      expect(row.version).toBe(1);
      expect(row.nonce.length).toBe(12);
      // Go's Seal layout: ciphertext of the JSON map followed by the 16-byte tag.
      expect(row.encrypted_data).toEqual(goSeal(testKey(), row.nonce, '{"user":"alice"}'));
      expect(row.created_time).toBe('2026-01-02 03:04:05+00:00');
      expect(row.deleted_time).toBeNull();

      const md = db.prepare('SELECT * FROM secret_metadata').get() as Record<string, Buffer>;
      const base = md['nonce'] as Buffer;
      expect(md['encrypted_current_version']).toEqual(goSeal(testKey(), xor(base, 'current_ver_'), '1'));
      expect(md['encrypted_max_versions']).toEqual(goSeal(testKey(), xor(base, 'max_versions'), '10'));
      expect(md['encrypted_created_time']).toEqual(goSeal(testKey(), xor(base, 'created_tim_'), String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000)));

      const pol = db.prepare('SELECT * FROM policies').get() as Record<string, Buffer | number>;
      expect(typeof pol['created_time']).toBe('number');
      expect(pol['encrypted_permissions']).toEqual(goSeal(testKey(), xor(pol['nonce'] as Buffer, 'permissions_'), 'read,write'));
    } finally {
      db.close();
    }
  });

  it('never writes plaintext secret values or policy patterns to disk', () => {
    const { dataDir, open } = setup();
    const marker = `plain-${randomBytes(8).toString('hex')}`;
    const s = open();
    s.putSecret('app/secret', { password: marker });
    s.putPolicy({ name: 'pol', spiffeIdPattern: `^spiffe://spike.ist/${marker}$`, pathPattern: `^${marker}$`, permissions: ['read'] });
    const files = () => ['spike.db', 'spike.db-wal'].map((f) => join(dataDir, f)).filter(existsSync);
    const scan = () => {
      for (const f of files()) expect(readFileSync(f).includes(marker), f).toBe(false);
    };
    scan(); // while open (WAL holds the recent writes)
    s.close();
    scan(); // after checkpoint
    expect(files().length).toBeGreaterThan(0);
    // And the data really is there: read back.
    expect(open().getSecret('app/secret')).toEqual({ password: marker });
  });

  it('reads upstream-written rows: policies with one shared nonce, Go time strings with zone offsets', () => {
    const { dataDir, open } = setup();
    open().close(); // schema + key-check value
    const key = testKey();
    const db = new Database(join(dataDir, 'spike.db'));
    try {
      const nonce = randomBytes(12);
      db.prepare('INSERT INTO policies VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        'legacy',
        nonce,
        goSeal(key, nonce, '^spiffe://spike.ist/old$'),
        goSeal(key, nonce, '^old/.*$'),
        goSeal(key, nonce, 'read,list'),
        1700000000,
        1700000100,
      );
      const mdNonce = randomBytes(12);
      db.prepare('INSERT INTO secret_metadata VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        'old/path',
        mdNonce,
        goSeal(key, xor(mdNonce, 'current_ver_'), '2'),
        goSeal(key, xor(mdNonce, 'oldest_ver__'), '1'),
        goSeal(key, xor(mdNonce, 'created_tim_'), '1700000000'),
        goSeal(key, xor(mdNonce, 'updated_tim_'), '1700000050'),
        goSeal(key, xor(mdNonce, 'max_versions'), '10'),
      );
      const ins = db.prepare('INSERT INTO secrets VALUES (?, ?, ?, ?, ?, ?)');
      for (const [v, t] of [
        [1, '2023-11-14 14:13:20.123456789-07:00'],
        [2, '2023-11-14 21:14:00+00:00'],
      ] as const) {
        const n = randomBytes(12);
        ins.run('old/path', v, n, goSeal(key, n, JSON.stringify({ v: String(v) })), t, null);
      }
    } finally {
      db.close();
    }
    const s = open();
    expect(s.getPolicy('legacy')).toEqual({
      name: 'legacy',
      spiffeIdPattern: '^spiffe://spike.ist/old$',
      pathPattern: '^old/.*$',
      permissions: ['read', 'list'],
      createdAt: new Date(1700000000 * 1000),
      updatedAt: new Date(1700000100 * 1000),
    });
    const md = s.getSecretMetadata('old/path');
    expect([...md.versions.keys()]).toEqual([1, 2]);
    expect(md.versions.get(1)?.createdTime).toEqual(new Date('2023-11-14T21:13:20.123Z'));
    expect(md.metadata).toMatchObject({ currentVersion: 2, oldestVersion: 1, maxVersions: 10 });
    expect(s.getSecret('old/path', 1)).toEqual({ v: '1' });
    // Our next write re-encrypts the policy with per-field nonces; it still reads back.
    s.putPolicy({ name: 'legacy', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    expect(s.getPolicy('legacy').createdAt).toEqual(new Date(1700000000 * 1000));
  });

  it('refuses a corrupted row with a StoreError that carries no data', () => {
    const { dataDir, open } = setup();
    const s = open();
    s.putSecret('p', { k: 'topsecret' });
    s.close();
    const db = new Database(join(dataDir, 'spike.db'));
    db.prepare("UPDATE secrets SET encrypted_data = X'00112233445566778899aabbccddeeff0011'").run();
    db.close();
    const s2 = open();
    let err: unknown;
    try {
      s2.getSecret('p');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('integrity');
    expect(String((err as Error).message)).not.toContain('topsecret');
    // Other operations keep working.
    expect(s2.listSecretPaths()).toEqual(['p']);
  });

  it('rejects bad keys and options before touching the disk', () => {
    const { dataDir } = setup();
    expect(() => openSqliteStore({ dataDir, rootKey: Buffer.alloc(31, 1), maxVersions: 10 })).toThrow(StoreError);
    expect(() => openSqliteStore({ dataDir, rootKey: Buffer.alloc(32), maxVersions: 10 })).toThrow(/all zero/);
    expect(() => openSqliteStore({ dataDir, rootKey: testKey(), maxVersions: 0 })).toThrow(StoreError);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('keeps its own copy of the root key: the caller may zero its buffer', () => {
    const { open } = setup();
    const key = testKey();
    const s = open(key);
    key.fill(0);
    s.putSecret('a', { k: 'v' });
    expect(s.getSecret('a')).toEqual({ k: 'v' });
  });

  it('fails with a StoreError, not a crash, when the data dir cannot be created', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const s = openSqliteStore({ dataDir: join(t.dir, 'd'), rootKey: testKey(), maxVersions: 1 });
    s.close();
    expect(() => openSqliteStore({ dataDir: join(t.dir, 'd', 'spike.db', 'x'), rootKey: testKey(), maxVersions: 1 })).toThrow(StoreError);
  });
});
