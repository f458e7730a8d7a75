// Transactions on the pool: one pooled connection per transaction, ROLLBACK
// on any throw, a retry of the whole function on a serialization failure or
// a deadlock (PostgreSQL's advice; the function must be safe to run again),
// and every database error turned into StoreError 'io' with a one-line
// message (the store's own errors pass through).
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { pgErrorSummary } from './connection.js';

export type Queryable = Pick<pg.ClientBase, 'query'>;

export interface TxOptions {
  /** REPEATABLE READ READ ONLY: several reads on one snapshot. Default: READ COMMITTED read-write. */
  readonly snapshot?: boolean;
  /**
   * SET LOCAL synchronous_commit TO on (in the same round trip as BEGIN): COMMIT
   * returns only once the transaction is flushed, even where the database or role
   * sets synchronous_commit = off.
   */
  readonly durable?: boolean;
}

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

function sqlState(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** StoreErrors as they are; anything else as StoreError 'io'. */
export function asStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  return new StoreError('io', `PostgreSQL: ${pgErrorSummary(e)}`, { cause: e });
}

/** A connection error leaves the client unusable: it must be dropped, not returned to the pool. */
function brokenConnection(e: unknown): boolean {
  if (e instanceof StoreError) return false;
  const code = sqlState(e);
  // SQLSTATEs are 5 characters; a Node error code (ECONNRESET…) or none means the connection itself failed.
  return code === undefined || code.length !== 5 || code.startsWith('08') || code.startsWith('57P');
}

export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>, opts: TxOptions = {}): Promise<T> {
  const begin =
    opts.snapshot === true ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : opts.durable === true ? 'BEGIN; SET LOCAL synchronous_commit TO on' : 'BEGIN';
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw asStoreError(e);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      if (brokenConnection(e)) broken = e instanceof Error ? e : new Error(String(e));
      else await client.query('ROLLBACK').catch((re: unknown) => (broken = re instanceof Error ? re : new Error(String(re))));
      if (RETRYABLE.has(sqlState(e) ?? '') && attempt < MAX_ATTEMPTS) continue;
      throw asStoreError(e);
    } finally {
      client.release(broken);
    }
  }
}

/** The database's setting, as connectPostgres read it. */
interface DurabilitySource {
  readonly pool: pg.Pool;
  readonly synchronousCommit: string;
}

/**
 * A write transaction answered only once durable: where the session's
 * synchronous_commit is off (a database or role setting), it is turned on for
 * the transaction; any other value already flushes the commit locally.
 */
export function writeTransaction<T>(db: DurabilitySource, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(db.pool, fn, { durable: db.synchronousCommit === 'off' });
}

/** One statement on any free connection (its own transaction). */
export async function queryOnce<R extends pg.QueryResultRow>(pool: pg.Pool, config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(config);
  } catch (e) {
    throw asStoreError(e);
  }
}
