import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_ORDER } from '../../../src/shamir/index.js';
import { IDS, keyOf, makeHarness, restoreBody, sharesOf, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const R = '/v1/operator/restore';
const arr = (v: Uint8Array): number[] => Array.from(v);
const BAD = '{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request"}';

describe('POST /v1/operator/restore: guards', () => {
  it('refuses malformed bodies with the restore BadRequest body', async () => {
    h = await makeHarness({ storedKey: keyOf(1) });
    const ok = arr(sharesOf(keyOf(1))[0]!.value);
    const bodies = [
      '',
      '[]',
      '{',
      '"x"',
      JSON.stringify({ id: '1', shard: ok }),
      JSON.stringify({ id: 1.5, shard: ok }),
      `{"id":1.0,"shard":[${ok.join(',')}]}`,
      `{"id":1e0,"shard":[${ok.join(',')}]}`,
      `{"id":1,"shard":[${ok.slice(0, 31).join(',')},1.0]}`,
      `{"id":1,"shard":[${ok.join(',')}]} trailing`,
      JSON.stringify({ id: 1, shard: Buffer.from(ok).toString('base64') }),
      JSON.stringify({ id: 1, shard: [...ok.slice(0, 31), 256] }),
      JSON.stringify({ id: 1, shard: [...ok.slice(0, 31), -1] }),
      JSON.stringify({ id: 1, shard: [...ok.slice(0, 31), 'a'] }),
    ];
    for (const b of bodies) {
      const r = await h.post(R, b, IDS.restore);
      expect(r.status, b).toBe(400);
      expect(r.body).toBe(BAD);
    }
    expect(h.collector.collected()).toBe(0);
  });

  it('refuses invalid fields: id 0, 1001, null/absent shard, zero shard, value >= n', async () => {
    h = await makeHarness({ storedKey: keyOf(1) });
    const ok = arr(sharesOf(keyOf(1))[0]!.value);
    const nBytes = Buffer.from(GROUP_ORDER.toString(16).padStart(64, '0'), 'hex');
    const cases = [
      restoreBody(0, ok),
      restoreBody(-1, ok),
      restoreBody(1001, ok),
      restoreBody(1, null),
      JSON.stringify({ id: 1 }),
      'null',
      restoreBody(1, new Array(32).fill(0)),
      restoreBody(1, []),
      restoreBody(1, arr(nBytes)),
      restoreBody(1, new Array(32).fill(255)),
    ];
    for (const b of cases) {
      const r = await h.post(R, b, IDS.restore);
      expect(r.status, b).toBe(400);
      expect(r.body).toBe(BAD);
    }
    expect(h.collector.collected()).toBe(0);
    expect(h.state.ready()).toBe(false);
  });

  it('refuses every role but restore with 401', async () => {
    h = await makeHarness({ storedKey: keyOf(1) });
    const b = restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value));
    for (const id of [IDS.superuser, IDS.recover, IDS.bootstrap, IDS.nexus, undefined, 'spiffe://spike.ist/spike/pilot/role/restorex']) {
      const r = await h.post(R, b, id);
      expect(r.status).toBe(401);
      expect(r.body).toBe('{"collected":0,"remaining":0,"restored":false,"err":"access_unauthorized"}');
    }
    expect(h.collector.collected()).toBe(0);
  });

  it('memory backend: 400 before auth', async () => {
    h = await makeHarness({ backend: 'memory' });
    const r = await h.post(R, '{}', IDS.superuser);
    expect(r.status).toBe(400);
    expect(r.body).toBe(BAD);
  });

  it('duplicate keys: the last case-insensitive match wins (Go)', async () => {
    h = await makeHarness({ storedKey: keyOf(1), threshold: 3, shares: 5 });
    const [s1] = sharesOf(keyOf(1), 3, 5);
    const r = await h.post(R, `{"id":1001,"ID":1,"shard":[${arr(s1!.value).join(',')}]}`, IDS.restore);
    expect(r.status).toBe(200);
    expect(h.logs.audits.filter((a) => a.action === 'restore').at(-1)).toEqual(expect.objectContaining({ shardId: 1, outcome: 'collected' }));
  });

  it('accepts upstream-compatible bodies: case-insensitive keys, short arrays padded, long truncated', async () => {
    h = await makeHarness({ storedKey: keyOf(1), threshold: 3, shares: 5 });
    const [s1, s2] = sharesOf(keyOf(1), 3, 5);
    const r1 = await h.post(R, JSON.stringify({ ID: 1, Shard: [...arr(s1!.value), 9, 9] }), IDS.restore);
    expect(r1.status).toBe(200);
    expect(r1.body).toBe('{"collected":1,"remaining":2,"restored":false}');
    const r2 = await h.post(R, JSON.stringify({ id: 2, shard: arr(s2!.value) }), IDS.restore);
    expect(r2.body).toBe('{"collected":2,"remaining":1,"restored":false}');
  });
});

describe("POST /v1/operator/restore: state machine (upstream's, made safe)", () => {
  it('collects, then restores with the right shards: root_key_ready, push hook, audit without values', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, , s3] = sharesOf(key);
    const r1 = await h.post(R, restoreBody(3, arr(s3!.value)), IDS.restore);
    expect(r1.status).toBe(200);
    expect(r1.body).toBe('{"collected":1,"remaining":1,"restored":false}');
    expect(h.state.ready()).toBe(false);
    const r2 = await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    expect(r2.status).toBe(200);
    expect(r2.body).toBe('{"collected":2,"remaining":0,"restored":true}');
    expect(h.state.ready()).toBe(true);
    expect(h.state.rootKey.use((k) => Buffer.from(k).equals(Buffer.from(key)))).toBe(true);
    expect(h.logs.events('root_key_ready')).toEqual([expect.objectContaining({ source: 'restore' })]);
    expect(h.installs).toEqual(['restore']);
    const audits = h.logs.audits.filter((a) => a.action === 'restore');
    expect(audits.map((a) => [a.shardId, a.outcome])).toEqual([
      [3, 'collected'],
      [1, 'restored'],
    ]);
    expect(audits.every((a) => a.caller === IDS.restore)).toBe(true);
    const all = JSON.stringify([...h.logs.audits, ...h.logs.lines]);
    expect(all).not.toContain(arr(s1!.value).slice(0, 6).join(','));
  });

  it('same id again: first value wins, counts unchanged', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, s2] = sharesOf(key);
    await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    const dup = await h.post(R, restoreBody(1, arr(sharesOf(keyOf(9))[0]!.value)), IDS.restore);
    expect(dup.status).toBe(200);
    expect(dup.body).toBe('{"collected":1,"remaining":1,"restored":false}');
    const done = await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    expect(done.body).toBe('{"collected":2,"remaining":0,"restored":true}');
  });

  it('a wrong set is refused: 400, collection reset, nothing installed, restore still possible', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const good = sharesOf(key);
    const other = sharesOf(keyOf(2));
    await h.post(R, restoreBody(1, arr(other[0]!.value)), IDS.restore);
    const bad = await h.post(R, restoreBody(2, arr(other[1]!.value)), IDS.restore);
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('{"collected":0,"remaining":2,"restored":false,"err":"api_bad_request"}');
    expect(h.state.ready()).toBe(false);
    expect(h.logs.events('root_key_rejected')).toEqual([expect.objectContaining({ source: 'restore', reason: 'key_check_mismatch' })]);
    expect(h.installs).toEqual([]);
    expect(h.gate.opened).toBe(0);
    expect(h.collector.collected()).toBe(0);
    // mixed set: one good, one from another key
    await h.post(R, restoreBody(1, arr(good[0]!.value)), IDS.restore);
    const mixed = await h.post(R, restoreBody(2, arr(other[1]!.value)), IDS.restore);
    expect(mixed.status).toBe(400);
    expect(h.state.ready()).toBe(false);
    // then the right set restores
    await h.post(R, restoreBody(2, arr(good[1]!.value)), IDS.restore);
    const ok = await h.post(R, restoreBody(3, arr(good[2]!.value)), IDS.restore);
    expect(ok.body).toBe('{"collected":2,"remaining":0,"restored":true}');
    expect(h.state.ready()).toBe(true);
  });

  it('on a healthy Nexus nothing changes and the answer is restored:true', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key, installed: key });
    const other = sharesOf(keyOf(2));
    for (const s of other) {
      const r = await h.post(R, restoreBody(s.id, arr(s.value)), IDS.restore);
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"collected":0,"remaining":0,"restored":true}');
    }
    expect(h.state.rootKey.use((k) => Buffer.from(k).equals(Buffer.from(key)))).toBe(true);
    expect(h.installs).toEqual([]);
    expect(h.collector.collected()).toBe(0);
  });

  it('with no data in the store the first complete set is installed (genesis by restore)', async () => {
    h = await makeHarness();
    const s = sharesOf(keyOf(5));
    await h.post(R, restoreBody(2, arr(s[1]!.value)), IDS.restore);
    const r = await h.post(R, restoreBody(3, arr(s[2]!.value)), IDS.restore);
    expect(r.body).toBe('{"collected":2,"remaining":0,"restored":true}');
  });

  it('rate-limits per caller ID: 429 once the bucket is empty; other callers unaffected', async () => {
    h = await makeHarness({ storedKey: keyOf(1), rate: { capacity: 3, refillMs: 60_000 } });
    const b = restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value));
    for (let i = 0; i < 3; i++) expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    const limited = await h.post(R, b, IDS.restore);
    expect(limited.status).toBe(429);
    expect(limited.body).toBe('{"collected":1,"remaining":1,"restored":false,"err":"api_bad_request"}');
    const alice = await h.post(R, restoreBody(2, arr(sharesOf(keyOf(1))[1]!.value)), `${IDS.restore}/alice`);
    expect(alice.status).toBe(200);
    expect(alice.body).toBe('{"collected":2,"remaining":0,"restored":true}');
    expect(h.logs.audits.some((a) => a.outcome === 'rate_limited')).toBe(true);
  });

  it('unauthorized floods do not spend the restore bucket', async () => {
    h = await makeHarness({ storedKey: keyOf(1), rate: { capacity: 2, refillMs: 60_000 } });
    const b = restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value));
    for (let i = 0; i < 20; i++) expect((await h.post(R, b, IDS.superuser)).status).toBe(401);
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
  });
});
