// The tables `store copy` moves, the same names and columns in SQLite
// (sqlite/schema.ts) and PostgreSQL (postgres/schema.ts), parents first
// (PostgreSQL's secrets.path references secret_metadata.path). Rows move as
// they are: sealed fields are the same bytes in both backends; only the
// secrets' time columns change representation (SQLite: Go's text form,
// PostgreSQL: timestamptz), as the stores themselves read and write them.
import { createHash, type Hash } from 'node:crypto';

/** text: a string; blob: bytes; int: a safe integer; time: a Date; time?: a Date or null. */
export type ColumnType = 'text' | 'blob' | 'int' | 'time' | 'time?';

export interface TableSpec {
  readonly name: CopiedTable;
  /** Primary key columns: the order rows are read in (bytewise in both backends). */
  readonly key: readonly string[];
  readonly columns: Readonly<Record<string, ColumnType>>;
}

export type CopiedTable = 'secret_metadata' | 'secrets' | 'policies' | 'spike_ts_key_check' | 'spike_ts_retired_key_checks';

/** A row in neutral form: column → string | Buffer | number | Date | null, checked against its spec. */
export type Row = Readonly<Record<string, string | Buffer | number | Date | null>>;

export const KEY_CHECK = 'spike_ts_key_check';

export const COPIED_TABLES: readonly TableSpec[] = [
  {
    name: 'secret_metadata',
    key: ['path'],
    columns: {
      path: 'text',
      nonce: 'blob',
      encrypted_current_version: 'blob',
      encrypted_oldest_version: 'blob',
      encrypted_created_time: 'blob',
      encrypted_updated_time: 'blob',
      encrypted_max_versions: 'blob',
    },
  },
  {
    name: 'secrets',
    key: ['path', 'version'],
    columns: { path: 'text', version: 'int', nonce: 'blob', encrypted_data: 'blob', created_time: 'time', deleted_time: 'time?' },
  },
  {
    name: 'policies',
    key: ['name'],
    columns: {
      name: 'text',
      nonce: 'blob',
      encrypted_spiffe_id_pattern: 'blob',
      encrypted_path_pattern: 'blob',
      encrypted_permissions: 'blob',
      created_time: 'int',
      updated_time: 'int',
    },
  },
  { name: KEY_CHECK, key: ['id'], columns: { id: 'int', algorithm: 'text', value: 'blob', created_time: 'int' } },
  { name: 'spike_ts_retired_key_checks', key: ['value'], columns: { value: 'blob', algorithm: 'text', retired_time: 'int' } },
];

export function columnsOf(spec: TableSpec): string[] {
  return Object.keys(spec.columns);
}

/** A value a backend gave that does not fit its column: the copy stops (the row's key only: paths and names are stored in clear). */
export class BadRowError extends Error {
  override readonly name = 'BadRowError';
}

/**
 * Checks one column value already converted by a backend (`int` as a number,
 * `time` as a Date). `where` names the row for the message.
 */
export function checkValue(spec: TableSpec, column: string, v: unknown, where: () => string): string | Buffer | number | Date | null {
  const type = spec.columns[column];
  const bad = (what: string): never => {
    throw new BadRowError(`${spec.name}: ${where()}: column ${column} ${what}`);
  };
  switch (type) {
    case 'text':
      return typeof v === 'string' ? v : bad('is not text');
    case 'blob':
      return Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v) : bad('is not a blob');
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : bad('is not a whole number');
    case 'time':
    case 'time?':
      if (v === null && type === 'time?') return null;
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v : bad('is not a time');
    default:
      return bad('is not a copied column');
  }
}

/** "path=app/db version=3": a row's primary key, for messages. */
export function rowKey(spec: TableSpec, row: Readonly<Record<string, unknown>>): string {
  return spec.key
    .map((k) => {
      const v = row[k];
      return `${k}=${Buffer.isBuffer(v) ? `0x${v.subarray(0, 8).toString('hex')}…` : String(v)}`;
    })
    .join(' ');
}

/**
 * SHA-256 over every column of every row in key order, each value
 * length-prefixed with a type tag (times as milliseconds since the epoch, the
 * precision both stores read): equal digests mean the target holds the
 * source's rows, column for column.
 */
export class TableDigest {
  private readonly hash: Hash = createHash('sha256');
  rows = 0;

  constructor(private readonly spec: TableSpec) {}

  add(row: Row): void {
    this.rows++;
    for (const column of columnsOf(this.spec)) {
      const v = row[column];
      let tag: string;
      let bytes: Buffer;
      if (v === null || v === undefined) [tag, bytes] = ['n', Buffer.alloc(0)];
      else if (Buffer.isBuffer(v)) [tag, bytes] = ['b', v];
      else if (v instanceof Date) [tag, bytes] = ['d', Buffer.from(String(v.getTime()))];
      else if (typeof v === 'number') [tag, bytes] = ['i', Buffer.from(String(v))];
      else [tag, bytes] = ['s', Buffer.from(v, 'utf8')];
      const head = Buffer.alloc(5);
      head.write(tag, 0, 'latin1');
      head.writeUInt32BE(bytes.length, 1);
      this.hash.update(head);
      this.hash.update(bytes);
    }
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}
