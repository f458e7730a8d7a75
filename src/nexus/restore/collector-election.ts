// Which Nexus replica collects restore shards, agreed through the shared
// PostgreSQL database (docs/design.md § Restore through any replica).
//
// The collector is the replica holding the session-level advisory lock
// ADVISORY_LOCKS.restoreCollector on a connection of its own. Holding it, the
// replica records that connection's backend pid and its mTLS URL in its row
// of spike_ts_replicas; any other replica finds the collector by joining that
// row with pg_locks, so a row left behind by a dead collector never counts:
// the lock went with its connection. Nothing secret passes through here (a
// name, a URL, a pid): shard values travel only replica to replica over mTLS.
//
// When the lock connection is lost, the lock is gone (another replica may
// take it at once) and `onLost` is told: the owner must drop its partial
// collection, which the operator then resends to the new collector.
import pg from 'pg';
import { singleClientConfig } from '../store/postgres/client-config.js';
import type { PostgresConfig } from '../store/postgres/connection.js';
import { ADVISORY_LOCKS, REPLICAS_TABLE } from '../store/postgres/schema.js';

/** The channel the collector NOTIFYs on once the root key is restored (payload: RESTORED_PAYLOAD). */
export const RESTORE_CHANNEL = 'spike_ts_restore';
export const RESTORED_PAYLOAD = 'restored';

export type CollectorRole =
  /**
   * This replica holds the lock: it collects. `previous`: only when this call
   * took the lock and found that a replica had held it before and stopped
   * without giving it back (its collection is lost).
   */
  | { readonly kind: 'self'; readonly previous?: string }
  /** Another live replica holds the lock: forward to it. */
  | { readonly kind: 'forward'; readonly name: string; readonly url: string }
  /** The lock is held but its holder is not known yet (it is writing its row), or the database failed: try again shortly. */
  | { readonly kind: 'unknown' };

export interface CollectorElectionOptions {
  readonly config: PostgresConfig;
  /** This replica's name (its spike_ts_replicas row). */
  readonly name: string;
  /** Where the other replicas reach this one over mTLS. */
  readonly advertiseUrl: string;
  /** The lock was held and its connection is gone (not called on close()). */
  onLost?(error: Error): void;
  /** Per-query deadline on the lock connection (default 5 000 ms). */
  readonly queryTimeoutMs?: number;
}

export interface CollectorElection {
  /** Takes the lock when it is free, then tells who collects. */
  resolve(): Promise<CollectorRole>;
  /** Who collects, without taking the lock: `none` when nobody holds it (status, reset). */
  peek(): Promise<CollectorRole | { readonly kind: 'none' }>;
  /** The collection ended with a restore: give the lock back and clear this replica's collector mark. */
  release(): Promise<void>;
  /** True while this replica holds the lock on a live connection. */
  readonly holds: boolean;
  /** Tells every replica LISTENing on RESTORE_CHANNEL that the root key is back (from the lock connection). */
  notifyRestored(): Promise<void>;
  /** Ends the lock connection (the lock goes with it). Idempotent. */
  close(): Promise<void>;
}

/** The live holder of the collector lock, by its row in spike_ts_replicas (the key split as pg_locks shows a one-bigint lock). */
const HOLDER_SQL = `SELECT r.name, r.advertise_url FROM ${REPLICAS_TABLE} r JOIN pg_locks l ON l.pid = r.collector_pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid
  LIMIT 1`;

const CLAIM_SQL = `INSERT INTO ${REPLICAS_TABLE} (name, ready, started_time, last_seen, advertise_url, collector_pid)
  VALUES ($1, false, now(), now(), $2, pg_backend_pid())
  ON CONFLICT (name) DO UPDATE SET advertise_url = excluded.advertise_url, collector_pid = excluded.collector_pid`;

export function startCollectorElection(opts: CollectorElectionOptions): CollectorElection {
  const clientConfig = singleClientConfig(opts.config, opts.queryTimeoutMs ?? 5_000);
  const key = ADVISORY_LOCKS.restoreCollector;
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let held = false;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const lost = (c: pg.Client, e: Error): void => {
    if (c !== client) return;
    client = undefined;
    c.end().catch(() => undefined);
    if (held) {
      held = false;
      if (!closed) opts.onLost?.(e);
    }
  };

  const connected = async (): Promise<pg.Client> => {
    if (client !== undefined && connecting === undefined) return client;
    connecting ??= (async () => {
      const c = new pg.Client(clientConfig);
      client = c;
      c.on('error', (e) => lost(c, e));
      c.on('end', () => lost(c, new Error('the restore-collector lock connection was closed')));
      try {
        await c.connect();
        return c;
      } catch (e) {
        lost(c, e instanceof Error ? e : new Error(String(e)));
        throw e;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  const resolveOnce = async (): Promise<CollectorRole> => {
    if (closed) throw new Error('the restore-collector election is closed');
    if (held && client !== undefined) return { kind: 'self' };
    const c = await connected();
    const r = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
    if (r.rows[0]?.locked === true) {
      let previous: string | undefined;
      try {
        // Holding the lock, every other collector mark is a stale one: a collector that stopped without
        // giving the lock back (release() clears the mark after a restore), its collection lost. Cleared,
        // so that it is told once; a stale mark may also name the pid PostgreSQL gave this connection.
        const stale = await c.query<{ name: string }>(`UPDATE ${REPLICAS_TABLE} SET collector_pid = NULL WHERE collector_pid IS NOT NULL RETURNING name`);
        previous = stale.rows.map((x) => x.name).sort()[0];
        await c.query(CLAIM_SQL, [opts.name, opts.advertiseUrl]);
      } catch (e) {
        // Not recorded: nobody could find us; give the lock back (or lose it with the connection).
        await c.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => lost(c, e instanceof Error ? e : new Error(String(e))));
        throw e;
      }
      held = true;
      return previous === undefined ? { kind: 'self' } : { kind: 'self', previous };
    }
    const h = await c.query<{ name: string; advertise_url: string | null }>(HOLDER_SQL, [key]);
    const row = h.rows[0];
    if (row === undefined || row.advertise_url === null || row.name === opts.name) return { kind: 'unknown' };
    return { kind: 'forward', name: row.name, url: row.advertise_url };
  };

  return {
    get holds() {
      return held && client !== undefined;
    },
    resolve() {
      // One at a time: two concurrent calls must not both try the lock (a session lock counts per call).
      const next = queue.then(resolveOnce, resolveOnce);
      queue = next.catch(() => undefined);
      return next;
    },
    peek() {
      const once = async (): Promise<CollectorRole | { readonly kind: 'none' }> => {
        if (closed) throw new Error('the restore-collector election is closed');
        if (held && client !== undefined) return { kind: 'self' };
        const c = await connected();
        const h = await c.query<{ name: string; advertise_url: string | null }>(HOLDER_SQL, [key]);
        const row = h.rows[0];
        if (row === undefined) {
          const any = await c.query<{ locked: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid) AS locked`,
            [key],
          );
          return any.rows[0]?.locked === true ? { kind: 'unknown' } : { kind: 'none' };
        }
        if (row.advertise_url === null || row.name === opts.name) return { kind: 'unknown' };
        return { kind: 'forward', name: row.name, url: row.advertise_url };
      };
      const next = queue.then(once, once);
      queue = next.catch(() => undefined);
      return next;
    },
    release() {
      const once = async (): Promise<void> => {
        const c = client;
        if (!held || c === undefined) return;
        held = false;
        await c.query(`UPDATE ${REPLICAS_TABLE} SET collector_pid = NULL WHERE name = $1 AND collector_pid = pg_backend_pid()`, [opts.name]);
        await c.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      };
      const next = queue.then(once, once);
      queue = next.catch(() => undefined);
      return next;
    },
    async notifyRestored() {
      const c = await connected();
      await c.query('SELECT pg_notify($1, $2)', [RESTORE_CHANNEL, RESTORED_PAYLOAD]);
    },
    async close() {
      if (closed) return;
      closed = true;
      held = false;
      await connecting?.catch(() => undefined);
      const c = client;
      client = undefined;
      if (c !== undefined) await c.end().catch(() => undefined);
    },
  };
}
