// The SQLite end of a copy. Both ends take SQLite's exclusive lock for the
// whole copy (locking_mode = EXCLUSIVE, BEGIN EXCLUSIVE, no busy wait): it is
// refused while any other connection has the file open — a running Nexus
// keeps one open — and while it is held no Nexus can open the file (its
// connection waits its busy timeout, then fails). The target is written in
// that one transaction: a failure or a killed process leaves no copied row
// (SQLite ignores a WAL without its commit record).
//
// The target's schema is the store's own (sqlite/schema.ts), created here
// without a root key, exactly as openSqliteStore creates it; a target file
// that does not exist is created 0600 in a 0700 directory, as Nexus does.
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { createFileAtomic } from '../../../common/durable-file.js';
import { openConnection } from '../sqlite/connection.js';
import { KEY_CHECK_SCHEMA, ROTATION_SCHEMA, ROTATION_TABLE, UPSTREAM_SCHEMA } from '../sqlite/schema.js';
import { tableExists } from '../sqlite/tables.js';
import { formatSqliteTime, parseSqliteTime } from '../sqlite/time.js';
import { CopyError } from './errors.js';
import type { SourceSide, TargetSide } from './side.js';
import { checkValue, columnsOf, COPIED_TABLES, rowKey, type Row, type TableSpec } from './tables.js';

/** Where the store's database file is: `<dataDir>/spike.db` (dataDir as Nexus's: $SPIKE_NEXUS_DATA_DIR/data). */
export interface SqliteLocation {
  readonly dataDir: string;
  readonly file: string;
}

/** Creates the store's tables (upstream's and ours) if missing: the schema openSqliteStore creates, without a root key. */
export function createSqliteSchema(db: Db): void {
  db.exec(UPSTREAM_SCHEMA);
  db.exec(KEY_CHECK_SCHEMA);
  db.exec(ROTATION_SCHEMA);
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/** BEGIN EXCLUSIVE in exclusive locking mode, no waiting: CopyError 'in_use' when another connection has the file. */
function lockExclusively(db: Db, describe: string): void {
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    if (isBusy(e)) throw new CopyError('in_use', `${describe} is in use (is Nexus running on it? stop it first)`, { cause: e });
    throw new CopyError('io', `${describe}: cannot lock the database (${firstLine(e)})`, { cause: e });
  }
}

/** The column as the neutral row holds it (ints as numbers, secrets' times as Dates). */
function fromSqlite(spec: TableSpec, column: string, v: unknown): unknown {
  const type = spec.columns[column];
  if (type === 'int' && typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if ((type === 'time' || type === 'time?') && v !== null) return parseSqliteTime(v) ?? v;
  return v;
}

function toSqlite(spec: TableSpec, column: string, v: Row[string]): unknown {
  if (v instanceof Date) return spec.columns[column] === 'time' || spec.columns[column] === 'time?' ? formatSqliteTime(v) : v;
  return v;
}

class SqliteSide {
  constructor(
    protected readonly db: Db,
    readonly describe: string,
  ) {}

  count(spec: TableSpec): Promise<number> {
    return Promise.resolve(this.countSync(spec.name));
  }

  protected countSync(table: string): number {
    if (!tableExists(this.db, table)) return 0;
    return (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  async *rows(spec: TableSpec, batchSize: number): AsyncIterable<Row[]> {
    if (!tableExists(this.db, spec.name)) return;
    const columns = columnsOf(spec);
    const stmt = this.db.prepare(`SELECT ${columns.join(', ')} FROM ${spec.name} ORDER BY ${spec.key.join(', ')}`);
    let batch: Row[] = [];
    // The iterator holds the statement open between batches; nothing else runs on this connection meanwhile.
    for (const raw of stmt.iterate() as Iterable<Record<string, unknown>>) {
      const row: Record<string, Row[string]> = {};
      for (const c of columns) row[c] = checkValue(spec, c, fromSqlite(spec, c, raw[c]), () => rowKey(spec, raw));
      batch.push(row);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

class SqliteSource extends SqliteSide implements SourceSide {
  rotationInProgress(): Promise<boolean> {
    return Promise.resolve(this.countSync(ROTATION_TABLE) > 0);
  }

  close(): Promise<void> {
    if (this.db.open) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.db.close();
    }
    return Promise.resolve();
  }
}

/** The source at `loc`, locked and on one snapshot. CopyError 'no_source' when there is no spike.db. */
export function openSqliteSource(loc: SqliteLocation): SourceSide {
  const describe = `sqlite:${loc.file}`;
  if (!existsSync(loc.file) || !statSync(loc.file).isFile()) {
    throw new CopyError('no_source', `${describe}: no such store (Nexus keeps spike.db in $SPIKE_NEXUS_DATA_DIR/data)`);
  }
  let db: Db;
  try {
    db = new Database(loc.file, { fileMustExist: true });
  } catch (e) {
    throw new CopyError('io', `${describe}: cannot open (${firstLine(e)})`, { cause: e });
  }
  try {
    lockExclusively(db, describe);
    // A file that is not an SQLite database fails on its first read.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    db.close();
    if (e instanceof CopyError) throw e;
    throw new CopyError('io', `${describe}: cannot read (${firstLine(e)})`, { cause: e });
  }
  return new SqliteSource(db, describe);
}

/**
 * Bootstrap's marker for a SQLite store (src/bootstrap/marker.ts): its
 * existence, whatever its content, means "bootstrapped, never re-key".
 */
export const BOOTSTRAP_MARKER_FILE = 'bootstrap.json';

class SqliteTarget extends SqliteSide implements TargetSide {
  readonly kind = 'sqlite' as const;
  private readonly inserts = new Map<string, Database.Statement>();
  private marker: Buffer | undefined;
  bootstrapMarker: string | undefined;

  constructor(
    db: Db,
    describe: string,
    private readonly dataDir: string,
  ) {
    super(db, describe);
  }

  begin(): Promise<void> {
    lockExclusively(this.db, this.describe);
    createSqliteSchema(this.db);
    return Promise.resolve();
  }

  nonEmptyTables(): Promise<string[]> {
    return Promise.resolve([...COPIED_TABLES.map((t) => t.name), ROTATION_TABLE].filter((t) => this.countSync(t) > 0));
  }

  insert(spec: TableSpec, rows: readonly Row[]): Promise<void> {
    const columns = columnsOf(spec);
    let stmt = this.inserts.get(spec.name);
    if (stmt === undefined) {
      stmt = this.db.prepare(`INSERT INTO ${spec.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      this.inserts.set(spec.name, stmt);
    }
    for (const row of rows) stmt.run(...columns.map((c) => toSqlite(spec, c, row[c] ?? null)));
    return Promise.resolve();
  }

  markBootstrapped(now: Date, source: string): Promise<void> {
    const content = { bootstrap_completed: true, completed_at: now.toISOString(), completed_by: 'spike-nexus store copy', copied_from: source };
    this.marker = Buffer.from(`${JSON.stringify(content, null, 2)}\n`);
    return Promise.resolve();
  }

  commit(): Promise<void> {
    this.db.exec('COMMIT');
    if (this.marker === undefined) return Promise.resolve();
    const path = join(this.dataDir, BOOTSTRAP_MARKER_FILE);
    try {
      this.bootstrapMarker = createFileAtomic(path, this.marker, { mode: 0o600 }) ? `${path} written` : `${path} kept (already there)`;
    } catch (e) {
      throw new CopyError('io', `copied and committed, but cannot write the bootstrap marker ${path} (${firstLine(e)}): create it before running Bootstrap`, {
        cause: e,
      });
    }
    return Promise.resolve();
  }

  rollback(): Promise<void> {
    try {
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // The transaction is gone already (SQLite rolled it back on the error).
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.db.open) {
      void this.rollback();
      this.db.close();
    }
    return Promise.resolve();
  }
}

/** The target at `loc`: the file (and its directory) created when missing, nothing else written before begin(). */
export function openSqliteTarget(loc: SqliteLocation): TargetSide {
  const describe = `sqlite:${loc.file}`;
  let db: Db;
  try {
    mkdirSync(loc.dataDir, { recursive: true, mode: 0o700 });
    // Created 0600 before SQLite touches it: its -wal and -shm files inherit the mode.
    if (!existsSync(loc.file)) closeSync(openSync(loc.file, 'wx', 0o600));
    db = openConnection(loc.file, 0);
  } catch (e) {
    if (isBusy(e)) throw new CopyError('in_use', `${describe} is in use (is Nexus running on it? stop it first)`, { cause: e });
    throw new CopyError('io', `${describe}: cannot open (${firstLine(e)})`, { cause: e });
  }
  return new SqliteTarget(db, describe, loc.dataDir);
}
