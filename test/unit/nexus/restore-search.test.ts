// Restore's search (docs/design.md § Restore): the one-value-per-id sets
// through a new value, bounded, check-only; which ids do not belong.
import { describe, expect, it } from 'vitest';
import { countSetsThrough, idsNotOn, MAX_CANDIDATE_SETS, searchThrough, type KeyVerdict } from '../../../src/nexus/restore/search.js';
import { computeShares } from '../../../src/shamir/index.js';

const KEY = new Uint8Array(32).fill(1);
const OTHER = new Uint8Array(32).fill(2);
const shares = (key: Uint8Array, t = 2, n = 3): Uint8Array[] => computeShares(key, t, n).map((s) => s.value);
const typo = (x: Uint8Array): Uint8Array => {
  const t = Uint8Array.from(x);
  t[31] = (t[31] as number) ^ 1;
  return t;
};
/** A key checker like the store's: only `stored` matches (null: an empty store, every key 'empty'); counts calls. */
function checker(stored: Uint8Array | null = KEY): { check: (k: Uint8Array) => KeyVerdict; calls: number; seen: string[] } {
  const o = {
    calls: 0,
    seen: [] as string[],
    check: (k: Uint8Array): KeyVerdict => {
      o.calls++;
      o.seen.push(Buffer.from(k).toString('hex'));
      if (stored === null) return 'empty';
      return Buffer.from(k).equals(Buffer.from(stored)) ? 'match' : 'mismatch';
    },
  };
  return o;
}
const held = (entries: [number, Uint8Array[]][]): Map<number, Uint8Array[]> => new Map(entries);

describe('countSetsThrough', () => {
  it('is the sum over (t−1)-subsets of the other ids of the product of their value counts', () => {
    const h = held([
      [1, [KEY, KEY]],
      [2, [KEY, KEY, KEY]],
      [3, [KEY]],
      [4, [KEY]],
    ]);
    // t = 3 through id 4: pairs of {1:2, 2:3, 3:1} → 2·3 + 2·1 + 3·1 = 11
    expect(countSetsThrough(h, 3, 4, 100)).toBe(11);
    // t = 2 through id 4: 2 + 3 + 1
    expect(countSetsThrough(h, 2, 4, 100)).toBe(6);
    // t = 4 through id 4: 2·3·1
    expect(countSetsThrough(h, 4, 4, 100)).toBe(6);
    expect(countSetsThrough(h, 1, 4, 100)).toBe(1);
    // saturates at limit + 1
    expect(countSetsThrough(h, 3, 4, 5)).toBe(6);
  });

  it(`the bound is ${MAX_CANDIDATE_SETS}`, () => {
    expect(MAX_CANDIDATE_SETS).toBe(4096);
  });
});

describe('searchThrough', () => {
  it('a typo after the good value of the same id: the set with the good value fits', () => {
    const [s1, s2] = shares(KEY);
    const h = held([
      [1, [s1!, typo(s1!)]],
      [2, [s2!]],
    ]);
    const c = checker();
    const r = searchThrough(h, 2, { id: 2, value: s2! }, c.check);
    expect(r.kind).toBe('fit');
    if (r.kind !== 'fit') return;
    expect(Buffer.from(r.key).equals(Buffer.from(KEY))).toBe(true);
    expect(r.set.map((s) => s.id)).toEqual([2, 1]);
    expect(r.tried).toBe(1);
    // copies: zeroing the held values leaves the result intact
    for (const vs of h.values()) for (const x of vs) x.fill(0);
    expect(Buffer.from(r.set[1]!.value).equals(Buffer.from(shares(KEY)[0]!))).toBe(true);
  });

  it('the good value after a typo: the typo set is tried first and fails', () => {
    const [s1, s2] = shares(KEY);
    const h = held([
      [1, [typo(s1!), s1!]],
      [2, [s2!]],
    ]);
    const c = checker();
    const r = searchThrough(h, 2, { id: 2, value: s2! }, c.check);
    expect(r.kind === 'fit' && r.tried).toBe(2);
    expect(c.calls).toBe(2);
  });

  it('a foreign set: no fit, every set through the new value tried once, nothing else', () => {
    const o = shares(OTHER);
    const [, , g3] = shares(KEY);
    const h = held([
      [1, [o[0]!]],
      [2, [o[1]!]],
      [3, [g3!]],
    ]);
    const c = checker();
    expect(searchThrough(h, 2, { id: 3, value: g3! }, c.check)).toEqual({ kind: 'no_fit', tried: 2, retired: false });
    expect(c.calls).toBe(2);
    expect(new Set(c.seen).size).toBe(2);
  });

  it('only sets through the new value: a fitting set without it is not searched again', () => {
    const [s1, s2, s3] = shares(KEY);
    const h = held([
      [1, [s1!]],
      [2, [s2!]],
      [3, [typo(s3!)]],
    ]);
    const c = checker();
    expect(searchThrough(h, 2, { id: 3, value: h.get(3)![0]! }, c.check)).toEqual({ kind: 'no_fit', tried: 2, retired: false });
  });

  it('beyond the bound: refused before any key is rebuilt or checked', () => {
    const [s1, s2, s3] = shares(KEY, 3, 3);
    const h = held([
      [1, [s1!, typo(s1!)]],
      [2, [s2!, typo(s2!)]],
      [3, [s3!]],
    ]);
    const c = checker();
    expect(searchThrough(h, 3, { id: 3, value: s3! }, c.check, 3)).toEqual({ kind: 'too_many', count: 4 });
    expect(c.calls).toBe(0);
    const ok = searchThrough(h, 3, { id: 3, value: s3! }, c.check, 4);
    expect(ok.kind).toBe('fit');
  });

  it("nothing to check against ('empty', the lite backend or an empty store): the first set in order fits", () => {
    const [s1, s2] = shares(KEY);
    const bad = typo(s1!);
    const h = held([
      [1, [bad, s1!]],
      [2, [s2!]],
    ]);
    const c = checker(null);
    const r = searchThrough(h, 2, { id: 2, value: s2! }, c.check);
    expect(r.kind === 'fit' && r.tried).toBe(1);
    if (r.kind !== 'fit') return;
    expect(Buffer.from(r.set[1]!.value).equals(Buffer.from(bad))).toBe(true);
    expect(Buffer.from(r.key).equals(Buffer.from(KEY))).toBe(false);
  });

  it('threshold 1: the new value alone is the set', () => {
    const [s1] = shares(KEY, 1, 3);
    const c = checker();
    const r = searchThrough(held([[1, [s1!]]]), 1, { id: 1, value: s1! }, c.check);
    expect(r.kind === 'fit' && Buffer.from(r.key).equals(Buffer.from(KEY))).toBe(true);
  });
});

describe('idsNotOn', () => {
  it('names the ids none of whose values lies on the polynomial of the set that rebuilt the key', () => {
    const [s1, s2, s3] = shares(KEY, 2, 4);
    const o = shares(OTHER, 2, 4);
    const h = held([
      [1, [typo(s1!), s1!]],
      [2, [typo(s2!)]],
      [3, [s3!]],
      [4, [o[3]!, typo(o[3]!)]],
    ]);
    expect(idsNotOn(h, [{ id: 3, value: s3! }, { id: 1, value: s1! }])).toEqual([2, 4]);
  });
});
