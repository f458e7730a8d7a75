import { describe, expect, it } from 'vitest';
import { ShardStore } from '../../../src/keeper/shard-store.js';
import { createKeeperRouter } from '../../../src/keeper/router.js';
import type { KeeperPeerPolicy, KeeperRequest } from '../../../src/keeper/routes/route.js';

const NEXUS = 'spiffe://spike.ist/spike/nexus';
const BOOTSTRAP = 'spiffe://spike.ist/spike/bootstrap';
const PILOT = 'spiffe://spike.ist/spike/pilot/role/superuser';

const policy: KeeperPeerPolicy = {
  mayContribute: (id) => id === NEXUS || id === BOOTSTRAP,
  mayReadShard: (id) => id === NEXUS,
};

const SHARD = Array.from({ length: 32 }, (_, i) => (i * 7 + 1) % 256);

function req(over: Partial<KeeperRequest> & { json?: string }): KeeperRequest {
  return {
    method: 'POST',
    path: '/v1/store/contribute',
    action: '',
    peerId: NEXUS,
    body: Buffer.from(over.json ?? '{}'),
    ...over,
  };
}

function setup() {
  const store = new ShardStore();
  return { store, router: createKeeperRouter(store, policy) };
}

const text = (b: Buffer) => b.toString('utf8');

describe('keeper router', () => {
  it('contribute then shard round-trips the exact bytes, Go-shaped', () => {
    const { router } = setup();
    const put = router.handle(req({ json: JSON.stringify({ shard: SHARD }) }));
    expect(put.status).toBe(200);
    expect(text(put.body)).toBe('{}');
    const get = router.handle(req({ path: '/v1/store/shard' }));
    expect(get.status).toBe(200);
    expect(text(get.body)).toBe(`{"shard":[${SHARD.join(',')}],"Err":""}`);
  });

  it('an empty keeper answers 400, never 200 with null', () => {
    const { router } = setup();
    const get = router.handle(req({ path: '/v1/store/shard' }));
    expect(get.status).toBe(400);
    expect(text(get.body)).toBe('{"shard":null,"Err":"api_bad_request"}');
  });

  it('bootstrap may contribute but not read', () => {
    const { router } = setup();
    expect(router.handle(req({ peerId: BOOTSTRAP, json: JSON.stringify({ shard: SHARD }) })).status).toBe(200);
    const get = router.handle(req({ peerId: BOOTSTRAP, path: '/v1/store/shard' }));
    expect(get.status).toBe(401);
    expect(text(get.body)).toBe('{"shard":null,"Err":"access_unauthorized"}');
  });

  it('other peers get 401 on contribute, and malformed JSON wins over auth (400)', () => {
    const { router, store } = setup();
    const r = router.handle(req({ peerId: PILOT, json: JSON.stringify({ shard: SHARD }) }));
    expect(r.status).toBe(401);
    expect(text(r.body)).toBe('{"err":"access_unauthorized"}');
    expect(router.handle(req({ peerId: undefined, json: '{"shard":[1]}' })).status).toBe(401);
    expect(router.handle(req({ peerId: 'spiffe://spike.ist/spike/nexus/../x', json: '{"shard":[1]}' })).status).toBe(401);
    expect(router.handle(req({ peerId: PILOT, json: 'nope' })).status).toBe(400);
    expect(store.has()).toBe(false);
  });

  it.each([
    ['null', 'null'],
    ['empty object', '{}'],
    ['null shard', '{"shard":null}'],
    ['all-zero shard', `{"shard":[${new Array(32).fill(0).join(',')}]}`],
    ['empty body', ''],
    ['array', '[]'],
    ['string shard', '{"shard":"AAAA"}'],
    ['element 256', `{"shard":[256${',1'.repeat(31)}]}`],
    ['negative element', '{"shard":[-1]}'],
    ['fractional element', '{"shard":[1.5]}'],
    ['float-looking element (Go refuses 1.0 for uint8)', '{"shard":[1.0]}'],
    ['truncated JSON', '{"shard":[1,2'],
    ['string element', '{"shard":["1"]}'],
    ['number body', '42'],
  ])('contribute refuses %s with 400 api_bad_request', (_name, json) => {
    const { router, store } = setup();
    const r = router.handle(req({ json }));
    expect(r.status).toBe(400);
    expect(text(r.body)).toBe('{"err":"api_bad_request"}');
    expect(store.has()).toBe(false);
  });

  it('follows Go decoding: short arrays are zero-padded, long ones truncated, keys case-insensitive (last wins)', () => {
    const { router, store } = setup();
    expect(router.handle(req({ json: '{"shard":[9]}' })).status).toBe(200);
    expect(store.get()?.[0]).toBe(9);
    expect(router.handle(req({ json: JSON.stringify({ SHARD: [...SHARD, 5, 6] }) })).status).toBe(200);
    expect([...(store.get() ?? [])]).toEqual(SHARD);
    expect(router.handle(req({ json: '{"shard":[1],"Shard":[2]}' })).status).toBe(200);
    expect(store.get()?.[0]).toBe(2);
  });

  it('a later contribute replaces the shard', () => {
    const { router, store } = setup();
    router.handle(req({ json: '{"shard":[1]}' }));
    router.handle(req({ json: '{"shard":[2]}' }));
    expect(store.get()?.[0]).toBe(2);
  });

  it.each([
    ['GET', '/v1/store/shard', ''],
    ['PUT', '/v1/store/contribute', ''],
    ['POST', '/v1/store/contribute', 'get'],
    ['POST', '/v1/store/shard/', ''],
    ['POST', '/v1/store/keep', ''],
    ['POST', '/', ''],
  ])('%s %s action=%s is the Fallback 400', (method, path, action) => {
    const { router } = setup();
    const r = router.handle(req({ method, path, action, json: JSON.stringify({ shard: SHARD }) }));
    expect(r.status).toBe(400);
    expect(text(r.body)).toBe('{"err":"api_bad_request"}');
  });

  it('shard accepts null or any object, refuses non-objects', () => {
    const { router } = setup();
    router.handle(req({ json: '{"shard":[3]}' }));
    expect(router.handle(req({ path: '/v1/store/shard', json: 'null' })).status).toBe(200);
    expect(router.handle(req({ path: '/v1/store/shard', json: '{"x":1}' })).status).toBe(200);
    const bad = router.handle(req({ path: '/v1/store/shard', json: '[]' }));
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toBe('{"shard":null,"Err":"api_bad_request"}');
  });

  it('zeroes the request body after handling', () => {
    const { router } = setup();
    const r = req({ json: JSON.stringify({ shard: SHARD }) });
    router.handle(r);
    expect(r.body.every((b) => b === 0)).toBe(true);
  });
});

describe('ShardStore', () => {
  it('zeroes the old shard on replace and on clear', () => {
    const s = new ShardStore();
    const a = Buffer.alloc(32, 1);
    s.set(a);
    const copy = s.get();
    expect(copy).toEqual(a);
    copy?.fill(0);
    expect(s.get()).toEqual(a); // get() hands out copies
    s.clear();
    expect(s.has()).toBe(false);
    expect(() => s.set(Buffer.alloc(32))).toThrow();
    expect(() => s.set(Buffer.alloc(31, 1))).toThrow();
  });
});
