// The StoreGate of the postgres backend (docs/postgres.md § Nexus on PostgreSQL).
// Loaded with import() by store-gate.ts, so that the SQLite path never loads pg.
//
// - Start: connect (pool, schema migrations); while the server cannot be
//   reached, retry with a capped exponential backoff. Any other failure (bad
//   URL, refused password, no database, TLS, a newer schema) ends the start
//   with its one-line message. Never the password: messages name
//   user@host:port/database only.
// - Key checks read the database; restore's many candidates are checked in
//   memory against key-check values read once (loadPostgresKeyChecker).
// - After start, the database may go away: calls then fail with
//   StoreUnavailableError (Nexus answers 503) and the pool reconnects by
//   itself when the server is back. The health tracker logs one line when the
//   database becomes unavailable and one when it answers again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import { Backoff } from '../../util/backoff.js';
import type { NexusDatabaseConfig } from '../database-config.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { NexusStore } from '../store/nexus-store.js';
import {
  checkPostgresRootKey,
  connectPostgres,
  loadPostgresKeyChecker,
  openPostgresStore,
  PostgresConnectError,
  postgresStoreHoldsData,
  type PostgresDatabase,
} from '../store/postgres/index.js';
import { checkReplicaName, listReplicas, removeHeartbeat, writeHeartbeat } from '../store/postgres/heartbeat.js';
import { POLICY_CHANNEL, startChangeListener, type ChangeListener } from '../store/postgres/listen.js';
import type { ReplicaCoordination, RotationChangeSink, StoreGate } from './store-interface.js';
import { isShared } from '../rotation/types.js';
import { watchSharedRotation, type RotationWatch } from '../rotation/replica-watch.js';

export interface PostgresGateOptions {
  readonly database: NexusDatabaseConfig;
  readonly maxVersions: number;
  readonly log: Logger;
  /** Connect retry pacing while the server is unreachable at start (defaults 250 ms → 5 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Ends the connect retries (shutdown during start). */
  readonly signal?: AbortSignal;
  /** Heartbeat period (default HEARTBEAT_INTERVAL_MS; tests shorten it). */
  readonly heartbeatIntervalMs?: number;
}

/** Logs the database's state changes (one line each), never a line per failed call. */
export class DatabaseHealth {
  #up = true;

  constructor(
    private readonly log: Logger,
    private readonly target: string,
  ) {}

  get up(): boolean {
    return this.#up;
  }

  /** The database failed to answer (a call, or an idle connection's error). */
  down(e: unknown): void {
    if (!this.#up) return;
    this.#up = false;
    this.log.event('database_unavailable', { database: this.target, error: describeError(e) });
  }

  /** The database answered. */
  answered(): void {
    if (this.#up) return;
    this.#up = true;
    this.log.event('database_available', { database: this.target });
  }

  /** `p`, noting whether the database answered (any outcome but StoreUnavailableError) or not. */
  track<T>(p: Promise<T>): Promise<T> {
    return p.then(
      (v) => {
        this.answered();
        return v;
      },
      (e: unknown) => {
        if (e instanceof StoreUnavailableError) this.down(e);
        else this.answered();
        throw e;
      },
    );
  }
}

/** The store with every call tracked by `health`. */
export function trackedStore(store: NexusStore, health: DatabaseHealth): NexusStore {
  const t = <A extends unknown[], T>(f: (...a: A) => Promise<T>) => (...a: A): Promise<T> => health.track(f(...a));
  const g = store.grouped;
  return {
    kind: store.kind,
    getSecret: t((path: string, version?: number) => store.getSecret(path, version)),
    getSecretMetadata: t((path: string, version?: number) => store.getSecretMetadata(path, version)),
    listSecretPaths: t(() => store.listSecretPaths()),
    getPolicy: t((name: string) => store.getPolicy(name)),
    listPolicies: t(() => store.listPolicies()),
    grouped: {
      putSecret: t(g.putSecret.bind(g)),
      deleteSecretVersions: t(g.deleteSecretVersions.bind(g)),
      undeleteSecretVersions: t(g.undeleteSecretVersions.bind(g)),
      putPolicy: t(g.putPolicy.bind(g)),
      deletePolicy: t(g.deletePolicy.bind(g)),
    },
    close: () => store.close(),
    ...(store.rotation === undefined ? {} : { rotation: store.rotation }),
  };
}

/** connectPostgres, retried while the server is unreachable; one log line when that starts and one when connected. */
export async function connectWithRetry(opts: PostgresGateOptions, onIdleError: (e: Error) => void): Promise<PostgresDatabase> {
  const { database, log } = opts;
  const backoff = new Backoff({ initialMs: opts.retryInitialMs ?? 250, maxMs: opts.retryMaxMs ?? 5_000, jitter: 0.2 });
  let waiting = false;
  for (;;) {
    try {
      const db = await connectPostgres(
        { url: database.url, ...(database.password === undefined ? {} : { password: database.password }), applicationName: 'spike-nexus' },
        { onIdleError },
      );
      log.event('database_connected', { database: db.target, schema_version: db.schemaVersion, applied_migrations: db.appliedMigrations.length });
      return db;
    } catch (e) {
      if (!(e instanceof PostgresConnectError) || e.reason !== 'unreachable') throw e;
      if (!waiting) {
        waiting = true;
        log.event('database_unreachable', { error: e.message, retrying: true });
      }
      await sleep(backoff.next(), undefined, opts.signal === undefined ? undefined : { signal: opts.signal });
    }
  }
}

/** Heartbeat period; replicas whose heartbeat is older than REPLICA_SEEN_WITHIN_MS are not listed. */
export const HEARTBEAT_INTERVAL_MS = 3_000;
export const REPLICA_SEEN_WITHIN_MS = 30_000;
/** How often a replica compares its readiness with its last heartbeat (an in-process check; it writes only on a change). */
export const READINESS_WATCH_MS = 100;
/** A safety net under LISTEN/NOTIFY: the policy index is dropped this often anyway. */
export const POLICY_SAFETY_RELOAD_MS = 60_000;

/**
 * The replicas' coordination on `db` (docs/postgres.md § Several replicas):
 * LISTEN for policy writes on a connection of its own, heartbeats through the
 * pool (tracked, so that a silent database is noticed even without traffic).
 */
export function postgresReplicas(
  db: PostgresDatabase,
  opts: PostgresGateOptions,
  tracker: DatabaseHealth,
  openStore: () => NexusStore | undefined = () => undefined,
): ReplicaCoordination & { rotationSink(): RotationChangeSink | undefined } {
  const { log, database } = opts;
  let listener: ChangeListener | undefined;
  let rotationWatch: RotationWatch | undefined;
  let rotationSink: RotationChangeSink | undefined;
  let safety: NodeJS.Timeout | undefined;
  let beat: { timer: NodeJS.Timeout; watch?: NodeJS.Timeout; name: string; running?: Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  const startedAt = new Date();
  return {
    watchPolicies(sink) {
      if (listener !== undefined || stopping !== undefined) throw new Error('policies are watched already');
      sink.suspend();
      listener = startChangeListener({
        config: { url: database.url, ...(database.password === undefined ? {} : { password: database.password }) },
        channel: POLICY_CHANNEL,
        onNotify: () => sink.invalidate(),
        onListening: () => {
          sink.resume();
          log.event('policy_notifications_listening', { database: db.target });
        },
        onLost: (e) => {
          sink.suspend();
          log.event('policy_notifications_lost', { database: db.target, error: describeError(e), policy_cache: 'off' });
        },
        ...(opts.retryInitialMs === undefined ? {} : { retryInitialMs: opts.retryInitialMs }),
        ...(opts.retryMaxMs === undefined ? {} : { retryMaxMs: opts.retryMaxMs }),
      });
      safety = setInterval(() => sink.invalidate(), POLICY_SAFETY_RELOAD_MS);
      safety.unref();
    },
    startHeartbeat(name, ready, advertiseUrl, key) {
      checkReplicaName(name);
      if (beat !== undefined || stopping !== undefined) throw new Error('the heartbeat runs already');
      let written: boolean | undefined;
      const write = (): void => {
        if (beat === undefined || beat.running !== undefined) return;
        const b = beat;
        const now = ready();
        written = now;
        b.running = tracker
          .track(writeHeartbeat(db.pool, name, now, startedAt, advertiseUrl, key?.()))
          .catch((e: unknown) => log.debug('heartbeat not written', { error: describeError(e) }))
          .finally(() => (b.running = undefined));
      };
      beat = { timer: setInterval(write, opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS), name };
      beat.timer.unref();
      // Readiness changed (key installed or dropped, database back or gone): write at once, not at the next period.
      beat.watch = setInterval(() => ready() !== written && write(), READINESS_WATCH_MS);
      beat.watch.unref();
      write();
    },
    watchRotation(sink) {
      if (rotationWatch !== undefined || stopping !== undefined) throw new Error('rotations are watched already');
      rotationSink = sink;
      rotationWatch = watchSharedRotation({
        config: { url: database.url, ...(database.password === undefined ? {} : { password: database.password }) },
        log,
        rotation: () => {
          const r = openStore()?.rotation;
          return r !== undefined && isShared(r) ? r : undefined;
        },
        onRunning: () => sink.rotationRunning(),
        ...(opts.retryInitialMs === undefined ? {} : { retryInitialMs: opts.retryInitialMs }),
        ...(opts.retryMaxMs === undefined ? {} : { retryMaxMs: opts.retryMaxMs }),
      });
    },
    rotationSink: () => rotationSink,
    list: () => tracker.track(listReplicas(db.pool, REPLICA_SEEN_WITHIN_MS)),
    databaseUp: () => tracker.up,
    stop() {
      stopping ??= (async () => {
        if (safety !== undefined) clearInterval(safety);
        const b = beat;
        beat = undefined;
        if (b !== undefined) {
          clearInterval(b.timer);
          clearInterval(b.watch);
          await b.running;
          // A clean stop: the replica is gone, not late (a database out of reach may not delay the stop by more than 2 s).
          if (!db.closed) await Promise.race([removeHeartbeat(db.pool, b.name).catch(() => undefined), sleep(2_000, undefined, { ref: false })]);
        }
        await listener?.close();
        await rotationWatch?.close();
      })();
      return stopping;
    },
  };
}

export async function openPostgresGate(opts: PostgresGateOptions): Promise<StoreGate> {
  const box: { health?: DatabaseHealth } = {};
  // Before the pool exists nothing can be idle; afterwards an idle connection's error marks the database down.
  const db = await connectWithRetry(opts, (e) => box.health?.down(e));
  const tracker = new DatabaseHealth(opts.log, db.target);
  box.health = tracker;
  let current: NexusStore | undefined;
  const replicas = postgresReplicas(db, opts, tracker, () => current);
  const onKeys = (what: 'changed' | 'stale'): void => {
    const sink = replicas.rotationSink();
    try {
      if (what === 'changed') sink?.keysChanged();
      else {
        opts.log.event('root_key_retired_elsewhere', { database: db.target, action: 'fetching the new key from the keepers' });
        sink?.keyRetired();
      }
    } catch (e) {
      opts.log.error('acting on a root-key change failed', { error: describeError(e) });
    }
  };
  /** The store on the gate's pool (the gate ends it): a replica whose key was retired opens it again with the new key. */
  const open = async (key: Uint8Array): Promise<NexusStore> => {
    const store = await tracker.track(openPostgresStore(db, { rootKey: key, maxVersions: opts.maxVersions, keepDatabaseOpen: true, onKeys }));
    const tracked = trackedStore(store, tracker);
    const opened: NexusStore = {
      ...tracked,
      close: async () => {
        if (current === opened) current = undefined;
        await tracked.close();
      },
    };
    current = opened;
    return opened;
  };
  return {
    replicas,
    hasKeyCheck: () => tracker.track(postgresStoreHoldsData(db)),
    checkKey: (key) => tracker.track(checkPostgresRootKey(db, key)),
    withKeyCheck: async (fn) => fn(await tracker.track(loadPostgresKeyChecker(db))),
    open,
    // Idempotent; the store leaves the pool open (a replica may open it again after a rotation).
    close: async () => {
      await replicas.stop();
      await db.close();
    },
  };
}
