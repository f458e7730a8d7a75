// Replica heartbeats: each Nexus replica on one database upserts its row of
// spike_ts_replicas (name, ready, start, last seen) every few seconds, so that
// `spike operator status` through any replica lists the replicas seen
// recently. Times are the database's (now()), so replicas' clocks need not
// agree. Nothing secret: a name, a boolean, two times, and the key state (the
// shard-set fingerprint of the key the replica serves with, a public name,
// and the phase of a rotation it knows of).
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
  /** The shard-set fingerprint of the key it serves with ('' without a key, or not told). */
  readonly fingerprint: string;
  /** The phase of the root-key rotation it knows of ('' when none). */
  readonly rotation: string;
}

/** What a heartbeat tells of the replica's key (public names only). */
export interface ReplicaKeyState {
  readonly fingerprint: string;
  readonly rotation: string;
}

/**
 * Writes this replica's row (started_time is kept from the first write of this process).
 * `advertiseUrl`: where the other replicas reach this one over mTLS (restore forwarding,
 * docs/design.md § Restore through any replica); undefined leaves the column as it is.
 */
export async function writeHeartbeat(
  pool: pg.Pool,
  name: string,
  ready: boolean,
  startedAt: Date,
  advertiseUrl?: string,
  key?: ReplicaKeyState,
): Promise<void> {
  checkReplicaName(name);
  await queryOnce(pool, {
    text: `INSERT INTO ${REPLICAS_TABLE} (name, ready, started_time, last_seen, advertise_url, fingerprint, rotation) VALUES ($1, $2, $3, now(), $4, $5, $6)
      ON CONFLICT (name) DO UPDATE SET ready = excluded.ready, started_time = excluded.started_time, last_seen = excluded.last_seen,
        advertise_url = COALESCE(excluded.advertise_url, ${REPLICAS_TABLE}.advertise_url),
        fingerprint = excluded.fingerprint, rotation = excluded.rotation`,
    values: [name, ready, startedAt, advertiseUrl ?? null, key?.fingerprint || null, key?.rotation || null],
  });
}

/** Replicas whose last heartbeat is at most `withinMs` old, by name. */
export async function listReplicas(pool: pg.Pool, withinMs: number): Promise<ReplicaSeen[]> {
  const r = await queryOnce<{ name: string; ready: boolean; last_seen: Date; age_ms: string | number; fingerprint: string | null; rotation: string | null }>(pool, {
    text: `SELECT name, ready, last_seen, (extract(epoch FROM (now() - last_seen)) * 1000)::bigint AS age_ms, fingerprint, rotation
      FROM ${REPLICAS_TABLE} WHERE last_seen > now() - make_interval(secs => $1::double precision / 1000) ORDER BY name`,
    values: [withinMs],
  });
  return r.rows.map((row) => ({
    name: row.name,
    ready: row.ready,
    lastSeen: row.last_seen,
    ageMs: Math.max(0, Number(row.age_ms)),
    fingerprint: row.fingerprint ?? '',
    rotation: row.rotation ?? '',
  }));
}

/** Removes this replica's row (a clean shutdown: it is gone, not late). */
export async function removeHeartbeat(pool: pg.Pool, name: string): Promise<void> {
  await queryOnce(pool, { text: `DELETE FROM ${REPLICAS_TABLE} WHERE name = $1`, values: [name] });
}
