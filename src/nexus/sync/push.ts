// Shard distribution to the Keepers (upstream `sendShardsToKeepers`, done better):
// share i → keeper i every `intervalMs`, immediately after a recovery or a
// restore (pushNow), and — our addition — keepers whose last push failed are
// retried with backoff (500ms doubling to `retryMaxMs`) instead of waiting a
// whole interval, so a restarted keeper that Nexus saw down is refilled within
// about `retryMaxMs` of coming back. A keeper that restarts between two pushes
// without Nexus noticing stays empty for at most `intervalMs`.
// `keeper_refilled` (info) reports how long each failing keeper went without
// its shard, as seen by Nexus. Pushes never overlap.
import { setTimeout as sleep } from 'node:timers/promises';
import { computeShares, type Share } from '../../shamir/index.js';
import { Backoff } from '../../util/backoff.js';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { RootKey } from '../state/rootkey.js';
import type { KeeperLink } from './keepers.js';

/** First delay before a failed push is retried (then doubling up to `retryMaxMs`). */
const INITIAL_RETRY_MS = 500;

export interface KeeperSyncOptions {
  keepers: readonly KeeperLink[];
  rootKey: RootKey;
  threshold: number;
  shares: number;
  log: Logger;
  intervalMs: number;
  retryMaxMs: number;
  now?: () => number;
  /**
   * Asked before every push (several replicas on one store: docs/postgres.md § Root-key rotation):
   * false skips it — the store's key is one this replica lacks, so its shares must not reach a Keeper.
   * A throw is logged and the push goes ahead.
   */
  beforePush?: () => Promise<boolean>;
}

export interface PushReport {
  /** Keeper ids that accepted their shard. */
  ok: number[];
  /** Keeper ids that failed. */
  failed: number[];
  /** True when there was no root key (nothing sent). */
  skipped: boolean;
}

export interface PushOptions {
  /** Push only these keeper ids (default: every keeper). */
  only?: readonly number[];
  /** Called once per keeper that acknowledged its shard, as soon as it did (others may be in flight). */
  onAck?: (keeperId: number) => void;
}

export class KeeperSync {
  readonly #o: KeeperSyncOptions;
  readonly #now: () => number;
  /** keeper id → time of the first failed push since its last success. */
  readonly #failingSince = new Map<number, number>();
  #serial: Promise<unknown> = Promise.resolve();
  #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(opts: KeeperSyncOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError('keeper update interval must be > 0');
    if (opts.keepers.length !== opts.shares) {
      throw new RangeError(`keeper count (${opts.keepers.length}) must equal the share count (${opts.shares})`);
    }
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Keeper ids whose last push failed. */
  failing(): number[] {
    return [...this.#failingSince.keys()].sort((a, b) => a - b);
  }

  /** Keeper ids, ascending. */
  keeperIds(): number[] {
    return this.#o.keepers.map((k) => k.id).sort((a, b) => a - b);
  }

  /** Pushes every keeper (or `opts.only`) its share of the current root key now (serialised with other pushes). */
  pushNow(reason: string, opts: PushOptions = {}): Promise<PushReport> {
    const only = opts.only === undefined ? undefined : new Set(opts.only);
    const targets = only === undefined ? this.#o.keepers : this.#o.keepers.filter((k) => only.has(k.id));
    return this.#serialised(() => this.#push(targets, reason, opts.onAck));
  }

  /** Starts the periodic loop (idempotent). */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#loop = this.#run(this.#abort.signal);
  }

  /** Stops the loop and waits for a push in flight. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#serial.catch(() => undefined);
  }

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let nextFull = this.#now() + this.#o.intervalMs;
    const retries = new Backoff({ initialMs: INITIAL_RETRY_MS, maxMs: this.#o.retryMaxMs });
    while (!signal.aborted) {
      const untilFull = Math.max(0, nextFull - this.#now());
      const wait = this.#failingSince.size > 0 ? Math.min(retries.next(), untilFull) : untilFull;
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return; // aborted: stop() was called
      }
      if (this.#now() >= nextFull) {
        await this.#serialised(() => this.#push(this.#o.keepers, 'periodic'));
        nextFull = this.#now() + this.#o.intervalMs;
        retries.reset();
      } else if (this.#failingSince.size > 0) {
        const ids = new Set(this.#failingSince.keys());
        await this.#serialised(() => this.#push(this.#o.keepers.filter((k) => ids.has(k.id)), 'retry'));
      } else {
        retries.reset();
      }
    }
  }

  #acked(id: number, onAck: ((keeperId: number) => void) | undefined): void {
    try {
      onAck?.(id);
    } catch (e) {
      this.#o.log.error('push acknowledgement hook failed', { keeper: id, error: describeError(e) });
    }
  }

  async #push(targets: readonly KeeperLink[], reason: string, onAck?: (keeperId: number) => void): Promise<PushReport> {
    if (this.#o.beforePush !== undefined) {
      let go = true;
      try {
        go = await this.#o.beforePush();
      } catch (e) {
        this.#o.log.warn('checking the root key before a shard send failed; sending', { reason, error: describeError(e) });
      }
      if (!go) {
        this.#o.log.warn('the store holds a newer root key than this Nexus: skipping shard send', { reason });
        return { ok: [], failed: [], skipped: true };
      }
    }
    let shares: Share[] | undefined;
    try {
      shares = this.#o.rootKey.use((k) => computeShares(k, this.#o.threshold, this.#o.shares));
    } catch (e) {
      this.#o.log.error('computing shares failed', { error: describeError(e) });
      return { ok: [], failed: targets.map((k) => k.id), skipped: true };
    }
    if (shares === undefined) {
      this.#o.log.warn('no root key: skipping shard send', { reason });
      return { ok: [], failed: [], skipped: true };
    }
    try {
      const results = await Promise.allSettled(
        targets.map((k) => {
          const share = shares?.find((s) => s.id === k.id);
          if (share === undefined) return Promise.reject(new Error(`no share for keeper ${k.id}`));
          return k.contributeShard(share.value).then(() => this.#acked(k.id, onAck));
        }),
      );
      const report: PushReport = { ok: [], failed: [], skipped: false };
      results.forEach((r, i) => {
        const k = targets[i];
        if (k === undefined) return;
        const now = this.#now();
        if (r.status === 'fulfilled') {
          report.ok.push(k.id);
          const since = this.#failingSince.get(k.id);
          if (since !== undefined) {
            this.#failingSince.delete(k.id);
            this.#o.log.info('keeper_refilled', { keeper: k.id, url: k.url, withoutShardMs: now - since, reason });
          }
        } else {
          report.failed.push(k.id);
          if (!this.#failingSince.has(k.id)) {
            this.#failingSince.set(k.id, now);
            this.#o.log.warn('keeper_push_failed', { keeper: k.id, url: k.url, reason, error: describeError(r.reason) });
          }
        }
      });
      this.#o.log.debug('shards pushed to keepers', { reason, ok: report.ok, failed: report.failed });
      return report;
    } finally {
      for (const s of shares) s.value.fill(0);
    }
  }
}
