// StoreRotation for the SQLite store (docs/design.md § Root-key rotation).
// The store is the source of truth: every change of the rotation state is one
// immediate transaction, and the keyring (what the backend seals and opens
// with) changes only after that transaction committed.
//   begin   row spike_ts_rotation: phase 'reencrypting', new key check, each
//           key wrapped under the other, cursor at the start, per-table end
//           rowids and the row count; then the new key seals.
//   batch   goes over ≤ maxRows rows from the cursor, re-sealing those the new
//           key does not open; saves the cursor; the batch that passes the
//           last row sets phase 'pushing'.
//   finish  key check := the new key's; the old key's key check is retired;
//           the rotation row (with both wrapped keys) deleted; the old key zeroed.
import { timingSafeEqual } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import { keyCheckValue, sameKeyCheck } from '../crypto.js';
import { StoreError } from '../errors.js';
import { wrapKey } from '../key-wrap.js';
import type { Keyring } from '../keyring.js';
import type { RotationStatus, StoreRotation } from '../types.js';
import { checkNewRootKey, noRotationRunning, rotationConflict, withKeyCopy } from '../rotation/rotation-guards.js';
import { REENCRYPTED_TABLES, rotationStatusOf } from '../rotation/row-fields.js';
import { tableResealer, type TableResealer } from './reseal.js';
import {
  deleteRotationRow,
  insertRotationRow,
  readRotationRow,
  retireKeyCheck,
  retiredKeyChecks,
  saveRotationProgress,
  type RotationRow,
} from './rotation-row.js';
import { KEY_CHECK_ALGORITHM, KEY_CHECK_TABLE } from './schema.js';

export interface SqliteRotationDeps {
  readonly db: Db;
  /** The backend's keyring (shared: the rotation switches it after each commit). */
  readonly keyring: Keyring;
  /** Drops the backend's memo of sealed row bytes (rows are rewritten under it). */
  readonly forgetSealedRows: () => void;
  readonly now: () => Date;
}

function copyStatus(s: RotationStatus): RotationStatus {
  return { ...s, startedAt: new Date(s.startedAt) };
}

export function sqliteRotation(deps: SqliteRotationDeps): StoreRotation {
  const { db, keyring } = deps;
  const resealers: TableResealer[] = REENCRYPTED_TABLES.map((t) => tableResealer(db, t));
  const immediate = <T>(fn: () => T): T => db.transaction(fn).immediate();

  // The committed state, as of the last transaction (this connection is the store's only writer).
  let current: RotationStatus | undefined;
  const loaded = readRotationRow(db);
  current = loaded === undefined ? undefined : rotationStatusOf(loaded);

  const begin = (newKey: Uint8Array, startedBy: string): RotationStatus => {
    checkNewRootKey(newKey);
    if (typeof startedBy !== 'string') throw new StoreError('invalid_input', 'startedBy must be a string');
    if (current !== undefined || keyring.previous !== undefined) throw rotationConflict('a root-key rotation is already running');
    const next = Buffer.from(newKey);
    let owned = false;
    try {
      if (timingSafeEqual(next, keyring.sealing)) throw new StoreError('invalid_input', 'the new root key is the current one');
      const row = immediate((): RotationRow => {
        if (readRotationRow(db) !== undefined) throw rotationConflict('a root-key rotation is already running');
        const newKeyCheck = keyCheckValue(next);
        if (retiredKeyChecks(db).some((v) => sameKeyCheck(newKeyCheck, v))) {
          throw new StoreError('invalid_input', 'the new root key was retired by an earlier rotation');
        }
        const ends: number[] = [];
        let total = 0;
        for (const table of REENCRYPTED_TABLES) {
          const r = db.prepare<[], { n: number; m: number }>(`SELECT count(*) AS n, coalesce(max(rowid), 0) AS m FROM ${table}`).get();
          ends.push(r?.m ?? 0);
          total += r?.n ?? 0;
        }
        const row: RotationRow = {
          phase: 'reencrypting',
          newKeyCheck,
          newKey: wrapKey(keyring.sealing, next),
          previousKey: wrapKey(next, keyring.sealing),
          cursor: { table: 0, rowid: 0 },
          endRowids: [ends[0] ?? 0, ends[1] ?? 0, ends[2] ?? 0],
          done: 0,
          total,
          unreadable: 0,
          startedBy,
          startedTime: deps.now().getTime(),
        };
        insertRotationRow(db, row);
        return row;
      });
      keyring.rotateTo(next);
      owned = true;
      current = rotationStatusOf(row);
      return copyStatus(current);
    } finally {
      if (!owned) next.fill(0);
    }
  };

  const reencryptBatch = (maxRows: number, hooks?: { readonly beforeCommit?: () => void }): RotationStatus => {
    if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new StoreError('invalid_input', 'maxRows must be a positive integer');
    if (current === undefined) throw noRotationRunning();
    if (current.phase === 'pushing') return copyStatus(current);
    const oldKey = keyring.previous;
    if (oldKey === undefined) throw new StoreError('integrity', 'the rotation has no previous root key');
    const newKey = keyring.sealing;
    deps.forgetSealedRows();
    const row = immediate((): RotationRow => {
      const r = readRotationRow(db);
      if (r === undefined) throw noRotationRunning();
      let { table, rowid } = r.cursor;
      let { done, unreadable } = r;
      let budget = maxRows;
      while (table < REENCRYPTED_TABLES.length) {
        const resealer = resealers[table];
        const end = r.endRowids[table];
        if (resealer === undefined || end === undefined) throw new StoreError('integrity', 'rotation cursor out of range');
        for (const one of budget > 0 ? resealer.select(rowid, end, budget) : []) {
          if (resealer.reseal(one, oldKey, newKey) === 'unreadable') unreadable++;
          done++;
          budget--;
          rowid = Number(one.rid);
        }
        // Budget left over: the select came back short, the table is done.
        if (budget > 0 || !resealer.hasMore(rowid, end)) {
          table++;
          rowid = 0;
        } else {
          break;
        }
      }
      const phase = table >= REENCRYPTED_TABLES.length ? 'pushing' : 'reencrypting';
      const cursor = { table, rowid };
      saveRotationProgress(db, { phase, cursor, done, unreadable });
      hooks?.beforeCommit?.();
      return { ...r, phase, cursor, done, unreadable };
    });
    current = rotationStatusOf(row);
    return copyStatus(current);
  };

  const finish = (): void => {
    if (current === undefined) throw noRotationRunning();
    if (current.phase !== 'pushing') throw rotationConflict('the rotation has not re-encrypted every row yet');
    const oldKey = keyring.previous;
    if (oldKey === undefined) throw new StoreError('integrity', 'the rotation has no previous root key');
    const newKcv = keyCheckValue(keyring.sealing);
    const oldKcv = keyCheckValue(oldKey);
    try {
      immediate(() => {
        const r = readRotationRow(db);
        if (r === undefined) throw noRotationRunning();
        if (r.phase !== 'pushing') throw rotationConflict('the rotation has not re-encrypted every row yet');
        const nowSeconds = Math.floor(deps.now().getTime() / 1000);
        db.prepare(
          `INSERT INTO ${KEY_CHECK_TABLE} (id, algorithm, value, created_time) VALUES (1, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET algorithm = excluded.algorithm, value = excluded.value, created_time = excluded.created_time`,
        ).run(KEY_CHECK_ALGORITHM, newKcv, nowSeconds);
        retireKeyCheck(db, oldKcv, nowSeconds);
        deleteRotationRow(db);
      });
    } finally {
      newKcv.fill(0);
      oldKcv.fill(0);
    }
    deps.forgetSealedRows();
    keyring.retirePrevious();
    current = undefined;
  };

  return {
    status: () => (current === undefined ? undefined : copyStatus(current)),
    begin,
    reencryptBatch,
    finish,
    withSealingKey: (fn) => withKeyCopy(keyring.sealing, fn),
    withPreviousKey(fn) {
      const previous = keyring.previous;
      return previous === undefined ? undefined : withKeyCopy(previous, fn);
    },
  };
}
