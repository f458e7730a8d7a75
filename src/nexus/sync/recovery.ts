// Recovery of the root key from the Keepers (upstream
// `InitializeBackingStoreFromKeepers`, done better): each round asks every keeper for its shard in parallel; only the
// shards of ONE round are combined (no stale mixing across rounds); as soon as
// a round yields `threshold` good shards the key is rebuilt, checked against
// the store and installed (NexusState pushes to the keepers right after).
// Between rounds: backoff from 500ms doubling up to `maxIntervalMs`. After a
// round without enough shards, when the store holds data, `restore_needed` is
// logged (once per change of the collected count).
import { setTimeout as sleep } from 'node:timers/promises';
import { isValidScalar, recoverSecret, type Share } from '../../shamir/index.js';
import { Backoff } from '../../util/backoff.js';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { NexusState } from '../state/nexus-state.js';
import { isAllZero } from '../../protocol/bytes.js';
import type { KeeperLink } from './keepers.js';

export const INITIAL_RECOVERY_INTERVAL_MS = 500;

export interface RecoveryOptions {
  keepers: readonly KeeperLink[];
  threshold: number;
  state: NexusState;
  log: Logger;
  maxIntervalMs: number;
  signal: AbortSignal;
  initialIntervalMs?: number;
}

/** Runs until the root key is installed (by this loop or by a restore) or `signal` aborts. */
export async function recoverFromKeepers(opts: RecoveryOptions): Promise<void> {
  const { keepers, threshold, state, log, signal } = opts;
  const backoff = new Backoff({ initialMs: opts.initialIntervalMs ?? INITIAL_RECOVERY_INTERVAL_MS, maxMs: opts.maxIntervalMs });
  let lastReported: number | undefined;
  let lastRejected = false;
  let round = 0;
  while (!signal.aborted && !state.ready()) {
    round++;
    const shares = await collectRound(keepers, log);
    let usable = shares.length;
    try {
      if (signal.aborted || state.ready()) return;
      if (shares.length >= threshold) {
        const outcome = await rebuildAndInstall(shares.slice(0, threshold), threshold, state, log);
        if (outcome === 'installed' || outcome === 'already') return;
        // The keepers hold shards of another key: as good as none.
        if (!lastRejected) log.warn('keepers hold shards of a different root key; waiting for keepers or an operator restore', { round });
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
    try {
      await sleep(backoff.next(), undefined, { signal });
    } catch {
      return; // aborted
    }
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

async function rebuildAndInstall(
  shares: Share[],
  threshold: number,
  state: NexusState,
  log: Logger,
): Promise<'installed' | 'already' | 'rejected'> {
  let key: Uint8Array;
  try {
    key = recoverSecret(shares, threshold);
  } catch (e) {
    log.warn('rebuilding the root key from keeper shards failed', { error: describeError(e) });
    return 'rejected';
  }
  try {
    const r = await state.install(key, 'keepers');
    if (r.ok) return 'installed';
    return r.reason === 'already_installed' ? 'already' : 'rejected';
  } finally {
    key.fill(0);
  }
}
