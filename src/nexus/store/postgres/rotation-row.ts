// The spike_ts_rotation row of a PostgreSQL store (schema.ts migration 4):
// reading and writing it. Nothing secret in the clear: the keys are wrapped
// (key-wrap.ts), the key check is an HMAC.
import { decodeRotationFields, rotationCount, rotationRowMalformed, type RawRotationFields, type RotationRowFields } from '../rotation/row-fields.js';
import type { RotationPhase } from '../types.js';
import { ROTATION_TABLE } from './schema.js';
import type { Queryable } from './tx.js';

/** Where re-encryption stands: a table (index into REENCRYPTED_TABLES) and the last primary key gone over there. */
export interface RotationCursor {
  /** REENCRYPTED_TABLES.length once every table was gone over. */
  readonly table: number;
  /** Last name/path gone over in that table; undefined: none yet. */
  readonly name?: string;
  /** secrets only: the version of that path gone over last. */
  readonly version?: number;
}

export interface RotationRow extends RotationRowFields {
  readonly cursor: RotationCursor;
  /** The replica (its store instance's random id) driving the rotation. */
  readonly driver: string;
}

interface RawRow extends RawRotationFields {
  cursor_name: unknown;
  cursor_version: unknown;
  driver: unknown;
}

function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  throw rotationRowMalformed();
}

/** int8 columns come as decimal strings. */
function count(v: unknown): number {
  return rotationCount(typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v);
}

export function rotationRowOf(r: RawRow): RotationRow {
  if (typeof r.driver !== 'string') throw rotationRowMalformed();
  if (r.cursor_name !== null && typeof r.cursor_name !== 'string') throw rotationRowMalformed();
  const { cursorTable, ...fields } = decodeRotationFields(r, { bytes, count });
  return {
    ...fields,
    cursor: {
      table: cursorTable,
      ...(r.cursor_name === null ? {} : { name: r.cursor_name }),
      ...(r.cursor_version === null ? {} : { version: count(r.cursor_version) }),
    },
    driver: r.driver,
  };
}

/** The running rotation, or undefined. `lock`: FOR UPDATE (inside a write transaction). */
export async function readRotationRow(q: Queryable, lock = false): Promise<RotationRow | undefined> {
  const r = await q.query<RawRow>(`SELECT * FROM ${ROTATION_TABLE} WHERE id = 1${lock ? ' FOR UPDATE' : ''}`);
  const row = r.rows[0];
  return row === undefined ? undefined : rotationRowOf(row);
}

export async function insertRotationRow(q: Queryable, row: RotationRow, leaseMs: number): Promise<void> {
  await q.query(
    `INSERT INTO ${ROTATION_TABLE} (id, phase, new_key_check, new_key_nonce, new_key_wrapped, previous_key_nonce, previous_key_wrapped,
       cursor_table, cursor_name, cursor_version, done, total, unreadable, started_by, started_time, driver, lease_until)
     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now() + make_interval(secs => $16::double precision / 1000))`,
    [
      row.phase,
      row.newKeyCheck,
      row.newKey.nonce,
      row.newKey.sealed,
      row.previousKey.nonce,
      row.previousKey.sealed,
      row.cursor.table,
      row.cursor.name ?? null,
      row.cursor.version ?? null,
      row.done,
      row.total,
      row.unreadable,
      row.startedBy,
      row.startedTime,
      row.driver,
      leaseMs,
    ],
  );
}

/** Saves a batch's progress and renews the driver's lease. */
export async function saveRotationProgress(
  q: Queryable,
  p: { phase: RotationPhase; cursor: RotationCursor; done: number; unreadable: number },
  leaseMs: number,
): Promise<void> {
  await q.query(
    `UPDATE ${ROTATION_TABLE} SET phase = $1, cursor_table = $2, cursor_name = $3, cursor_version = $4, done = $5, unreadable = $6,
       lease_until = now() + make_interval(secs => $7::double precision / 1000) WHERE id = 1`,
    [p.phase, p.cursor.table, p.cursor.name ?? null, p.cursor.version ?? null, p.done, p.unreadable, leaseMs],
  );
}

/** Takes or renews the lease for `driver`: true when it holds it now. */
export async function claimRotationLease(q: Queryable, driver: string, leaseMs: number): Promise<boolean> {
  const r = await q.query(
    `UPDATE ${ROTATION_TABLE} SET driver = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id = 1 AND (driver = $1 OR lease_until < now())`,
    [driver, leaseMs],
  );
  return r.rowCount === 1;
}

export async function deleteRotationRow(q: Queryable): Promise<void> {
  await q.query(`DELETE FROM ${ROTATION_TABLE} WHERE id = 1`);
}
