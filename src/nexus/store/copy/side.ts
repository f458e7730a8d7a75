// The two ends of a copy, one implementation per backend (sqlite-side.ts,
// postgres-side.ts). A source is read on one consistent snapshot that no
// writer can change meanwhile; a target is written in ONE transaction, and
// verified inside it before it commits, so that a copy that fails at any
// point (an error, a lost connection, a killed process) leaves the target as
// it was: empty.
import type { Row, TableSpec } from './tables.js';

/** What both ends can do: read the copied tables (the target: inside its transaction, its own writes included). */
export interface ReadableSide {
  /** "sqlite:/path/spike.db" or "postgres:user@host:port/db": for messages (never a password). */
  readonly describe: string;
  count(spec: TableSpec): Promise<number>;
  /** Every row of the table in primary-key order (bytewise), `batchSize` at a time. */
  rows(spec: TableSpec, batchSize: number): AsyncIterable<Row[]>;
}

export interface SourceSide extends ReadableSide {
  /** A root-key rotation row exists (copying now would copy a half-re-encrypted store). */
  rotationInProgress(): Promise<boolean>;
  /** Ends the snapshot and releases the lock or connection. Idempotent. */
  close(): Promise<void>;
}

export interface TargetSide extends ReadableSide {
  readonly kind: 'sqlite' | 'postgres';
  /** Opens the copy's one transaction (taking the target's write lock). */
  begin(): Promise<void>;
  /** Names of the tables that hold a row (copied tables and the store's own: rotation, bootstrap marker). */
  nonEmptyTables(): Promise<string[]>;
  insert(spec: TableSpec, rows: readonly Row[]): Promise<void>;
  /**
   * Marks the store bootstrapped (it holds a root key's data: a Bootstrap must
   * never give it a new key). PostgreSQL: the spike_ts_bootstrap row, in the
   * transaction. SQLite: Bootstrap's marker file bootstrap.json beside
   * spike.db, written after COMMIT unless one is there.
   */
  markBootstrapped(now: Date, source: string): Promise<void>;
  /** What markBootstrapped did, once committed ("spike_ts_bootstrap row set", "<path> written", …). */
  readonly bootstrapMarker: string | undefined;
  commit(): Promise<void>;
  /** Rolls the open transaction back (nothing of the copy stays). Never throws. */
  rollback(): Promise<void>;
  close(): Promise<void>;
}
