import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const S = '/v1/store/secrets';

describe('secret put/get (superuser only for now)', () => {
  it('puts and gets the current and a given version; values never logged', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    expect((await h.post(S, JSON.stringify({ path: 'app/db', values: { user: 'admin', pass: 's3cr3t<&>' } }), IDS.superuser)).body).toBe('{}');
    await h.post(S, JSON.stringify({ path: 'app/db', values: { pass: 'v2' } }), IDS.superuser);
    const cur = await h.post(`${S}?action=get`, JSON.stringify({ path: 'app/db' }), IDS.superuser);
    expect(cur.status).toBe(200);
    expect(cur.body).toBe('{"data":{"pass":"v2"}}');
    const v1 = await h.post(`${S}?action=get`, JSON.stringify({ path: 'app/db', version: 1 }), IDS.superuser);
    expect(v1.body).toBe('{"data":{"pass":"s3cr3t\\u003c\\u0026\\u003e","user":"admin"}}');
    const logs = JSON.stringify([...h.logs.lines, ...h.logs.audits]);
    expect(logs).not.toContain('s3cr3t');
  });

  it('404 with {"data":null,"err":"api_not_found"} for a missing path or version', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    const r = await h.post(`${S}?action=get`, JSON.stringify({ path: 'nope' }), IDS.superuser);
    expect(r.status).toBe(404);
    expect(r.body).toBe('{"data":null,"err":"api_not_found"}');
    await h.post(S, JSON.stringify({ path: 'a', values: { k: 'v' } }), IDS.superuser);
    expect((await h.post(`${S}?action=get`, JSON.stringify({ path: 'a', version: 7 }), IDS.superuser)).status).toBe(404);
  });

  it('validates paths and key names; refuses non-superusers', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    for (const b of [{ path: '', values: {} }, { path: 'a b', values: {} }, { path: 'x'.repeat(501), values: {} }, { path: 'a', values: { 'bad!': 'v' } }, { path: 'a', values: { ['k'.repeat(251)]: 'v' } }]) {
      const r = await h.post(S, JSON.stringify(b), IDS.superuser);
      expect(r.status).toBe(400);
      expect(r.body).toBe('{"err":"api_bad_request"}');
    }
    for (const b of ['', '[]', '{"path":1}', '{"path":"a","values":{"k":1}}']) {
      expect((await h.post(S, b, IDS.superuser)).status).toBe(400);
    }
    const get400 = await h.post(`${S}?action=get`, '{"path":"a b"}', IDS.superuser);
    expect(get400.body).toBe('{"data":null,"err":"api_bad_request"}');
    for (const id of [IDS.recover, IDS.restore, IDS.bootstrap, undefined]) {
      const p = await h.post(S, '{"path":"a","values":{"k":"v"}}', id);
      expect(p.status).toBe(401);
      expect(p.body).toBe('{"err":"access_unauthorized"}');
      const g = await h.post(`${S}?action=get`, '{"path":"a"}', id);
      expect(g.status).toBe(401);
      expect(g.body).toBe('{"data":null,"err":"access_unauthorized"}');
    }
    expect((await h.post(S, '{"path":"a","values":null}', IDS.superuser)).status).toBe(200);
  });

  it('memory backend works from the first request', async () => {
    h = await makeHarness({ backend: 'memory' });
    expect((await h.post(S, '{"path":"a","values":{"k":"v"}}', IDS.superuser)).status).toBe(200);
    expect((await h.post(`${S}?action=get`, '{"path":"a"}', IDS.superuser)).body).toBe('{"data":{"k":"v"}}');
  });
});
