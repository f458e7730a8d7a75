// Re-sealing a batch of rows of one table from the old root key to the new
// one, on PostgreSQL: the SQL here, what to do with each row (the same as on
// SQLite) in ../rotation/reseal-row.ts (docs/design.md § Root-key rotation).
// Rows are selected after the cursor in primary-key order and locked (FOR
// UPDATE) until the batch commits; the changed ones are written back with one
// UPDATE.
import { resealRow, SEALED_FIELD_LAYOUTS, type SealedFieldLayout } from '../rotation/reseal-row.js';
import type { ReencryptedTable } from '../rotation/row-fields.js';
import type { RotationCursor } from './rotation-row.js';
import type { Queryable } from './tx.js';

interface TableLayout extends SealedFieldLayout {
  /** Primary-key columns: name/path, then (secrets) version. */
  readonly key: readonly ['name'] | readonly ['path'] | readonly ['path', 'version'];
}

const LAYOUTS: Record<ReencryptedTable, TableLayout> = {
  policies: { ...SEALED_FIELD_LAYOUTS.policies, key: ['name'] },
  secret_metadata: { ...SEALED_FIELD_LAYOUTS.secret_metadata, key: ['path'] },
  secrets: { ...SEALED_FIELD_LAYOUTS.secrets, key: ['path', 'version'] },
};

type Row = Record<string, unknown>;

export interface BatchOutcome {
  /** Rows gone over. */
  readonly rows: number;
  readonly unreadable: number;
  /** The cursor after the last row gone over (unchanged when none). */
  readonly last: RotationCursor;
  /** Fewer rows than asked for were left: the table is done. */
  readonly tableDone: boolean;
}

function afterClause(layout: TableLayout, cursor: RotationCursor): { where: string; values: unknown[] } {
  if (cursor.name === undefined) return { where: '', values: [] };
  if (layout.key.length === 2) return { where: 'WHERE (path, version) > ($1, $2)', values: [cursor.name, cursor.version ?? 0] };
  return { where: `WHERE ${layout.key[0]} > $1`, values: [cursor.name] };
}

/**
 * Goes over at most `limit` rows of `table` after `cursor` (in one transaction the caller holds),
 * re-sealing under `newKey` those it does not open yet.
 */
export async function resealBatch(
  c: Queryable,
  table: ReencryptedTable,
  tableIndex: number,
  cursor: RotationCursor,
  limit: number,
  oldKey: Uint8Array,
  newKey: Uint8Array,
): Promise<BatchOutcome> {
  const layout = LAYOUTS[table];
  const keyCols = layout.key.join(', ');
  const after = afterClause(layout, cursor);
  const rows = (
    await c.query<Row>(
      `SELECT ${keyCols}, nonce, ${layout.columns.join(', ')} FROM ${table} ${after.where} ORDER BY ${keyCols} LIMIT ${Math.trunc(limit)} FOR UPDATE`,
      after.values,
    )
  ).rows;
  let unreadable = 0;
  const changed: { key: unknown[]; nonce: Buffer; sealed: Buffer[] }[] = [];
  for (const row of rows) {
    const next = resealRow(layout, row, oldKey, newKey);
    if (next.outcome === 'unreadable') unreadable++;
    else if (next.outcome === 'resealed') changed.push({ key: layout.key.map((k) => row[k]), nonce: next.nonce, sealed: next.sealed });
  }
  if (changed.length > 0) {
    // One UPDATE for the batch: unnest the key columns, the nonces and each sealed column.
    const keyTypes = layout.key.map((k) => (k === 'version' ? 'bigint[]' : 'text[]'));
    const params: unknown[] = [
      ...layout.key.map((_, i) => changed.map((ch) => ch.key[i])),
      changed.map((ch) => ch.nonce),
      ...layout.columns.map((_, i) => changed.map((ch) => ch.sealed[i])),
    ];
    const types = [...keyTypes, 'bytea[]', ...layout.columns.map(() => 'bytea[]')];
    const names = [...layout.key.map((k) => `k_${k}`), 'n', ...layout.columns.map((_, i) => `c${i}`)];
    await c.query(
      `UPDATE ${table} t SET nonce = u.n, ${layout.columns.map((col, i) => `${col} = u.c${i}`).join(', ')}
       FROM unnest(${types.map((ty, i) => `$${i + 1}::${ty}`).join(', ')}) AS u(${names.join(', ')})
       WHERE ${layout.key.map((k) => `t.${k} = u.k_${k}`).join(' AND ')}`,
      params,
    );
  }
  const lastRow = rows[rows.length - 1];
  let last: RotationCursor = cursor;
  if (lastRow !== undefined) {
    const name = lastRow[layout.key[0]];
    const version = layout.key.length === 2 ? Number(lastRow['version']) : undefined;
    last = { table: tableIndex, name: String(name), ...(version === undefined ? {} : { version }) };
  }
  return { rows: rows.length, unreadable, last, tableDone: rows.length < limit };
}
