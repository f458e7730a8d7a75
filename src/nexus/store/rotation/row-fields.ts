// The backend-independent part of the stored rotation row (the single
// spike_ts_rotation row of sqlite/rotation-row.ts and postgres/rotation-row.ts):
// the tables a rotation re-encrypts, the fields every backend stores, their
// decoding and validation, and the status reported from them. Each backend
// keeps its cursor columns, its SQL and how its driver hands over bytes and
// integers. Nothing secret in the clear: the keys are wrapped (key-wrap.ts),
// the key check is an HMAC.
import { StoreError } from '../errors.js';
import type { WrappedKey } from '../key-wrap.js';
import type { RotationPhase, RotationStatus } from '../types.js';

/** The tables a rotation re-encrypts, in cursor order (cursor_table indexes this list). */
export const REENCRYPTED_TABLES = ['policies', 'secret_metadata', 'secrets'] as const;
export type ReencryptedTable = (typeof REENCRYPTED_TABLES)[number];

/** The fields of the rotation row that every backend stores alike. */
export interface RotationRowFields {
  readonly phase: RotationPhase;
  readonly newKeyCheck: Buffer;
  /** The new key wrapped under the old one. */
  readonly newKey: WrappedKey;
  /** The old key wrapped under the new one. */
  readonly previousKey: WrappedKey;
  readonly done: number;
  readonly total: number;
  readonly unreadable: number;
  readonly startedBy: string;
  /** Unix milliseconds. */
  readonly startedTime: number;
}

/** The stored columns behind RotationRowFields, as the driver returns them (unchecked). */
export interface RawRotationFields {
  phase: unknown;
  new_key_check: unknown;
  new_key_nonce: unknown;
  new_key_wrapped: unknown;
  previous_key_nonce: unknown;
  previous_key_wrapped: unknown;
  cursor_table: unknown;
  done: unknown;
  total: unknown;
  unreadable: unknown;
  started_by: unknown;
  started_time: unknown;
}

/** How a backend's driver hands over a bytes column and a non-negative integer column; both throw rotationRowMalformed(). */
export interface RotationColumnReaders {
  bytes(v: unknown): Buffer;
  count(v: unknown): number;
}

export function rotationRowMalformed(): StoreError {
  return new StoreError('integrity', 'the stored root-key rotation state is malformed');
}

/** A non-negative safe integer, or rotationRowMalformed(). */
export function rotationCount(n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw rotationRowMalformed();
  return n;
}

/** The common fields and the cursor's table index, checked; StoreError 'integrity' when malformed. */
export function decodeRotationFields(r: RawRotationFields, read: RotationColumnReaders): RotationRowFields & { readonly cursorTable: number } {
  if (r.phase !== 'reencrypting' && r.phase !== 'pushing') throw rotationRowMalformed();
  if (typeof r.started_by !== 'string') throw rotationRowMalformed();
  const cursorTable = read.count(r.cursor_table);
  if (cursorTable > REENCRYPTED_TABLES.length) throw rotationRowMalformed();
  return {
    phase: r.phase,
    newKeyCheck: read.bytes(r.new_key_check),
    newKey: { nonce: read.bytes(r.new_key_nonce), sealed: read.bytes(r.new_key_wrapped) },
    previousKey: { nonce: read.bytes(r.previous_key_nonce), sealed: read.bytes(r.previous_key_wrapped) },
    cursorTable,
    done: read.count(r.done),
    total: read.count(r.total),
    unreadable: read.count(r.unreadable),
    startedBy: r.started_by,
    startedTime: read.count(r.started_time),
  };
}

export function rotationStatusOf(row: RotationRowFields): RotationStatus {
  return {
    phase: row.phase,
    startedAt: new Date(row.startedTime),
    startedBy: row.startedBy,
    done: row.phase === 'pushing' ? row.total : Math.min(row.done, row.total),
    total: row.total,
    unreadable: row.unreadable,
  };
}
