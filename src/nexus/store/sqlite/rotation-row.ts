// Reading and writing our rotation tables (schema.ts): the single
// spike_ts_rotation row and the retired key checks. Works on any connection
// (read-only ones included for reading); tables that do not exist read as empty.
import type { Database as Db } from 'better-sqlite3';
import { decodeRotationFields, rotationCount, rotationRowMalformed, type RawRotationFields, type RotationRowFields } from '../rotation/row-fields.js';
import type { RotationPhase } from '../types.js';
import { KEY_CHECK_ALGORITHM, RETIRED_KEY_CHECKS_TABLE, ROTATION_TABLE } from './schema.js';
import { tableExists } from './tables.js';

export interface RotationCursor {
  /** Index into REENCRYPTED_TABLES; REENCRYPTED_TABLES.length once every table was gone over. */
  readonly table: number;
  /** Last rowid gone over in that table (0: none yet). */
  readonly rowid: number;
}

export interface RotationRow extends RotationRowFields {
  readonly cursor: RotationCursor;
  /** Highest rowid per table (REENCRYPTED_TABLES order) at begin: rows above were written with the new key. */
  readonly endRowids: readonly [number, number, number];
  /** Rows gone over (may pass `total` when a row written during the rotation reused a rowid). */
  readonly done: number;
}

interface RawRow extends RawRotationFields {
  cursor_rowid: unknown;
  end_rowid_policies: unknown;
  end_rowid_secret_metadata: unknown;
  end_rowid_secrets: unknown;
}

function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  throw rotationRowMalformed();
}

function count(v: unknown): number {
  return rotationCount(typeof v === 'bigint' ? Number(v) : v);
}

/** The running rotation, or undefined (also when our tables do not exist yet). */
export function readRotationRow(db: Db): RotationRow | undefined {
  if (!tableExists(db, ROTATION_TABLE)) return undefined;
  const r = db.prepare<[], RawRow>(`SELECT * FROM ${ROTATION_TABLE} WHERE id = 1`).get();
  if (r === undefined) return undefined;
  const { cursorTable, ...fields } = decodeRotationFields(r, { bytes, count });
  return {
    ...fields,
    cursor: { table: cursorTable, rowid: count(r.cursor_rowid) },
    endRowids: [count(r.end_rowid_policies), count(r.end_rowid_secret_metadata), count(r.end_rowid_secrets)],
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
