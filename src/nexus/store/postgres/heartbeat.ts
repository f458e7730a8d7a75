// Replica heartbeats: each Nexus replica on one database upserts its row of
// spike_ts_replicas (name, ready, start, last seen) every few seconds, so that
// `spike operator status` through any replica lists the replicas seen
// recently. Times are the database's (now()), so replicas' clocks need not
// agree. Nothing secret: a name, a boolean, two times.
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { REPLICAS_TABLE } from './schema.js';
import { queryOnce } from './tx.js';

/** Names: printable, no spaces (a host name, host:port, a pod name). */
const REPLICA_NAME = /^[A-Za-z0-9._:@\-[\]]{1,128}$/;

export function checkReplicaName(name: string): void {
  if (!REPLICA_NAME.test(name)) throw new StoreError('invalid_input', 'a replica name is 1-128 characters of A-Z a-z 0-9 . _ : @ - [ ]');
}

export interface ReplicaSeen {
  readonly name: string;
  readonly ready: boolean;
  readonly lastSeen: Date;
  /** How long ago, by the database's clock (ms). */
  readonly ageMs: number;
}

/**
 * Writes this replica's row (started_time is kept from the first write of this process).
 * `advertiseUrl`: where the other replicas reach this one over mTLS (restore forwarding,
 * docs/design.md § Restore through any replica); undefined leaves the column as it is.
 */
export async function writeHeartbeat(pool: pg.Pool, name: string, ready: boolean, startedAt: Date, advertiseUrl?: string): Promise<void> {
  checkReplicaName(name);
  await queryOnce(pool, {
    text: `INSERT INTO ${REPLICAS_TABLE} (name, ready, started_time, last_seen, advertise_url) VALUES ($1, $2, $3, now(), $4)
      ON CONFLICT (name) DO UPDATE SET ready = excluded.ready, started_time = excluded.started_time, last_seen = excluded.last_seen,
        advertise_url = COALESCE(excluded.advertise_url, ${REPLICAS_TABLE}.advertise_url)`,
    values: [name, ready, startedAt, advertiseUrl ?? null],
  });
}

/** Replicas whose last heartbeat is at most `withinMs` old, by name. */
export async function listReplicas(pool: pg.Pool, withinMs: number): Promise<ReplicaSeen[]> {
  const r = await queryOnce<{ name: string; ready: boolean; last_seen: Date; age_ms: string | number }>(pool, {
    text: `SELECT name, ready, last_seen, (extract(epoch FROM (now() - last_seen)) * 1000)::bigint AS age_ms
      FROM ${REPLICAS_TABLE} WHERE last_seen > now() - make_interval(secs => $1::double precision / 1000) ORDER BY name`,
    values: [withinMs],
  });
  return r.rows.map((row) => ({ name: row.name, ready: row.ready, lastSeen: row.last_seen, ageMs: Math.max(0, Number(row.age_ms)) }));
}

/** Removes this replica's row (a clean shutdown: it is gone, not late). */
export async function removeHeartbeat(pool: pg.Pool, name: string): Promise<void> {
  await queryOnce(pool, { text: `DELETE FROM ${REPLICAS_TABLE} WHERE name = $1`, values: [name] });
}
