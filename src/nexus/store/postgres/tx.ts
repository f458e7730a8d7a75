// Transactions on the pool: one pooled connection per transaction, ROLLBACK
// on any throw, a retry of the whole function on a serialization failure or
// a deadlock (PostgreSQL's advice; the function must be safe to run again),
// and every database error turned into StoreError 'io' with a one-line
// message (the store's own errors pass through).
import type pg from 'pg';
import { StoreError, StoreUnavailableError } from '../errors.js';
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

/** Node's socket errors when the server is not there (or went away). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** pg's own messages for a lost or unmade connection and for a query with no answer in time (they carry no code). */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * Whether `e` says the database cannot be reached now rather than that the call
 * failed: a socket error, SQLSTATE class 08 (connection exception), 57P01–57P03
 * (server shutting down or starting), 53300 (no free connection slot), or pg's
 * messages for a lost connection and a query timeout.
 */
export function isConnectionFailure(e: unknown): boolean {
  if (e instanceof StoreError) return e instanceof StoreUnavailableError;
  const code = sqlState(e);
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  if (code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')) return true;
  const message = e instanceof Error ? e.message : '';
  return code === undefined && LOST_CONNECTION.test(message);
}

/** StoreErrors as they are; the database out of reach as StoreUnavailableError; anything else as StoreError 'io'. */
export function asStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  if (isConnectionFailure(e)) return new StoreUnavailableError(`PostgreSQL: ${pgErrorSummary(e)}`, { cause: e });
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
