// What a copy of spike.db gives an attacker without the root key
// (docs/security.md § A copy of the database): the secret values, policy
// patterns and metadata are sealed; paths, policy names, version numbers and
// row times are not; and, as upstream, nothing binds a sealed value to its
// path, so someone who can WRITE the file can move a value to another path.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function storeDir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('a copy of spike.db without the root key', () => {
  it('shows paths, policy names and version numbers in clear, never values or patterns', () => {
    const dir = storeDir();
    const s = openSqliteStore({ dataDir: dir, rootKey: testKey(), maxVersions: 3 });
    s.putSecret('apps/db/visible-path', { user: 'admin-value-hidden' });
    s.putPolicy({ name: 'visible-policy-name', spiffeIdPattern: '^spiffe://td/hidden-pattern$', pathPattern: '^apps/hidden$', permissions: ['read'] });
    s.close();
    const db = new Database(join(dir, 'spike.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT path, version FROM secrets').all()).toEqual([{ path: 'apps/db/visible-path', version: 1 }]);
      expect(db.prepare('SELECT name FROM policies').all()).toEqual([{ name: 'visible-policy-name' }]);
      const dump = JSON.stringify(db.prepare('SELECT * FROM secrets').all()) + JSON.stringify(db.prepare('SELECT * FROM policies').all());
      expect(dump).not.toContain('admin-value-hidden');
      expect(dump).not.toContain('hidden-pattern');
    } finally {
      db.close();
    }
  });

  it('with write access, a sealed value moved to another path reads back there (no binding to the path, as upstream)', () => {
    const dir = storeDir();
    const key = testKey();
    const s = openSqliteStore({ dataDir: dir, rootKey: key, maxVersions: 3 });
    s.putSecret('apps/a', { v: 'value-of-a' });
    s.putSecret('apps/b', { v: 'value-of-b' });
    s.close();
    const db = new Database(join(dir, 'spike.db'));
    try {
      const b = db.prepare("SELECT nonce, encrypted_data FROM secrets WHERE path = 'apps/b'").get() as { nonce: Buffer; encrypted_data: Buffer };
      db.prepare("UPDATE secrets SET nonce = ?, encrypted_data = ? WHERE path = 'apps/a'").run(b.nonce, b.encrypted_data);
    } finally {
      db.close();
    }
    const again = openSqliteStore({ dataDir: dir, rootKey: key, maxVersions: 3 });
    try {
      expect(again.getSecret('apps/a')).toEqual({ v: 'value-of-b' });
    } finally {
      again.close();
    }
  });
});
