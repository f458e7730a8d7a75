// Keeps one replica's root keys in step with a store several replicas share
// (PostgreSQL; docs/postgres.md § Root-key rotation). A LISTEN connection on
// the rotation channel makes the replica re-read the store's keys at once when
// another replica begins a rotation, re-encrypts a batch or finishes; a poll
// is the safety net: every second while LISTEN is down, every
// ROTATION_POLL_RUNNING_MS while a rotation runs (so that a replica takes the
// rotation over when its driver stops renewing the lease), every
// ROTATION_POLL_IDLE_MS otherwise. What a re-read found reaches the replica
// through the store's onKeys hook (keys learned or dropped; key lacking).
import { describeError, type Logger } from '../../common/log.js';
import type { PostgresConfig } from '../store/postgres/connection.js';
import { startChangeListener, type ChangeListener } from '../store/postgres/listen.js';
import { ROTATION_CHANNEL } from '../store/postgres/rotation.js';
import type { SharedStoreRotation } from '../store/postgres/rotation-api.js';
import type { NexusStore } from '../store/nexus-store.js';
import { isShared } from './types.js';
import { rerunner } from './rerun.js';

export const ROTATION_POLL_UNLISTENED_MS = 1_000;
export const ROTATION_POLL_RUNNING_MS = 5_000;
export const ROTATION_POLL_IDLE_MS = 30_000;

export interface RotationWatchOptions {
  readonly config: PostgresConfig;
  readonly log: Logger;
  /** The open store's rotation (undefined while no store is open). */
  readonly rotation: () => SharedStoreRotation | undefined;
  /** A rotation runs (after a re-read): this replica may take it over (RotationEngine.resume). */
  readonly onRunning: () => void;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Poll periods (tests): defaults ROTATION_POLL_UNLISTENED_MS, ROTATION_POLL_RUNNING_MS, ROTATION_POLL_IDLE_MS. */
  readonly pollMs?: { readonly unlistened: number; readonly running: number; readonly idle: number };
}

export interface RotationWatch {
  /** True while LISTEN is in effect. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export function watchSharedRotation(opts: RotationWatchOptions): RotationWatch {
  let listening = false;
  let lastRefresh = 0;
  let closed = false;

  /**
   * Re-reads the keys; `poll`: also tells onRunning (not on every batch's
   * notification: a take-over is only worth trying now and then). A request
   * while a re-read runs gets one more re-read after it (rerun.ts): a
   * notification may announce a change that the running read began too early
   * to see.
   */
  const refresher = rerunner(async (poll) => {
    const rotation = opts.rotation();
    if (rotation === undefined) return;
    lastRefresh = Date.now();
    try {
      await rotation.refresh();
      if (poll && !closed && rotation.status() !== undefined) opts.onRunning();
    } catch (e) {
      opts.log.debug('re-reading the root-key state failed', { error: describeError(e) });
    }
  });
  const refresh = (poll = false): void => refresher.request(poll);

  const listener: ChangeListener = startChangeListener({
    config: opts.config,
    channel: ROTATION_CHANNEL,
    onNotify: () => refresh(),
    onListening: () => {
      listening = true;
      refresh(true);
    },
    onLost: (e) => {
      listening = false;
      opts.log.event('rotation_notifications_lost', { error: describeError(e), polling_ms: ROTATION_POLL_UNLISTENED_MS });
    },
    ...(opts.retryInitialMs === undefined ? {} : { retryInitialMs: opts.retryInitialMs }),
    ...(opts.retryMaxMs === undefined ? {} : { retryMaxMs: opts.retryMaxMs }),
  });

  const poll = opts.pollMs ?? { unlistened: ROTATION_POLL_UNLISTENED_MS, running: ROTATION_POLL_RUNNING_MS, idle: ROTATION_POLL_IDLE_MS };
  const tick = setInterval(
    () => {
      const every = !listening ? poll.unlistened : opts.rotation()?.status() !== undefined ? poll.running : poll.idle;
      if (Date.now() - lastRefresh >= every) refresh(true);
    },
    Math.min(poll.unlistened, poll.running, poll.idle),
  );
  tick.unref();

  return {
    get listening() {
      return listener.listening;
    },
    async close() {
      closed = true;
      refresher.close();
      clearInterval(tick);
      await refresher.idle();
      await listener.close();
    },
  };
}

/**
 * Re-reads the shared store's keys (a store without a shared rotation: true at once);
 * false when the store's key is one this replica lacks. What changed reaches the
 * replica through the store's onKeys hook before this resolves.
 */
export async function keysInStep(host: { store(): Pick<NexusStore, 'rotation'> | undefined }): Promise<boolean> {
  const r = host.store()?.rotation;
  if (r === undefined || !isShared(r)) return true;
  return (await r.refresh()) !== 'stale';
}
