// connectPostgres: the pool, a first connection (so that a bad password or an
// unreachable server is reported at start, in one line) and the schema
// migrations under their advisory lock.
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { connectError, createPool, pgErrorSummary, PostgresConnectError, poolSettings, type PostgresConfig } from './connection.js';
import { migrate, SchemaError } from './migrations.js';

export interface PostgresDatabase {
  readonly pool: pg.Pool;
  /** "user@host:port/database": for logs and messages (never the password). */
  readonly target: string;
  /** The schema version after migrations. */
  readonly schemaVersion: number;
  /**
   * The sessions' synchronous_commit as the database gives it (role and database
   * settings included); where it is 'off', write transactions turn it on.
   */
  readonly synchronousCommit: string;
  /** Migration versions this connect applied (empty when they were there already). */
  readonly appliedMigrations: readonly number[];
  /** Ends the pool (waits for checked-out connections to come back). Idempotent. */
  close(): Promise<void>;
  /** Whether close() was called. */
  readonly closed: boolean;
}

export interface ConnectOptions {
  /** Called with an idle connection's error (the server restarted, the network dropped); the pool replaces the connection. */
  readonly onIdleError?: (e: Error) => void;
}

export async function connectPostgres(cfg: PostgresConfig, opts: ConnectOptions = {}): Promise<PostgresDatabase> {
  const settings = poolSettings(cfg);
  const pool = createPool(settings, opts.onIdleError);
  let outcome;
  let synchronousCommit = 'on';
  try {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw connectError(e, settings.target, settings.pool);
    }
    let failed: unknown;
    try {
      outcome = await migrate(client);
      const sc = (await client.query<{ sc: string }>("SELECT current_setting('synchronous_commit') AS sc")).rows[0]?.sc;
      if (typeof sc === 'string') synchronousCommit = sc;
    } catch (e) {
      failed = e;
      if (e instanceof SchemaError) throw new PostgresConnectError('schema', `${e.message} (${settings.target})`);
      throw new PostgresConnectError('schema', `cannot apply the schema migrations to ${settings.target}: ${pgErrorSummary(e)}`, {
        cause: e,
      });
    } finally {
      client.release(failed instanceof Error ? failed : undefined);
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof StoreError) throw e;
    throw connectError(e, settings.target, settings.pool);
  }
  let closing: Promise<void> | undefined;
  return {
    pool,
    target: settings.target,
    schemaVersion: outcome.version,
    synchronousCommit,
    appliedMigrations: outcome.applied,
    get closed() {
      return closing !== undefined;
    },
    close() {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}
