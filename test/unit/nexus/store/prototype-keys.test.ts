// Secret keys named after Object.prototype members are stored and read back
// like any other key, by both backends, through the sealed row format, and
// through Nexus's HTTP routes.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryStore, openSqliteStore, type SecretStore } from '../../../../src/nexus/store/index.js';
import { openSecretValues, sealSecretValues } from '../../../../src/nexus/store/sqlite/rows.js';
import { IDS, keyOf, makeHarness, type Harness } from '../fixtures.js';
import { tempDir, testKey } from './helpers.js';

const KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];

function values(): Record<string, string> {
  const v: Record<string, string> = Object.create(null) as Record<string, string>;
  KEYS.forEach((k, i) => (v[k] = `v${i}`));
  return v;
}

function expectAllKeys(got: Readonly<Record<string, string>>): void {
  expect(Object.keys(got).sort()).toEqual([...KEYS].sort());
  KEYS.forEach((k, i) => {
    expect(Object.hasOwn(got, k)).toBe(true);
    expect(got[k]).toBe(`v${i}`);
  });
}

const cleanups: (() => void)[] = [];
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) c();
});

describe('prototype-named secret keys', () => {
  it('seal/open of a secret row keeps them (a JSON object with own keys, not a prototype)', () => {
    const key = testKey();
    const sealed = sealSecretValues(key, values());
    expectAllKeys(openSecretValues(key, sealed.nonce, sealed.data));
  });

  const backends: [string, () => SecretStore][] = [
    ['memory', () => openMemoryStore({ maxVersions: 3 })],
    [
      'sqlite',
      () => {
        const t = tempDir();
        cleanups.push(t.cleanup);
        return openSqliteStore({ dataDir: t.dir, rootKey: testKey(), maxVersions: 3 });
      },
    ],
  ];
  for (const [name, open] of backends) {
    it(`${name} store: put, get current and older versions`, () => {
      const s = open();
      expect(s.putSecret('p', values())).toBe(1);
      expectAllKeys(s.getSecret('p'));
      s.putSecret('p', { other: 'x' });
      expectAllKeys(s.getSecret('p', 1));
      // What the store hands out is a copy the caller may change.
      const got = s.getSecret('p', 1);
      got['__proto__'] = 'changed';
      expect(s.getSecret('p', 1)['__proto__']).toBe('v0');
      s.close();
    });
  }

  it('Nexus put then get over HTTP answers every key (Go byte order)', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    const put = await h.post('/v1/store/secrets', '{"path":"p","values":{"__proto__":"a","constructor":"b","prototype":"c"}}', IDS.superuser);
    expect(put.status).toBe(200);
    const got = await h.post('/v1/store/secrets?action=get', '{"path":"p"}', IDS.superuser);
    expect(got.body).toBe('{"data":{"__proto__":"a","constructor":"b","prototype":"c"}}');
  });
});
