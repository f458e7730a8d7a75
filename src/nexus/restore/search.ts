// Which held shard values rebuild the stored root key (docs/design.md §
// Restore). Every call that adds a value searches only the one-value-per-id
// sets of `threshold` ids that contain the new value: every set without it
// was searched (and failed) when its own newest value was added, so nothing
// is searched twice and the first set that passes is found as soon as it is
// complete. A search is refused before any work when it would try more than
// `limit` sets.
import { timingSafeEqual } from 'node:crypto';
import type { KeyCheck } from '../state/store-interface.js';
import { interpolateShare, recoverSecret, ShamirError, type Share } from '../../shamir/index.js';

/** Most candidate sets one restore call may try. */
export const MAX_CANDIDATE_SETS = 4096;

/**
 * The store's verdict on a candidate key ('empty': nothing to check against;
 * it would be installed. 'retired': a key a finished rotation replaced; it
 * does not fit).
 */
export type KeyVerdict = KeyCheck;

export type SearchResult =
  /** `key` and the values of `set` are copies the caller owns (and zeroes). */
  | { readonly kind: 'fit'; readonly key: Uint8Array; readonly set: Share[]; readonly tried: number }
  /** `retired`: some set rebuilt a key the store retired (shards of a previous root key). */
  | { readonly kind: 'no_fit'; readonly tried: number; readonly retired: boolean }
  /** More than `limit` sets would have to be tried; nothing was. */
  | { readonly kind: 'too_many'; readonly count: number };

export type Held = ReadonlyMap<number, readonly Uint8Array[]>;

/**
 * How many one-value-per-id sets of `threshold` ids contain one given value
 * of `throughId`: the elementary symmetric sum of degree threshold − 1 of the
 * other ids' value counts. Saturates at `limit + 1`.
 */
export function countSetsThrough(held: Held, threshold: number, throughId: number, limit: number): number {
  const need = threshold - 1;
  const dp = new Array<number>(need + 1).fill(0);
  dp[0] = 1;
  for (const [id, values] of held) {
    if (id === throughId) continue;
    for (let j = need; j >= 1; j--) dp[j] = Math.min(limit + 1, (dp[j] as number) + (dp[j - 1] as number) * values.length);
  }
  return dp[need] as number;
}

/** The k-subsets of `items`, in lexicographic order of positions (each a fresh array). */
export function* thresholdSubsets<T>(items: readonly T[], k: number, from = 0, acc: T[] = []): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = from; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i] as T);
    yield* thresholdSubsets(items, k, i + 1, acc);
    acc.pop();
  }
}

/** Every way to pick one value per id of `ids`. */
function* picks(held: Held, ids: readonly number[], i = 0, acc: Share[] = []): Generator<Share[]> {
  if (i === ids.length) {
    yield acc;
    return;
  }
  const id = ids[i] as number;
  for (const value of held.get(id) ?? []) {
    acc.push({ id, value });
    yield* picks(held, ids, i + 1, acc);
    acc.pop();
  }
}

/**
 * Searches the sets through `through` (a value held for `through.id`) for a
 * rebuilt key that `check` calls 'match' or 'empty'. `check` runs
 * synchronously on each candidate key (a view: it must not keep it).
 */
export function searchThrough(
  held: Held,
  threshold: number,
  through: Share,
  check: (key: Uint8Array) => KeyVerdict,
  limit: number = MAX_CANDIDATE_SETS,
): SearchResult {
  const count = countSetsThrough(held, threshold, through.id, limit);
  if (count > limit) return { kind: 'too_many', count };
  const others = [...held.keys()].filter((id) => id !== through.id).sort((a, b) => a - b);
  let tried = 0;
  let retired = false;
  for (const ids of thresholdSubsets(others, threshold - 1)) {
    for (const pick of picks(held, ids)) {
      const set = [through, ...pick];
      tried++;
      let key: Uint8Array;
      try {
        key = recoverSecret(set, threshold);
      } catch (e) {
        // A set whose polynomial is zero at 0 rebuilds no key: it does not fit.
        if (e instanceof ShamirError) continue;
        throw e;
      }
      const verdict = check(key);
      if (verdict === 'match' || verdict === 'empty') {
        return { kind: 'fit', key, set: set.map((s) => ({ id: s.id, value: Uint8Array.from(s.value) })), tried };
      }
      key.fill(0);
      retired ||= verdict === 'retired';
    }
  }
  return { kind: 'no_fit', tried, retired };
}

/**
 * The held ids none of whose values lies on the polynomial of `set` (the set
 * that rebuilt the key): they do not belong to that root key. Ascending.
 */
export function idsNotOn(held: Held, set: readonly Share[]): number[] {
  const out: number[] = [];
  for (const [id, values] of held) {
    const expected = Buffer.from(interpolateShare(set, id));
    try {
      let on = false;
      for (const v of values) on = (v.length === expected.length && timingSafeEqual(v, expected)) || on;
      if (!on) out.push(id);
    } finally {
      expected.fill(0);
    }
  }
  return out.sort((a, b) => a - b);
}
