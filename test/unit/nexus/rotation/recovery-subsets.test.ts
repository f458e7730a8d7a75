// Keeper recovery's subset search: with shards of two keys in one round
// (mid-rotation) the first threshold-subset the store accepts wins; retired
// sets are reported; the search is bounded.
import { describe, expect, it } from 'vitest';
import { findAcceptedSubset } from '../../../../src/nexus/sync/recovery.js';
import { thresholdSubsets } from '../../../../src/nexus/restore/search.js';
import type { KeyCheck } from '../../../../src/nexus/state/store-interface.js';
import { keyOf, sharesOf } from '../fixtures.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const checker = (accepted: Uint8Array[], retired: Uint8Array[] = []) => {
  const seen: string[] = [];
  const check = (key: Uint8Array): KeyCheck => {
    seen.push(hex(key));
    if (accepted.some((k) => hex(k) === hex(key))) return 'match';
    return retired.some((k) => hex(k) === hex(key)) ? 'retired' : 'mismatch';
  };
  return { check, seen };
};

describe('threshold subsets', () => {
  it('every k-subset once, in order (C(5,3) = 10)', () => {
    const all = [...thresholdSubsets([1, 2, 3, 4, 5], 3)].map((s) => s.join(''));
    expect(all).toEqual(['123', '124', '125', '134', '135', '145', '234', '235', '245', '345']);
  });
});

describe('findAcceptedSubset', () => {
  const OLD = keyOf(1);
  const NEW = keyOf(9);

  it('mixed keepers (1: old, 2 and 3: new), 2 of 3: tries {1,2}, {1,3}, then {2,3} rebuilds the new key', () => {
    const shares = [sharesOf(OLD)[0]!, sharesOf(NEW)[1]!, sharesOf(NEW)[2]!];
    const c = checker([OLD, NEW]);
    const r = findAcceptedSubset(shares, 2, c.check);
    expect(r.kind).toBe('found');
    expect(r.kind === 'found' ? { key: hex(r.key), ids: r.ids, tried: r.tried } : undefined).toEqual({ key: hex(NEW), ids: [2, 3], tried: 3 });
    expect(c.seen).toHaveLength(3);
  });

  it('mixed keepers, 3 of 5 (old on 1 and 4, new on 2, 3, 5): the new key from {2,3,5}', () => {
    const o = sharesOf(OLD, 3, 5);
    const n = sharesOf(NEW, 3, 5);
    const shares = [o[0]!, n[1]!, n[2]!, o[3]!, n[4]!];
    const r = findAcceptedSubset(shares, 3, checker([OLD, NEW]).check);
    expect(r.kind === 'found' ? { key: hex(r.key), ids: r.ids } : r).toEqual({ key: hex(NEW), ids: [2, 3, 5] });
  });

  it('the common case (one key everywhere) checks one set only', () => {
    const c = checker([OLD]);
    const r = findAcceptedSubset(sharesOf(OLD), 2, c.check);
    expect(r.kind === 'found' ? r.ids : r).toEqual([1, 2]);
    expect(c.seen).toHaveLength(1);
  });

  it('shards of a retired key: none, retired; of a foreign key: none, not retired', () => {
    expect(findAcceptedSubset(sharesOf(OLD), 2, checker([NEW], [OLD]).check)).toEqual({ kind: 'none', tried: 3, retired: true });
    expect(findAcceptedSubset(sharesOf(keyOf(5)), 2, checker([NEW], [OLD]).check)).toEqual({ kind: 'none', tried: 3, retired: false });
  });

  it('stops after `limit` subsets', () => {
    expect(findAcceptedSubset(sharesOf(keyOf(5), 2, 5), 2, checker([NEW]).check, 4)).toEqual({ kind: 'none', tried: 4, retired: false });
  });
});
