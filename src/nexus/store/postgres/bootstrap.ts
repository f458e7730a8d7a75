// The "bootstrapped" marker of a PostgreSQL store: one row, claimed once.
// Several Nexus replicas (or Bootstraps) racing to claim it: exactly one gets
// true. The claim is one transaction under an advisory lock, and the row's
// primary key (id = 1, INSERT … ON CONFLICT DO NOTHING) would settle the race
// even without the lock.
import type pg from 'pg';
import type { PostgresDatabase } from './database.js';
import { ADVISORY_LOCKS, BOOTSTRAP_TABLE } from './schema.js';
import { asStoreError, queryOnce, writeTransaction } from './tx.js';

/** true for the one caller that claims the marker; false for every other, before or after. */
export async function claimBootstrap(db: PostgresDatabase, now: () => Date = () => new Date()): Promise<boolean> {
  return writeTransaction(db, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.bootstrap]);
    const r = await c.query(`INSERT INTO ${BOOTSTRAP_TABLE} (id, claimed_time) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [now()]);
    return r.rowCount === 1;
  });
}

/** Whether the marker was claimed. */
export async function bootstrapClaimed(db: PostgresDatabase): Promise<boolean> {
  const r = await queryOnce(db.pool, { text: `SELECT 1 FROM ${BOOTSTRAP_TABLE} WHERE id = 1` });
  return r.rows.length > 0;
}

/** The right to run Bootstrap on this store, held until release() (or until the holder's connection ends). */
export interface BootstrapLease {
  /** True once the connection holding the lock failed: the lock is gone with it. */
  readonly lost: boolean;
  /** Unlocks and returns the connection (idempotent; never throws). */
  release(): Promise<void>;
}

/**
 * Takes the session-level advisory lock …`04` on a connection of its own,
 * without waiting: undefined when another Bootstrap holds it. PostgreSQL drops
 * the lock when the holder's session ends, so a Bootstrap that crashes (or whose
 * host goes away, once the server notices) never leaves it taken.
 */
export async function acquireBootstrapLease(db: PostgresDatabase): Promise<BootstrapLease | undefined> {
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (e) {
    throw asStoreError(e);
  }
  let lost: Error | undefined;
  // A checked-out client's error event has no other listener: without this one it would end the process.
  const onError = (e: Error): void => {
    lost ??= e;
  };
  client.on('error', onError);
  let got: boolean;
  try {
    const r = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [ADVISORY_LOCKS.bootstrapRun]);
    got = r.rows[0]?.locked === true;
  } catch (e) {
    lost ??= e instanceof Error ? e : new Error(String(e));
    client.removeListener('error', onError);
    client.release(lost);
    throw asStoreError(e);
  }
  if (!got) {
    client.removeListener('error', onError);
    client.release(lost);
    return undefined;
  }
  let released: Promise<void> | undefined;
  return {
    get lost() {
      return lost !== undefined;
    },
    release() {
      released ??= (async () => {
        if (lost === undefined) {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [ADVISORY_LOCKS.bootstrapRun]).catch((e: unknown) => {
            lost ??= e instanceof Error ? e : new Error(String(e));
          });
        }
        client.removeListener('error', onError);
        // A broken connection is destroyed, not pooled (its lock went with its session).
        client.release(lost);
      })();
      return released;
    },
  };
}
