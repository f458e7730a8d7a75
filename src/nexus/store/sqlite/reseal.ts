// Re-sealing stored rows from the old root key to the new one, on SQLite, in
// rowid order: the SQL here, what to do with each row in
// ../rotation/reseal-row.ts (docs/design.md § Root-key rotation).
import type { Database as Db, Statement } from 'better-sqlite3';
import { resealRow, SEALED_FIELD_LAYOUTS } from '../rotation/reseal-row.js';
import type { ReencryptedTable } from '../rotation/row-fields.js';

export type ResealOutcome = 'kept' | 'resealed' | 'unreadable';

/** One row as selected for re-encryption: its rowid, then its nonce and sealed columns. */
type Row = Record<string, unknown> & { rid: number | bigint };

export interface TableResealer {
  /** Rows with cursorRowid < rowid ≤ endRowid, in rowid order, at most `limit`. */
  select(afterRowid: number, endRowid: number, limit: number): Row[];
  /** true when such a row exists. */
  hasMore(afterRowid: number, endRowid: number): boolean;
  reseal(row: Row, oldKey: Uint8Array, newKey: Uint8Array): ResealOutcome;
}

export function tableResealer(db: Db, table: ReencryptedTable): TableResealer {
  const layout = SEALED_FIELD_LAYOUTS[table];
  const cols = layout.columns;
  const select: Statement<[number, number, number], Row> = db.prepare(
    `SELECT rowid AS rid, nonce, ${cols.join(', ')} FROM ${table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?`,
  );
  const more = db.prepare<[number, number], unknown>(`SELECT 1 FROM ${table} WHERE rowid > ? AND rowid <= ? LIMIT 1`);
  const update = db.prepare(`UPDATE ${table} SET nonce = ?, ${cols.map((c) => `${c} = ?`).join(', ')} WHERE rowid = ?`);
  return {
    select: (after, end, limit) => select.all(after, end, limit),
    hasMore: (after, end) => more.get(after, end) !== undefined,
    reseal(row, oldKey, newKey) {
      const next = resealRow(layout, row, oldKey, newKey);
      if (next.outcome === 'resealed') update.run(next.nonce, ...next.sealed, row.rid);
      return next.outcome;
    },
  };
}
