import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('nexus dispatch (upstream route table)', () => {
  it('answers non-POST with 400 api_bad_request on every path, even before the key is known', async () => {
    h = await makeHarness();
    for (const m of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      for (const p of ['/v1/operator/restore', '/v1/store/secrets', '/nope']) {
        const r = await h.post(p, m === 'GET' ? undefined : '{}', IDS.restore, m);
        expect(r.status, `${m} ${p}`).toBe(400);
        expect(r.body).toBe('{"err":"api_bad_request"}');
      }
    }
  });

  it('answers 503 state_not_ready on non-emergency paths until the root key is known', async () => {
    h = await makeHarness();
    for (const p of ['/v1/store/secrets', '/v1/store/secrets?action=get', '/v1/bootstrap/verify', '/unknown']) {
      const r = await h.post(p, '{}', IDS.superuser);
      expect(r.status, p).toBe(503);
      expect(r.body).toBe('{"err":"state_not_ready"}');
    }
  });

  it('sets upstream JSON headers', async () => {
    h = await makeHarness();
    const r = await h.post('/v1/store/secrets', '{}', IDS.superuser);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('no-store, no-cache, must-revalidate, private');
    expect(r.headers['pragma']).toBe('no-cache');
    expect(r.headers['expires']).toBe('0');
  });

  it('answers unknown paths and actions with 400 once ready', async () => {
    h = await makeHarness({ installed: keyOf(7) });
    for (const p of ['/v1/operator/restore/', '/v1/operator/recover?action=get', '/v1/store/secrets?action=read', '/v1/auth/initialization', '/']) {
      const r = await h.post(p, '{}', IDS.superuser);
      expect(r.status, p).toBe(400);
      expect(r.body).toBe('{"err":"api_bad_request"}');
    }
  });

  it('accepts any content type and reads the raw body', async () => {
    h = await makeHarness({ installed: keyOf(7) });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/store/secrets',
      payload: '{"path":"a/b","values":{"k":"v"}}',
      headers: { 'content-type': 'text/plain', 'x-test-peer': IDS.superuser },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{}');
    const noType = await h.app.inject({
      method: 'POST',
      url: '/v1/store/secrets?action=get',
      payload: Buffer.from('{"path":"a/b"}'),
      headers: { 'x-test-peer': IDS.superuser },
    });
    expect(noType.statusCode).toBe(200);
    expect(noType.body).toBe('{"data":{"k":"v"}}');
  });

  it('oversized bodies get the route BadRequest body and a closed connection', async () => {
    h = await makeHarness({ bodyLimit: 1024 });
    const big = JSON.stringify({ id: 1, shard: new Array(32).fill(1), pad: 'x'.repeat(2000) });
    const r = await h.post('/v1/operator/restore', big, IDS.restore);
    expect(r.status).toBe(400);
    expect(r.body).toBe('{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request"}');
    expect(r.headers['connection']).toBe('close');
  });

  it('a route that throws answers 500 api_internal_error and the app keeps serving', async () => {
    h = await makeHarness({ installed: keyOf(7) });
    const store = h.state.store();
    if (!store) throw new Error('no store');
    store.grouped.putSecret = () => {
      throw new Error('disk on fire');
    };
    const r = await h.post('/v1/store/secrets', '{"path":"a","values":{"k":"v"}}', IDS.superuser);
    expect(r.status).toBe(500);
    expect(r.body).toBe('{"err":"api_internal_error"}');
    const again = await h.post('/v1/store/secrets?action=get', '{"path":"a"}', IDS.superuser);
    expect(again.status).toBe(404);
  });
});
