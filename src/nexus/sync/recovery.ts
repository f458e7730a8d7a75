// Recovery of the root key from the Keepers (upstream
// `InitializeBackingStoreFromKeepers`, done better): each round asks every keeper for its shard in parallel; only the
// shards of ONE round are combined (no stale mixing across rounds); as soon as
// a round yields `threshold` good shards, every threshold-subset of them (ids
// ascending, at most MAX_RECOVERY_SUBSETS) is rebuilt and checked against the
// store with one read-only checker, and the first key the store accepts is
// installed (NexusState pushes to the keepers right after). Trying subsets
// matters during a root-key rotation: some keepers may hold shares of the old
// key and some of the new one, and the store accepts both (docs/design.md §
// Root-key rotation). Between rounds: backoff from 500ms doubling up to
// `maxIntervalMs`. After a round without enough shards, when the store holds
// data, `restore_needed` is logged (once per change of the collected count).
import { setTimeout as sleep } from 'node:timers/promises';
import { isValidScalar, recoverSecret, type Share } from '../../shamir/index.js';
import { Backoff } from '../../util/backoff.js';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { NexusState } from '../state/nexus-state.js';
import type { KeyCheck } from '../state/store-interface.js';
import { isAllZero } from '../../protocol/bytes.js';
import type { KeeperLink } from './keepers.js';
import { thresholdSubsets } from '../restore/search.js';

export const INITIAL_RECOVERY_INTERVAL_MS = 500;
/** Most threshold-subsets of one round's shards rebuilt and checked. */
export const MAX_RECOVERY_SUBSETS = 4096;

export interface RecoveryOptions {
  keepers: readonly KeeperLink[];
  threshold: number;
  state: NexusState;
  log: Logger;
  maxIntervalMs: number;
  signal: AbortSignal;
  initialIntervalMs?: number;
  /**
   * Another replica restored the root key and pushed it to the Keepers
   * (docs/design.md § Restore through any replica): `subscribe`'s callback
   * starts the next round at once, with the backoff reset. Returns the unsubscribe.
   */
  nudges?: { subscribe(onNudge: () => void): () => void };
}

/** Runs until the root key is installed (by this loop or by a restore) or `signal` aborts. */
export async function recoverFromKeepers(opts: RecoveryOptions): Promise<void> {
  const { keepers, threshold, state, log, signal } = opts;
  const backoff = new Backoff({ initialMs: opts.initialIntervalMs ?? INITIAL_RECOVERY_INTERVAL_MS, maxMs: opts.maxIntervalMs });
  let lastReported: number | undefined;
  let lastRejected = false;
  let round = 0;
  let wake: AbortController | undefined;
  let nudged = false;
  const unsubscribe = opts.nudges?.subscribe(() => {
    nudged = true;
    wake?.abort();
  });
  try {
    while (!signal.aborted && !state.ready()) {
      round++;
      const shares = await collectRound(keepers, log);
      let usable = shares.length;
      try {
        if (signal.aborted || state.ready()) return;
        if (shares.length >= threshold) {
          const outcome = await rebuildAndInstall(shares, threshold, state, log);
          if (outcome === 'installed' || outcome === 'already') return;
          // The keepers hold shards of another key: as good as none.
          if (!lastRejected) {
            if (outcome === 'retired') log.warn('keepers hold shards of a root key this store retired by a rotation; waiting for keepers or an operator restore', { round });
            else log.warn('keepers hold shards of a different root key; waiting for keepers or an operator restore', { round });
          }
          lastRejected = true;
          usable = 0;
        } else {
          lastRejected = false;
          log.debug('keeper round without enough shards', { round, collected: shares.length, threshold });
        }
        if (usable !== lastReported && (await hasData(state, log))) {
          log.event('restore_needed', { collected: usable, threshold });
          lastReported = usable;
        }
      } finally {
        for (const s of shares) s.value.fill(0);
      }
      if (nudged) {
        nudged = false;
        backoff.reset();
        continue;
      }
      wake = new AbortController();
      try {
        await sleep(backoff.next(), undefined, { signal: AbortSignal.any([signal, wake.signal]) });
      } catch {
        if (signal.aborted) return; // aborted
        nudged = false;
        backoff.reset();
      } finally {
        wake = undefined;
      }
    }
  } finally {
    unsubscribe?.();
  }
}

async function hasData(state: NexusState, log: Logger): Promise<boolean> {
  try {
    return await state.hasKeyCheck();
  } catch (e) {
    log.warn('cannot read the store key-check value', { error: describeError(e) });
    return false;
  }
}

/** One round: every keeper in parallel; bad answers are logged and skipped. Sorted by id. */
async function collectRound(keepers: readonly KeeperLink[], log: Logger): Promise<Share[]> {
  const results = await Promise.allSettled(keepers.map((k) => k.fetchShard()));
  const shares: Share[] = [];
  results.forEach((r, i) => {
    const k = keepers[i];
    if (k === undefined) return;
    if (r.status === 'rejected') {
      log.debug('keeper shard fetch failed', { keeper: k.id, url: k.url, error: describeError(r.reason) });
      return;
    }
    const v = r.value;
    if (v === undefined) {
      log.debug('keeper holds no shard', { keeper: k.id, url: k.url });
      return;
    }
    if (v.length !== 32 || isAllZero(v) || !isValidScalar(v)) {
      v.fill(0);
      log.warn('keeper returned an unusable shard', { keeper: k.id, url: k.url });
      return;
    }
    shares.push({ id: k.id, value: v });
  });
  return shares.sort((a, b) => a.id - b.id);
}

export type SubsetSearch =
  /** `key` is a copy the caller zeroes. */
  | { readonly kind: 'found'; readonly key: Uint8Array; readonly ids: number[]; readonly tried: number }
  | { readonly kind: 'none'; readonly tried: number; readonly retired: boolean };

/**
 * The first threshold-subset of `shares` (ids ascending) whose rebuilt key
 * `check` calls 'match' or 'empty'. At most `limit` subsets are tried.
 */
export function findAcceptedSubset(
  shares: readonly Share[],
  threshold: number,
  check: (key: Uint8Array) => KeyCheck,
  limit = MAX_RECOVERY_SUBSETS,
): SubsetSearch {
  let tried = 0;
  let retired = false;
  for (const set of thresholdSubsets(shares, threshold)) {
    if (tried >= limit) break;
    tried++;
    let key: Uint8Array;
    try {
      key = recoverSecret(set, threshold);
    } catch {
      continue; // a set whose polynomial is zero at 0 rebuilds no key
    }
    const verdict = check(key);
    if (verdict === 'match' || verdict === 'empty') return { kind: 'found', key, ids: set.map((s) => s.id), tried };
    retired ||= verdict === 'retired';
    key.fill(0);
  }
  return { kind: 'none', tried, retired };
}

async function rebuildAndInstall(
  shares: Share[],
  threshold: number,
  state: NexusState,
  log: Logger,
): Promise<'installed' | 'already' | 'rejected' | 'retired'> {
  let found: SubsetSearch;
  try {
    found = await state.withKeyCheck((check) => findAcceptedSubset(shares, threshold, check));
  } catch (e) {
    log.warn('checking keeper shards against the store failed', { error: describeError(e) });
    return 'rejected';
  }
  if (found.kind === 'none') {
    // As NexusState.install reports a refused key (docs/contracts.md).
    log.event('root_key_rejected', { source: 'keepers', reason: found.retired ? 'retired' : 'key_check_mismatch', tried: found.tried });
    return found.retired ? 'retired' : 'rejected';
  }
  const key = found.key;
  if (found.tried > 1) log.info('keeper shards of more than one root key: using the subset the store accepts', { used: found.ids, tried: found.tried });
  try {
    const r = await state.install(key, 'keepers');
    if (r.ok) return 'installed';
    if (r.reason === 'already_installed') return 'already';
    return r.reason === 'retired' ? 'retired' : 'rejected';
  } finally {
    key.fill(0);
  }
}
