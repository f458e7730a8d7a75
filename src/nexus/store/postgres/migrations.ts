// Versioned schema migrations, applied at connect. Everything happens in one
// transaction holding a transaction-level advisory lock: replicas starting
// together queue on the lock, the first applies what is missing, the others
// then find every version recorded and apply nothing. A failing migration
// rolls back whole (PostgreSQL DDL is transactional) and the lock goes with
// the transaction, even when the connection dies.
import type pg from 'pg';
import { ADVISORY_LOCKS, MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './schema.js';

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

/** Checks that `list` is 1..n without gaps (a programming error otherwise). */
function checkList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new SchemaError(`migration list out of order at ${m.version}`);
  });
}

export interface MigrationOutcome {
  /** Versions this call applied (empty when another replica or an earlier start did). */
  readonly applied: readonly number[];
  /** The schema version now. */
  readonly version: number;
}

/**
 * Brings the database to the newest schema of `list` (default: MIGRATIONS) on
 * `client` (not inside a transaction). Throws SchemaError when the database
 * holds a version this code does not know (a newer Nexus migrated it).
 */
export async function migrate(client: pg.ClientBase, list: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  checkList(list);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.migrations]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
         version INTEGER PRIMARY KEY,
         name TEXT NOT NULL,
         applied_time TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > list.length) {
      throw new SchemaError(`the database schema is at version ${newest}, newer than this Nexus knows (${list.length}): upgrade Nexus`);
    }
    const applied: number[] = [];
    for (const m of list) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { applied, version: list.length };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
