// The root-key rotation (docs/design.md § Root-key rotation), Nexus's side.
// The store is the source of truth; this engine only drives it:
//   1. begin (one transaction: new key K', both keys wrapped, phase
//      'reencrypting'); right after it commits the in-memory root key is K'
//      (what the Keepers get, what recover exports);
//   2. re-encrypt in batches of `batchSize` rows (each one transaction, its
//      cursor saved in it), yielding to the event loop between batches so
//      requests keep being served; the last batch sets phase 'pushing';
//   3. push K' shares to every Keeper, retrying with backoff the ones that
//      have not acknowledged (progress().waiting) until all have;
//   4. finish (one transaction: K' is the key, K retired; the store zeroes K).
// A restart at any point resumes from the stored phase and cursor (resume()).
// One rotation at a time: start() while one runs answers it ('running').
// On a store shared by several replicas (PostgreSQL) every step is awaited,
// start() first reads the store's rotation state (one may run through another
// replica), and the replica holding the rotation's lease drives it; the others
// take the lease over (resume()) when its holder stops renewing it.
// Failures are logged and retried; nothing here throws out of the loop or
// stops the process. Audit lines carry the caller and shard-set
// fingerprints, never key material.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import { NO_FAILPOINTS, type Failpoints } from '../../common/failpoint.js';
import { Backoff } from '../../util/backoff.js';
import type { PushOptions, PushReport } from '../sync/push.js';
import { fingerprintOf } from './fingerprint.js';
import { generateRootKey } from '../../shamir/index.js';
import { isShared, rotationOf, type AnyStoreRotation, type RotationPhase, type RotationStatus, type SharedStoreRotation } from './types.js';
import { StoreError } from '../store/errors.js';
import type { NexusStore } from '../store/index.js';

/** Rows re-encrypted per transaction. */
export const ROTATION_BATCH_ROWS = 500;
/** First delay before a failed step or a missing keeper is retried (then doubling up to `retryMaxMs`). */
export const ROTATION_RETRY_INITIAL_MS = 500;

/** What the engine needs of NexusState. */
export interface RotationHost {
  /** The open store (undefined before the root key is known). */
  store(): Pick<NexusStore, 'rotation'> | undefined;
  /** Makes the in-memory root key the store's sealing key (K' once a rotation began). */
  adoptSealingKey(): void;
}

/** What the engine needs of KeeperSync. */
export interface RotationPusher {
  keeperIds(): number[];
  pushNow(reason: string, opts: PushOptions): Promise<PushReport>;
}

export interface RotationEngineOptions {
  host: RotationHost;
  /** Undefined: no Keepers to push to (the push phase is then immediate). */
  pusher?: RotationPusher;
  threshold: number;
  shares: number;
  log: Logger;
  failpoints?: Failpoints;
  batchSize?: number;
  retryInitialMs?: number;
  retryMaxMs: number;
  /** The new key's source (tests); the engine zeroes what it returns. */
  newKey?: () => Uint8Array;
  now?: () => number;
}

/** Where a rotation stands (no key material). */
export interface RotationProgress {
  readonly phase: RotationPhase;
  readonly done: number;
  readonly total: number;
  readonly unreadable: number;
  readonly startedAt: Date;
  readonly startedBy: string;
  /** Shard-set fingerprint of the key being replaced. */
  readonly previousFingerprint: string;
  /** Shard-set fingerprint of the new key. */
  readonly fingerprint: string;
  /** Keeper ids that have not acknowledged their new shard (phase 'pushing'), ascending. */
  readonly waiting: number[];
}

export type StartResult =
  | { readonly kind: 'started' | 'running'; readonly progress: RotationProgress }
  /** The store cannot rotate (memory, lite). */
  | { readonly kind: 'unsupported' }
  /** No root key yet. */
  | { readonly kind: 'not_ready' }
  | { readonly kind: 'closed' }
  /** begin failed (logged); nothing changed. */
  | { readonly kind: 'failed' };

interface Run {
  readonly rotation: AnyStoreRotation;
  readonly previousFingerprint: string;
  readonly fingerprint: string;
  /** Keeper ids that have not acknowledged yet (filled when the push phase starts). */
  readonly waiting: Set<number>;
  pushing: boolean;
  done: Promise<void>;
}

export class RotationEngine {
  readonly #o: RotationEngineOptions;
  readonly #fp: Failpoints;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  #run: Run | undefined;
  #claiming = false;

  constructor(opts: RotationEngineOptions) {
    this.#o = opts;
    this.#fp = opts.failpoints ?? NO_FAILPOINTS;
    this.#now = opts.now ?? Date.now;
  }

  /** Begins a rotation for `caller` (a SPIFFE ID, for the audit trail), or reports the one that runs. */
  async start(caller: string): Promise<StartResult> {
    if (this.#abort.signal.aborted) return { kind: 'closed' };
    const store = this.#o.host.store();
    if (store === undefined) return { kind: 'not_ready' };
    const rotation = rotationOf(store);
    if (rotation === undefined) return { kind: 'unsupported' };
    if (isShared(rotation)) {
      // One may run through another replica.
      try {
        await rotation.refresh();
      } catch (e) {
        this.#o.log.error('reading the stored rotation failed', { error: describeError(e) });
        return { kind: 'failed' };
      }
    }
    if (this.#run !== undefined || rotation.status() !== undefined) {
      this.resume();
      const p = this.progress();
      if (p !== undefined) return { kind: 'running', progress: p };
    }
    this.#fp.hit('rotation.before_begin');
    const shape = this.#o;
    let status: RotationStatus;
    let previousFingerprint: string;
    let fingerprint: string;
    const key = (this.#o.newKey ?? generateRootKey)();
    try {
      previousFingerprint = rotation.withSealingKey((k) => fingerprintOf(k, shape));
      fingerprint = fingerprintOf(key, shape);
      const begun = rotation.begin(key, caller);
      status = begun instanceof Promise ? await begun : begun;
    } catch (e) {
      if (isShared(rotation) && e instanceof StoreError && e.code === 'conflict') {
        // Another replica began one meanwhile: report it.
        await rotation.refresh().catch(() => undefined);
        const p = this.progress();
        if (p !== undefined) return { kind: 'running', progress: p };
      }
      this.#o.log.error('rotation could not begin', { caller, error: describeError(e) });
      return { kind: 'failed' };
    } finally {
      key.fill(0);
    }
    this.#adoptSealingKey();
    this.#fp.hit('rotation.after_begin');
    this.#o.log.audit('rotation_started', { caller, previousFingerprint, fingerprint, total: status.total });
    this.#launch(rotation, previousFingerprint, fingerprint, status);
    return { kind: 'started', progress: this.#progressOf(status) };
  }

  /** Continues a rotation the store holds (after a restart); a no-op when none or when it already runs. */
  resume(): void {
    if (this.#abort.signal.aborted || this.#run !== undefined) return;
    const rotation = rotationOf(this.#o.host.store());
    if (rotation !== undefined && isShared(rotation)) {
      void this.#claimAndLaunch(rotation);
      return;
    }
    let status: RotationStatus | undefined;
    let previousFingerprint: string;
    let fingerprint: string;
    try {
      status = rotation?.status();
      if (rotation === undefined || status === undefined) return;
      fingerprint = rotation.withSealingKey((k) => fingerprintOf(k, this.#o));
      previousFingerprint = rotation.withPreviousKey((k) => fingerprintOf(k, this.#o)) ?? '';
    } catch (e) {
      this.#o.log.error('reading the stored rotation failed', { error: describeError(e) });
      return;
    }
    this.#adoptSealingKey();
    this.#o.log.audit('rotation_resumed', { caller: status.startedBy, phase: status.phase, done: status.done, total: status.total, previousFingerprint, fingerprint });
    this.#launch(rotation, previousFingerprint, fingerprint, status);
  }

  /** Shared store: drives the rotation if this replica gets its lease (none runs, or another replica's lease is live: nothing). */
  async #claimAndLaunch(rotation: SharedStoreRotation): Promise<void> {
    if (this.#claiming) return;
    this.#claiming = true;
    try {
      if (!(await rotation.claim()) || this.#abort.signal.aborted || this.#run !== undefined) return;
      const status = rotation.status();
      if (status === undefined) return;
      const fingerprint = rotation.withSealingKey((k) => fingerprintOf(k, this.#o));
      const previousFingerprint = rotation.withPreviousKey((k) => fingerprintOf(k, this.#o)) ?? '';
      this.#adoptSealingKey();
      this.#o.log.audit('rotation_resumed', { caller: status.startedBy, phase: status.phase, done: status.done, total: status.total, previousFingerprint, fingerprint });
      this.#launch(rotation, previousFingerprint, fingerprint, status);
    } catch (e) {
      this.#o.log.warn('taking over the root-key rotation failed', { error: describeError(e) });
    } finally {
      this.#claiming = false;
    }
  }

  /** The rotation in progress (the store's or this engine's), or undefined. */
  progress(): RotationProgress | undefined {
    const run = this.#run;
    let status: RotationStatus | undefined;
    try {
      status = (run?.rotation ?? rotationOf(this.#o.host.store()))?.status();
    } catch (e) {
      this.#o.log.warn('reading the rotation status failed', { error: describeError(e) });
      return undefined;
    }
    return status === undefined ? undefined : this.#progressOf(status);
  }

  /** Stops driving the rotation (it stays in the store; the next start resumes it) and waits for the step in flight. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#run?.done;
  }

  #progressOf(status: RotationStatus): RotationProgress {
    const run = this.#run;
    // Not driven here (another replica drives it): the fingerprints of the keys this replica holds for it.
    const keys = run === undefined ? this.#heldFingerprints() : undefined;
    return {
      phase: status.phase,
      done: status.done,
      total: status.total,
      unreadable: status.unreadable,
      startedAt: status.startedAt,
      startedBy: status.startedBy,
      previousFingerprint: run?.previousFingerprint ?? keys?.previousFingerprint ?? '',
      fingerprint: run?.fingerprint ?? keys?.fingerprint ?? '',
      waiting: status.phase === 'pushing' && run !== undefined ? this.#waitingOf(run) : [],
    };
  }

  #heldFingerprints(): { fingerprint: string; previousFingerprint: string } | undefined {
    try {
      const rotation = rotationOf(this.#o.host.store());
      if (rotation === undefined || rotation.withPreviousKey(() => true) === undefined) return undefined;
      return {
        fingerprint: rotation.withSealingKey((k) => fingerprintOf(k, this.#o)),
        previousFingerprint: rotation.withPreviousKey((k) => fingerprintOf(k, this.#o)) ?? '',
      };
    } catch {
      return undefined;
    }
  }

  #waitingOf(run: Run): number[] {
    if (!run.pushing) return this.#o.pusher?.keeperIds() ?? [];
    return [...run.waiting].sort((a, b) => a - b);
  }

  #adoptSealingKey(): void {
    try {
      this.#o.host.adoptSealingKey();
    } catch (e) {
      // Retried before every push: the Keepers never get shares of another key.
      this.#o.log.error('switching the in-memory root key failed', { error: describeError(e) });
    }
  }

  #launch(rotation: AnyStoreRotation, previousFingerprint: string, fingerprint: string, status: RotationStatus): void {
    const run: Run = { rotation, previousFingerprint, fingerprint, waiting: new Set(), pushing: false, done: Promise.resolve() };
    this.#run = run;
    run.done = this.#drive(run, status).finally(() => {
      if (this.#run === run) this.#run = undefined;
    });
  }

  async #drive(run: Run, first: RotationStatus): Promise<void> {
    const backoff = new Backoff({ initialMs: this.#o.retryInitialMs ?? ROTATION_RETRY_INITIAL_MS, maxMs: this.#o.retryMaxMs });
    const started = first.startedAt.getTime();
    let decile = first.total === 0 ? 10 : Math.floor((first.done * 10) / first.total);
    let lastWaiting = '';
    await nextTurn(); // the caller (a request, an install) completes first
    while (!this.#abort.signal.aborted) {
      let wait: number | undefined;
      try {
        const shared = isShared(run.rotation);
        if (shared && !(await (run.rotation as SharedStoreRotation).claim())) {
          // Finished, or another replica holds the lease now (this one stopped renewing it in time).
          if (run.rotation.status() !== undefined) this.#o.log.audit('rotation_handed_over', { fingerprint: run.fingerprint });
          return;
        }
        const s = run.rotation.status();
        if (s === undefined) return; // finished (or dropped) under us: nothing left to drive
        if (s.phase === 'reencrypting') {
          const n = await run.rotation.reencryptBatch(this.#o.batchSize ?? ROTATION_BATCH_ROWS, { beforeCommit: () => this.#fp.hit('rotation.in_batch') });
          this.#fp.hit('rotation.after_batch');
          const d = n.total === 0 ? 10 : Math.floor((n.done * 10) / n.total);
          if (d > decile && n.phase === 'reencrypting') this.#o.log.audit('rotation_progress', { done: n.done, total: n.total });
          decile = d;
          if (n.phase === 'pushing') {
            this.#o.log.audit('rotation_reencrypted', { rows: n.done, total: n.total, unreadable: n.unreadable, fingerprint: run.fingerprint });
            if (n.unreadable > 0) this.#o.log.warn('rotation: rows neither key opens were left as they are', { unreadable: n.unreadable });
            this.#fp.hit('rotation.after_reencrypt');
          }
          backoff.reset();
          await nextTurn(); // requests are served between batches (reads and writes)
          continue;
        }
        const waiting = await this.#pushNewShares(run);
        if (this.#abort.signal.aborted) return;
        if (waiting.length > 0) {
          const key = waiting.join(',');
          if (key !== lastWaiting) this.#o.log.audit('rotation_waiting_keepers', { keepers: waiting, fingerprint: run.fingerprint });
          lastWaiting = key;
          wait = backoff.next();
        } else {
          this.#fp.hit('rotation.before_finish');
          await run.rotation.finish();
          this.#fp.hit('rotation.after_finish');
          this.#o.log.audit('rotation_finished', {
            caller: s.startedBy,
            previousFingerprint: run.previousFingerprint,
            fingerprint: run.fingerprint,
            rows: s.done,
            unreadable: s.unreadable,
            durationMs: Math.max(0, this.#now() - started),
          });
          return;
        }
      } catch (e) {
        if (this.#abort.signal.aborted) return;
        this.#o.log.error('rotation step failed; retrying', { error: describeError(e) });
        wait = backoff.next();
      }
      try {
        await sleep(wait, undefined, { signal: this.#abort.signal });
      } catch {
        return; // closed
      }
    }
  }

  /** Pushes the new key's shares to the keepers that have not acknowledged yet; returns those still waiting. */
  async #pushNewShares(run: Run): Promise<number[]> {
    const pusher = this.#o.pusher;
    if (pusher === undefined) return [];
    if (!run.pushing) {
      for (const id of pusher.keeperIds()) run.waiting.add(id);
      run.pushing = true;
    }
    // The pushed shares are the in-memory key's: make sure it is the new one.
    this.#o.host.adoptSealingKey();
    await pusher.pushNow('rotation', {
      only: [...run.waiting],
      onAck: (id) => {
        run.waiting.delete(id);
        this.#fp.hit('rotation.after_push_one');
      },
    });
    return [...run.waiting].sort((a, b) => a - b);
  }
}
