// The PostgreSQL end of a copy, on one connection.
//  - Source: connected without migrating (the source is only read); its
//    schema must be the version this build knows. One REPEATABLE READ READ
//    ONLY transaction: every table is read on one snapshot, through cursors.
//  - Target: connectPostgres (the normal migrations create the schema), then
//    ONE transaction for the whole copy, which first takes the advisory lock
//    Nexus takes when it opens a store (the key-check lock): a Nexus starting
//    meanwhile waits for the copy to commit (or roll back), then finds the
//    copied key check. A failed or killed copy rolls back: the target stays
//    empty (its schema stays).
//  - Both: refused while a Nexus is connected to the database
//    (pg_stat_activity, application_name "spike-nexus", which Nexus sets
//    unless its URL names another).
import type pg from 'pg';
import { connectPostgres, type PostgresDatabase } from '../postgres/database.js';
import { connectError, createPool, pgErrorSummary, poolSettings, PostgresConnectError } from '../postgres/connection.js';
import { ADVISORY_LOCKS, BOOTSTRAP_TABLE, MIGRATIONS, MIGRATIONS_TABLE, ROTATION_TABLE } from '../postgres/schema.js';
import { CopyError } from './errors.js';
import type { SourceSide, TargetSide } from './side.js';
import { checkValue, columnsOf, COPIED_TABLES, rowKey, type Row, type TableSpec } from './tables.js';

export interface PostgresLocation {
  readonly url: string;
  /** SPIKE_NEXUS_DATABASE_PASSWORD_FILE's password (never from the command line). */
  readonly password?: string;
}

/** The application name of the copy's sessions; Nexus's own is NEXUS_APPLICATION_NAME. */
export const COPY_APPLICATION_NAME = 'spike-nexus-store-copy';
export const NEXUS_APPLICATION_NAME = 'spike-nexus';
/** How long sessions of a Nexus that has just stopped may take to leave pg_stat_activity before the copy refuses. */
export const NEXUS_SESSION_GRACE_MS = 2000;

function ioError(describe: string, e: unknown): CopyError {
  if (e instanceof CopyError) return e;
  if (e instanceof PostgresConnectError) {
    // Its messages name Nexus's variable; here the URL is a command-line argument.
    if (e.reason === 'bad_url') return new CopyError('bad_url', e.message.replace(/^SPIKE_NEXUS_DATABASE_URL: /, 'postgres URL: '), { cause: e });
    return new CopyError(e.reason === 'schema' ? 'schema' : 'io', e.message, { cause: e });
  }
  return new CopyError('io', `${describe}: ${pgErrorSummary(e)}`, { cause: e });
}

function fromPostgres(spec: TableSpec, column: string, v: unknown): unknown {
  // int8 comes as text from node-postgres (it may not fit a JS number); whole numbers only.
  if (spec.columns[column] === 'int' && typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return v;
}

let cursorSeq = 0;

class PostgresSide {
  constructor(
    protected readonly client: pg.PoolClient,
    readonly describe: string,
  ) {}

  protected async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(text, values);
    } catch (e) {
      throw ioError(this.describe, e);
    }
  }

  async count(spec: TableSpec): Promise<number> {
    return this.countTable(spec.name);
  }

  protected async countTable(table: string): Promise<number> {
    const r = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(r.rows[0]?.n ?? 0);
  }

  async *rows(spec: TableSpec, batchSize: number): AsyncIterable<Row[]> {
    const columns = columnsOf(spec);
    const cursor = `spike_copy_${++cursorSeq}`;
    await this.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.join(', ')} FROM ${spec.name} ORDER BY ${spec.key.join(', ')}`);
    try {
      for (;;) {
        const r = await this.query<Record<string, unknown>>(`FETCH FORWARD ${Math.trunc(batchSize)} FROM ${cursor}`);
        if (r.rows.length === 0) return;
        yield r.rows.map((raw) => {
          const row: Record<string, Row[string]> = {};
          for (const c of columns) row[c] = checkValue(spec, c, fromPostgres(spec, c, raw[c]), () => rowKey(spec, raw));
          return row;
        });
      }
    } finally {
      await this.client.query(`CLOSE ${cursor}`).catch(() => undefined);
    }
  }

  /**
   * CopyError 'in_use' when a Nexus has a session on this database. A Nexus
   * that has just stopped (its pool ended) may still be listed for a moment:
   * the server lists a backend until the process has exited. So sessions seen
   * are looked at again for up to NEXUS_SESSION_GRACE_MS; a running Nexus
   * keeps its own and is refused.
   */
  async refuseWhileNexusConnected(): Promise<void> {
    const deadline = Date.now() + NEXUS_SESSION_GRACE_MS;
    let n = await this.nexusSessions();
    while (n > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      n = await this.nexusSessions();
    }
    if (n > 0) throw new CopyError('in_use', `${this.describe} is in use: ${n} Nexus connection(s) open (stop every Nexus on it first)`);
  }

  private async nexusSessions(): Promise<number> {
    const r = await this.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()',
      [NEXUS_APPLICATION_NAME],
    );
    return Number(r.rows[0]?.n ?? 0);
  }
}

class PostgresSource extends PostgresSide implements SourceSide {
  constructor(
    client: pg.PoolClient,
    describe: string,
    private readonly pool: pg.Pool,
  ) {
    super(client, describe);
  }

  async rotationInProgress(): Promise<boolean> {
    // The source's schema is this build's (checked at open): the rotation table exists.
    const r = await this.query(`SELECT 1 FROM ${ROTATION_TABLE} WHERE id = 1`);
    return r.rows.length > 0;
  }

  private closing: Promise<void> | undefined;
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.client.query('ROLLBACK').catch(() => undefined);
      this.client.release();
      await this.pool.end().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** The source at `loc`, not migrated, on one read-only snapshot. */
export async function openPostgresSource(loc: PostgresLocation): Promise<SourceSide> {
  let settings;
  try {
    settings = poolSettings({ url: loc.url, ...(loc.password === undefined ? {} : { password: loc.password }), maxConnections: 1, applicationName: COPY_APPLICATION_NAME });
  } catch (e) {
    throw ioError('postgres', e);
  }
  const describe = `postgres:${settings.target}`;
  const pool = createPool(settings);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw ioError(describe, connectError(e, settings.target, settings.pool));
  }
  const source = new PostgresSource(client, describe, pool);
  try {
    await source.refuseWhileNexusConnected();
    const version = await schemaVersion(client, describe);
    if (version === 0) throw new CopyError('no_source', `${describe}: no store schema in this database (nothing to copy)`);
    if (version !== MIGRATIONS.length) {
      throw new CopyError('schema', `${describe}: the schema is at version ${version}, this spike-nexus reads version ${MIGRATIONS.length}`);
    }
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return source;
  } catch (e) {
    await source.close();
    throw ioError(describe, e);
  }
}

async function schemaVersion(client: pg.PoolClient, describe: string): Promise<number> {
  try {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [MIGRATIONS_TABLE]);
    if (exists.rows[0]?.t === null) return 0;
    const r = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE}`);
    return r.rows[0]?.v ?? 0;
  } catch (e) {
    throw ioError(describe, e);
  }
}

class PostgresTarget extends PostgresSide implements TargetSide {
  readonly kind = 'postgres' as const;

  constructor(
    client: pg.PoolClient,
    describe: string,
    private readonly db: PostgresDatabase,
  ) {
    super(client, describe);
  }

  async begin(): Promise<void> {
    // Answered only once flushed, whatever the database's synchronous_commit.
    await this.query('BEGIN');
    await this.query('SET LOCAL synchronous_commit TO on');
    await this.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.keyCheck]);
    await this.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.bootstrap]);
  }

  async nonEmptyTables(): Promise<string[]> {
    const out: string[] = [];
    for (const t of [...COPIED_TABLES.map((s) => s.name), BOOTSTRAP_TABLE, ROTATION_TABLE]) if ((await this.countTable(t)) > 0) out.push(t);
    return out;
  }

  async insert(spec: TableSpec, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = columnsOf(spec);
    const values: unknown[] = [];
    const tuples = rows.map((row) => `(${columns.map((c) => `$${values.push(row[c] ?? null)}`).join(', ')})`);
    await this.query(`INSERT INTO ${spec.name} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }

  bootstrapMarker: string | undefined;
  private marked = false;

  async markBootstrapped(now: Date): Promise<void> {
    await this.query(`INSERT INTO ${BOOTSTRAP_TABLE} (id, claimed_time) VALUES (1, $1)`, [now]);
    this.marked = true;
  }

  async commit(): Promise<void> {
    await this.query('COMMIT');
    if (this.marked) this.bootstrapMarker = `${BOOTSTRAP_TABLE} row set`;
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
  }

  private closing: Promise<void> | undefined;
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.rollback();
      this.client.release();
      await this.db.close();
    })();
    return this.closing;
  }
}

/** The target at `loc`: connected, migrated (the store's schema), refused while a Nexus is connected. */
export async function openPostgresTarget(loc: PostgresLocation): Promise<TargetSide> {
  let db: PostgresDatabase;
  try {
    db = await connectPostgres({ url: loc.url, ...(loc.password === undefined ? {} : { password: loc.password }), maxConnections: 1, applicationName: COPY_APPLICATION_NAME });
  } catch (e) {
    throw ioError('postgres', e);
  }
  const describe = `postgres:${db.target}`;
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (e) {
    await db.close();
    throw ioError(describe, e);
  }
  const target = new PostgresTarget(client, describe, db);
  try {
    await target.refuseWhileNexusConnected();
  } catch (e) {
    await target.close();
    throw e;
  }
  return target;
}
