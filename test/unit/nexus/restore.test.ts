import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_ORDER, isValidScalar } from '../../../src/shamir/index.js';
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
    expect(r1.body).toBe('{"collected":1,"remaining":2,"restored":false,"state":"collecting","ids":[1]}');
    const r2 = await h.post(R, JSON.stringify({ id: 2, shard: arr(s2!.value) }), IDS.restore);
    expect(r2.body).toBe('{"collected":2,"remaining":1,"restored":false,"state":"collecting","ids":[1,2]}');
  });
});


/** A one-bit typo of a shard value (still a valid scalar). */
function typo(v: Uint8Array): number[] {
  const t = Uint8Array.from(v);
  t[31] = (t[31] as number) ^ 1;
  expect(isValidScalar(t)).toBe(true);
  return arr(t);
}
const audits = (x: Harness): [unknown, unknown][] => x.logs.audits.filter((a) => a.action === 'restore').map((a) => [a.shardId, a.outcome]);
const holdsKey = (x: Harness, key: Uint8Array): boolean | undefined => x.state.rootKey.use((k) => Buffer.from(k).equals(Buffer.from(key)));

describe('POST /v1/operator/restore: every value kept, sets searched', () => {
  it('collects, then restores with the right shards: root_key_ready, push hook, audit without values', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, , s3] = sharesOf(key);
    const r1 = await h.post(R, restoreBody(3, arr(s3!.value)), IDS.restore);
    expect(r1.status).toBe(200);
    expect(r1.body).toBe('{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[3]}');
    expect(h.state.ready()).toBe(false);
    const r2 = await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    expect(r2.status).toBe(200);
    expect(r2.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored"}');
    expect(h.state.ready()).toBe(true);
    expect(holdsKey(h, key)).toBe(true);
    expect(h.logs.events('root_key_ready')).toEqual([expect.objectContaining({ source: 'restore' })]);
    expect(h.installs).toEqual(['restore']);
    expect(audits(h)).toEqual([
      [3, 'collected'],
      [1, 'restored'],
    ]);
    const restoreAudits = h.logs.audits.filter((a) => a.action === 'restore');
    expect(restoreAudits.every((a) => a.caller === IDS.restore)).toBe(true);
    expect(restoreAudits.at(-1)).toEqual(expect.objectContaining({ used: [1, 3], rejected: [], conflict: [] }));
    expect(h.collector.collected()).toBe(0);
    const all = JSON.stringify([...h.logs.audits, ...h.logs.lines]);
    expect(all).not.toContain(arr(s1!.value).slice(0, 6).join(','));
  });

  it('same id and same value again: duplicate, nothing changes', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, s2] = sharesOf(key);
    await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    const dup = await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    expect(dup.status).toBe(200);
    expect(dup.body).toBe('{"collected":1,"remaining":1,"restored":false,"state":"collecting","duplicate":true,"ids":[1]}');
    expect(h.collector.held().get(1)).toHaveLength(1);
    const done = await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    expect(done.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored"}');
    expect(audits(h)).toEqual([
      [1, 'collected'],
      [1, 'duplicate'],
      [2, 'restored'],
    ]);
  });

  it('a typo after the good value of the same id: both kept (conflict), the good one restores', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, s2] = sharesOf(key);
    await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    const second = await h.post(R, restoreBody(1, typo(s1!.value)), IDS.restore);
    expect(second.status).toBe(200);
    expect(second.body).toBe('{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[1],"conflict":[1]}');
    const done = await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    expect(done.status).toBe(200);
    expect(done.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored","conflict":[1]}');
    expect(holdsKey(h, key)).toBe(true);
  });

  it('shard 1, a typo of shard 2, shard 3: no fit, then restored with 2 named as not belonging', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, s2, s3] = sharesOf(key);
    expect((await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore)).status).toBe(200);
    const bad = await h.post(R, restoreBody(2, typo(s2!.value)), IDS.restore);
    expect(bad.status).toBe(200);
    expect(bad.body).toBe('{"collected":2,"remaining":1,"restored":false,"state":"no_fit","ids":[1,2]}');
    expect(h.state.ready()).toBe(false);
    expect(h.gate.opened).toBe(0);
    expect(h.installs).toEqual([]);
    const done = await h.post(R, restoreBody(3, arr(s3!.value)), IDS.restore);
    expect(done.status).toBe(200);
    expect(done.body).toBe('{"collected":3,"remaining":0,"restored":true,"state":"restored","rejected":[2]}');
    expect(holdsKey(h, key)).toBe(true);
    expect(audits(h)).toEqual([
      [1, 'collected'],
      [2, 'no_fit'],
      [3, 'restored'],
    ]);
    // the search never installs a wrong key: no rejection event, one install
    expect(h.logs.events('root_key_rejected')).toEqual([]);
    expect(h.installs).toEqual(['restore']);
  });

  it('a foreign set: no fit, nothing installed, every value kept; the right shards then restore', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const good = sharesOf(key);
    const other = sharesOf(keyOf(2));
    await h.post(R, restoreBody(1, arr(other[0]!.value)), IDS.restore);
    const r2 = await h.post(R, restoreBody(2, arr(other[1]!.value)), IDS.restore);
    expect(r2.status).toBe(200);
    expect(r2.body).toBe('{"collected":2,"remaining":1,"restored":false,"state":"no_fit","ids":[1,2]}');
    const r3 = await h.post(R, restoreBody(3, arr(good[2]!.value)), IDS.restore);
    expect(r3.body).toBe('{"collected":3,"remaining":1,"restored":false,"state":"no_fit","ids":[1,2,3]}');
    expect(h.state.ready()).toBe(false);
    expect(h.gate.opened).toBe(0);
    const r4 = await h.post(R, restoreBody(1, arr(good[0]!.value)), IDS.restore);
    expect(r4.status).toBe(200);
    expect(r4.body).toBe('{"collected":3,"remaining":0,"restored":true,"state":"restored","conflict":[1],"rejected":[2]}');
    expect(holdsKey(h, key)).toBe(true);
  });

  it('an id above the configured share count cannot belong: 400, nothing kept', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const genuine4 = sharesOf(key, 2, 4)[3]!;
    const r = await h.post(R, restoreBody(4, arr(genuine4.value)), IDS.restore);
    expect(r.status).toBe(400);
    expect(r.body).toBe('{"collected":0,"remaining":2,"restored":false,"err":"api_bad_request"}');
    expect(h.collector.collected()).toBe(0);
    expect(audits(h)).toEqual([[4, 'refused_id_above_share_count']]);
  });

  it('too many values for one id: 400 too_many_values, nothing added; a held value is still a duplicate', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key, threshold: 3, shares: 5 });
    const [s1, s2, s3] = sharesOf(key, 3, 5);
    const values = [typo(s1!.value), arr(sharesOf(keyOf(2), 3, 5)[0]!.value), arr(sharesOf(keyOf(3), 3, 5)[0]!.value), arr(s1!.value)];
    for (const v of values) expect((await h.post(R, restoreBody(1, v), IDS.restore)).status).toBe(200);
    const over = await h.post(R, restoreBody(1, arr(sharesOf(keyOf(4), 3, 5)[0]!.value)), IDS.restore);
    expect(over.status).toBe(400);
    expect(over.body).toBe(
      '{"collected":1,"remaining":2,"restored":false,"err":"api_bad_request","state":"too_many_values","ids":[1],"conflict":[1]}',
    );
    expect(h.collector.held().get(1)).toHaveLength(4);
    const dup = await h.post(R, restoreBody(1, values[1]!), IDS.restore);
    expect(dup.status).toBe(200);
    expect(dup.body).toBe('{"collected":1,"remaining":2,"restored":false,"state":"collecting","duplicate":true,"ids":[1],"conflict":[1]}');
    // the good value among the four still restores
    await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    const done = await h.post(R, restoreBody(3, arr(s3!.value)), IDS.restore);
    expect(done.body).toBe('{"collected":3,"remaining":0,"restored":true,"state":"restored","conflict":[1]}');
  });

  it('a search larger than the bound is refused before any key check: 400 too_many_values, the value not kept', async () => {
    const key = keyOf(1);
    // bound 3: through a new value at id 3 there are 2 × 2 = 4 sets (one of the two values at id 1, one at id 2)
    h = await makeHarness({ storedKey: key, threshold: 3, shares: 3, limits: { maxValuesPerId: 4, maxCandidateSets: 3 } });
    const other = (k: number): number[][] => sharesOf(keyOf(k), 3, 3).map((s) => arr(s.value));
    await h.post(R, restoreBody(1, other(2)[0]!), IDS.restore);
    await h.post(R, restoreBody(1, other(3)[0]!), IDS.restore);
    await h.post(R, restoreBody(2, other(2)[1]!), IDS.restore);
    await h.post(R, restoreBody(2, other(3)[1]!), IDS.restore);
    const searchedBefore = h.gate.searched;
    const r = await h.post(R, restoreBody(3, arr(sharesOf(key, 3, 3)[2]!.value)), IDS.restore);
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      '{"collected":2,"remaining":1,"restored":false,"err":"api_bad_request","state":"too_many_values","ids":[1,2],"conflict":[1,2]}',
    );
    expect(h.gate.searched).toBe(searchedBefore);
    expect(h.collector.ids()).toEqual([1, 2]);
    expect(h.logs.audits.filter((a) => a.action === 'restore').at(-1)).toEqual(
      expect.objectContaining({ shardId: 3, outcome: 'refused_too_many_sets', sets: 4 }),
    );
  });

  it('a store that cannot be read: 500, the value not kept, the collection as before, the call charged', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key, rate: { capacity: 1, refillMs: 60_000, now: () => 0 } });
    const [s1, s2] = sharesOf(key);
    await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    const gate = h.gate;
    const real = gate.withKeyCheck.bind(gate);
    gate.withKeyCheck = async () => {
      throw new Error('disk gone');
    };
    const r = await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    expect(r.status).toBe(500);
    expect(r.body).toBe('{"collected":1,"remaining":1,"restored":false,"err":"api_internal_error","ids":[1]}');
    expect(h.collector.ids()).toEqual([1]);
    expect(h.logs.lines.some((l) => l.msg === 'restore: searching or installing the root key failed')).toBe(true);
    // the bucket (1) was spent by the failed call
    expect((await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore)).status).toBe(429);
    gate.withKeyCheck = real;
  });

  it('reset empties the collection (audited), and restore starts over', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key });
    const [s1, s2] = sharesOf(key);
    await h.post(R, restoreBody(1, typo(s1!.value)), IDS.restore);
    const reset = await h.post(`${R}?action=reset`, '{}', IDS.restore);
    expect(reset.status).toBe(200);
    expect(reset.body).toBe('{"collected":0,"remaining":2,"restored":false,"state":"reset"}');
    expect(h.collector.collected()).toBe(0);
    expect(h.logs.audits.filter((a) => a.action === 'restore').at(-1)).toEqual(
      expect.objectContaining({ caller: IDS.restore, outcome: 'reset', dropped: 1 }),
    );
    await h.post(R, restoreBody(1, arr(s1!.value)), IDS.restore);
    const done = await h.post(R, restoreBody(2, arr(s2!.value)), IDS.restore);
    expect(done.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored"}');
  });

  it('reset: restore role only (401), body {} or null only (400), not on the memory backend', async () => {
    h = await makeHarness({ storedKey: keyOf(1) });
    await h.post(R, restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value)), IDS.restore);
    for (const id of [IDS.superuser, IDS.recover, undefined]) {
      const r = await h.post(`${R}?action=reset`, '{}', id);
      expect(r.status).toBe(401);
      expect(r.body).toBe('{"collected":0,"remaining":0,"restored":false,"err":"access_unauthorized"}');
    }
    for (const b of ['[]', '{', '"x"', '1']) {
      const r = await h.post(`${R}?action=reset`, b, IDS.restore);
      expect(r.status, b).toBe(400);
      expect(r.body).toBe(BAD);
    }
    expect(h.collector.collected()).toBe(1);
    expect((await h.post(`${R}?action=reset`, 'null', IDS.restore)).status).toBe(200);
    await h.close();
    h = await makeHarness({ backend: 'memory' });
    const m = await h.post(`${R}?action=reset`, '{}', IDS.restore);
    expect(m.status).toBe(400);
    expect(m.body).toBe(BAD);
  });

  it('with no data in the store the first complete set is installed (genesis by restore)', async () => {
    h = await makeHarness();
    const s = sharesOf(keyOf(5));
    await h.post(R, restoreBody(2, arr(s[1]!.value)), IDS.restore);
    const r = await h.post(R, restoreBody(3, arr(s[2]!.value)), IDS.restore);
    expect(r.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored"}');
  });

  it('lite backend (nothing to check against): the first complete set is installed, values in the order given', async () => {
    h = await makeHarness({ backend: 'lite' });
    const s = sharesOf(keyOf(5));
    await h.post(R, restoreBody(1, typo(s[0]!.value)), IDS.restore);
    await h.post(R, restoreBody(1, arr(s[0]!.value)), IDS.restore);
    const r = await h.post(R, restoreBody(2, arr(s[1]!.value)), IDS.restore);
    // the set of the first value of id 1 (the typo) is installed, and the good value named as the one that fits
    expect(r.body).toBe('{"collected":2,"remaining":0,"restored":true,"state":"restored","conflict":[1]}');
    expect(holdsKey(h, keyOf(5))).toBe(false);
    expect(h.state.ready()).toBe(true);
  });
});

describe('POST /v1/operator/restore on a healthy Nexus: a drill', () => {
  it('says whether the shard is share `id` of the live root key; nothing changes; audited without the value', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key, installed: key });
    const good = sharesOf(key);
    const other = sharesOf(keyOf(2));
    for (const s of good) {
      const r = await h.post(R, restoreBody(s.id, arr(s.value)), IDS.restore);
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":true}');
    }
    for (const v of [arr(other[1]!.value), typo(good[1]!.value), arr(good[0]!.value)]) {
      const r = await h.post(R, restoreBody(2, v), IDS.restore);
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":false}');
    }
    // id 4 is a point of the same polynomial, but Nexus gives out ids 1..3 only
    const r4 = await h.post(R, restoreBody(4, arr(sharesOf(key, 2, 4)[3]!.value)), IDS.restore);
    expect(r4.body).toBe('{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":false}');
    expect(holdsKey(h, key)).toBe(true);
    expect(h.installs).toEqual([]);
    expect(h.collector.collected()).toBe(0);
    expect(audits(h)).toEqual([
      [1, 'healthy_match'],
      [2, 'healthy_match'],
      [3, 'healthy_match'],
      [2, 'healthy_mismatch'],
      [2, 'healthy_mismatch'],
      [2, 'healthy_mismatch'],
      [4, 'healthy_mismatch'],
    ]);
    const all = JSON.stringify([...h.logs.audits, ...h.logs.lines]);
    expect(all).not.toContain(arr(good[1]!.value).slice(0, 6).join(','));
  });

  it('is charged to the rate limit', async () => {
    const key = keyOf(1);
    h = await makeHarness({ storedKey: key, installed: key, rate: { capacity: 2, refillMs: 60_000, now: () => 0 } });
    const b = restoreBody(1, arr(sharesOf(key)[0]!.value));
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    const limited = await h.post(R, b, IDS.restore);
    expect(limited.status).toBe(429);
    expect(limited.body).toBe('{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request","state":"rate_limited","retryAfter":60}');
  });
});

describe('POST /v1/operator/restore: rate limit', () => {
  it('429 with Retry-After (whole seconds, rounded up) once the bucket is empty; other callers unaffected', async () => {
    let now = 0;
    h = await makeHarness({ storedKey: keyOf(1), rate: { capacity: 3, refillMs: 2_500, now: () => now } });
    const b = restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value));
    expect((await h.post(R, b, IDS.restore)).status).toBe(200); // adds the value: free
    for (let i = 0; i < 3; i++) expect((await h.post(R, b, IDS.restore)).status).toBe(200); // duplicates: charged
    const limited = await h.post(R, b, IDS.restore);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.body).toBe('{"collected":1,"remaining":1,"restored":false,"err":"api_bad_request","state":"rate_limited","ids":[1],"retryAfter":3}');
    now = 1_000; // 0.4 token: 1.5 s to go → 2
    const again = await h.post(R, b, IDS.restore);
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('2');
    now = 2_500;
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    const alice = await h.post(R, b, `${IDS.restore}/alice`);
    expect(alice.status).toBe(200);
    expect(h.logs.audits.filter((a) => a.outcome === 'rate_limited')).toHaveLength(2);
  });

  it('a reset is charged', async () => {
    h = await makeHarness({ storedKey: keyOf(1), rate: { capacity: 1, refillMs: 60_000, now: () => 0 } });
    expect((await h.post(`${R}?action=reset`, '{}', IDS.restore)).status).toBe(200);
    const r = await h.post(`${R}?action=reset`, '{}', IDS.restore);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('60');
    expect(r.body).toBe('{"collected":0,"remaining":2,"restored":false,"err":"api_bad_request","state":"rate_limited","retryAfter":60}');
  });

  it('fairness: a client flooding with repeats never gets a new shard of another client (same ID) refused', async () => {
    const key = keyOf(1);
    // a frozen clock: the flood empties the bucket and it never refills
    h = await makeHarness({ storedKey: key, threshold: 3, shares: 5, rate: { capacity: 5, refillMs: 3_000, now: () => 0 } });
    const shares = sharesOf(key, 3, 5);
    const flood = restoreBody(1, typo(shares[0]!.value));
    const statuses: number[] = [];
    const operator: { status: number; body: string }[] = [];
    for (const s of [shares[4]!, shares[1]!, shares[2]!]) {
      for (let i = 0; i < 10; i++) statuses.push((await h.post(R, flood, IDS.restore)).status);
      operator.push(await h.post(R, restoreBody(s.id, arr(s.value)), IDS.restore));
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(20);
    expect(operator.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(operator[2]!.body).toBe('{"collected":4,"remaining":0,"restored":true,"state":"restored","rejected":[1]}');
    expect(holdsKey(h, key)).toBe(true);
  });

  it('unauthorized floods do not spend the restore bucket', async () => {
    h = await makeHarness({ storedKey: keyOf(1), rate: { capacity: 1, refillMs: 60_000, now: () => 0 } });
    const b = restoreBody(1, arr(sharesOf(keyOf(1))[0]!.value));
    for (let i = 0; i < 20; i++) expect((await h.post(R, b, IDS.superuser)).status).toBe(401);
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    expect((await h.post(R, b, IDS.restore)).status).toBe(200);
    expect((await h.post(R, b, IDS.restore)).status).toBe(429);
  });
});
