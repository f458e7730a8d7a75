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
      // Policy names too.
      for (const n of ['__proto__', 'constructor']) s.putPolicy({ name: n, spiffeIdPattern: '^spiffe://td/x$', pathPattern: '^apps/', permissions: ['read'] });
      expect(s.getPolicy('__proto__').name).toBe('__proto__');
      expect(s.listPolicies().map((p) => p.name)).toEqual(['__proto__', 'constructor']);
      expect(s.deletePolicy('constructor')).toBe(true);
      expect(s.listPolicies().map((p) => p.name)).toEqual(['__proto__']);
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

  it('policies named __proto__ and constructor: put, get, list, delete (memory store and HTTP)', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    const P = '/v1/acl/policy';
    for (const name of ['__proto__', 'constructor']) {
      const body = JSON.stringify({ name, spiffeidPattern: '^spiffe://spike\\.ist/workload/x$', pathPattern: '^apps/', permissions: ['read'] });
      expect((await h.post(P, body, IDS.superuser)).status).toBe(200);
    }
    const got = JSON.parse((await h.post(`${P}?action=get`, '{"id":"__proto__"}', IDS.superuser)).body) as { name: string };
    expect(got.name).toBe('__proto__');
    const list = JSON.parse((await h.post(`${P}?action=list`, '{}', IDS.superuser)).body) as { policies: { name: string }[] };
    expect(list.policies.map((p) => p.name)).toEqual(['__proto__', 'constructor']);
    expect((await h.post(`${P}?action=delete`, '{"id":"__proto__"}', IDS.superuser)).status).toBe(200);
    expect((await h.post(`${P}?action=get`, '{"id":"__proto__"}', IDS.superuser)).status).toBe(404);
  });
});
