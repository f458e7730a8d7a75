// Reading and writing our rotation tables (schema.ts): the single
// spike_ts_rotation row and the retired key checks. Works on any connection
// (read-only ones included for reading); tables that do not exist read as empty.
import type { Database as Db } from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type { WrappedKey } from '../key-wrap.js';
import type { RotationPhase, RotationStatus } from '../types.js';
import { KEY_CHECK_ALGORITHM, RETIRED_KEY_CHECKS_TABLE, ROTATION_TABLE } from './schema.js';
import { tableExists } from './tables.js';

/** The tables a rotation re-encrypts, in cursor order (cursor_table indexes this list). */
export const REENCRYPTED_TABLES = ['policies', 'secret_metadata', 'secrets'] as const;
export type ReencryptedTable = (typeof REENCRYPTED_TABLES)[number];

export interface RotationCursor {
  /** Index into REENCRYPTED_TABLES; REENCRYPTED_TABLES.length once every table was gone over. */
  readonly table: number;
  /** Last rowid gone over in that table (0: none yet). */
  readonly rowid: number;
}

export interface RotationRow {
  readonly phase: RotationPhase;
  readonly newKeyCheck: Buffer;
  /** The new key wrapped under the old one. */
  readonly newKey: WrappedKey;
  /** The old key wrapped under the new one. */
  readonly previousKey: WrappedKey;
  readonly cursor: RotationCursor;
  /** Highest rowid per table (REENCRYPTED_TABLES order) at begin: rows above were written with the new key. */
  readonly endRowids: readonly [number, number, number];
  /** Rows gone over (may pass `total` when a row written during the rotation reused a rowid). */
  readonly done: number;
  readonly total: number;
  readonly unreadable: number;
  readonly startedBy: string;
  /** Unix milliseconds. */
  readonly startedTime: number;
}

interface RawRow {
  phase: unknown;
  new_key_check: unknown;
  new_key_nonce: unknown;
  new_key_wrapped: unknown;
  previous_key_nonce: unknown;
  previous_key_wrapped: unknown;
  cursor_table: unknown;
  cursor_rowid: unknown;
  end_rowid_policies: unknown;
  end_rowid_secret_metadata: unknown;
  end_rowid_secrets: unknown;
  done: unknown;
  total: unknown;
  unreadable: unknown;
  started_by: unknown;
  started_time: unknown;
}

function malformed(): StoreError {
  return new StoreError('integrity', 'the stored root-key rotation state is malformed');
}

function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  throw malformed();
}

function count(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw malformed();
  return n;
}

/** The running rotation, or undefined (also when our tables do not exist yet). */
export function readRotationRow(db: Db): RotationRow | undefined {
  if (!tableExists(db, ROTATION_TABLE)) return undefined;
  const r = db.prepare<[], RawRow>(`SELECT * FROM ${ROTATION_TABLE} WHERE id = 1`).get();
  if (r === undefined) return undefined;
  if (r.phase !== 'reencrypting' && r.phase !== 'pushing') throw malformed();
  if (typeof r.started_by !== 'string') throw malformed();
  const table = count(r.cursor_table);
  if (table > REENCRYPTED_TABLES.length) throw malformed();
  return {
    phase: r.phase,
    newKeyCheck: bytes(r.new_key_check),
    newKey: { nonce: bytes(r.new_key_nonce), sealed: bytes(r.new_key_wrapped) },
    previousKey: { nonce: bytes(r.previous_key_nonce), sealed: bytes(r.previous_key_wrapped) },
    cursor: { table, rowid: count(r.cursor_rowid) },
    endRowids: [count(r.end_rowid_policies), count(r.end_rowid_secret_metadata), count(r.end_rowid_secrets)],
    done: count(r.done),
    total: count(r.total),
    unreadable: count(r.unreadable),
    startedBy: r.started_by,
    startedTime: count(r.started_time),
  };
}

export function insertRotationRow(db: Db, row: RotationRow): void {
  db.prepare(
    `INSERT INTO ${ROTATION_TABLE} (id, phase, new_key_check, new_key_nonce, new_key_wrapped, previous_key_nonce, previous_key_wrapped,
       cursor_table, cursor_rowid, end_rowid_policies, end_rowid_secret_metadata, end_rowid_secrets, done, total, unreadable, started_by, started_time)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.phase,
    row.newKeyCheck,
    row.newKey.nonce,
    row.newKey.sealed,
    row.previousKey.nonce,
    row.previousKey.sealed,
    row.cursor.table,
    row.cursor.rowid,
    ...row.endRowids,
    row.done,
    row.total,
    row.unreadable,
    row.startedBy,
    row.startedTime,
  );
}

export function saveRotationProgress(db: Db, p: { phase: RotationPhase; cursor: RotationCursor; done: number; unreadable: number }): void {
  db.prepare(`UPDATE ${ROTATION_TABLE} SET phase = ?, cursor_table = ?, cursor_rowid = ?, done = ?, unreadable = ? WHERE id = 1`).run(
    p.phase,
    p.cursor.table,
    p.cursor.rowid,
    p.done,
    p.unreadable,
  );
}

export function deleteRotationRow(db: Db): void {
  db.prepare(`DELETE FROM ${ROTATION_TABLE} WHERE id = 1`).run();
}

/** Key-check values of the keys retired by finished rotations. */
export function retiredKeyChecks(db: Db): Buffer[] {
  if (!tableExists(db, RETIRED_KEY_CHECKS_TABLE)) return [];
  return db
    .prepare<[], { value: unknown }>(`SELECT value FROM ${RETIRED_KEY_CHECKS_TABLE}`)
    .all()
    .flatMap((r) => (r.value instanceof Uint8Array ? [Buffer.from(r.value)] : []));
}

export function retireKeyCheck(db: Db, value: Uint8Array, unixSeconds: number): void {
  db.prepare(`INSERT OR IGNORE INTO ${RETIRED_KEY_CHECKS_TABLE} (value, algorithm, retired_time) VALUES (?, ?, ?)`).run(
    value,
    KEY_CHECK_ALGORITHM,
    unixSeconds,
  );
}

export function rotationStatusOf(row: RotationRow): RotationStatus {
  return {
    phase: row.phase,
    startedAt: new Date(row.startedTime),
    startedBy: row.startedBy,
    done: row.phase === 'pushing' ? row.total : Math.min(row.done, row.total),
    total: row.total,
    unreadable: row.unreadable,
  };
}
