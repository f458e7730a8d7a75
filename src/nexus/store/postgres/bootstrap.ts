// The "bootstrapped" marker of a PostgreSQL store: one row, claimed once.
// Several Nexus replicas (or Bootstraps) racing to claim it: exactly one gets
// true. The claim is one transaction under an advisory lock, and the row's
// primary key (id = 1, INSERT … ON CONFLICT DO NOTHING) would settle the race
// even without the lock.
import type { PostgresDatabase } from './database.js';
import { ADVISORY_LOCKS, BOOTSTRAP_TABLE } from './schema.js';
import { queryOnce, writeTransaction } from './tx.js';

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
