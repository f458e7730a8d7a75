// Re-sealing a batch of rows of one table from the old root key to the new
// one, on PostgreSQL (the same outcome per row as sqlite/reseal.ts, docs/design.md
// § Root-key rotation): raw plaintext bytes kept, fresh nonces, policies
// written in our per-field-nonce form whichever form they were in. A row the
// new key already opens is kept; a row neither key opens is 'unreadable' and
// left as it is. Rows are selected after the cursor in primary-key order and
// locked (FOR UPDATE) until the batch commits; the changed ones are written
// back with one UPDATE. Plaintext buffers are zeroed.
import { DecryptError, fieldNonce, METADATA_SALTS, newNonce, NONCE_BYTES, open, POLICY_SALTS, seal } from '../crypto.js';
import type { ReencryptedTable, RotationCursor } from './rotation-row.js';
import type { Queryable } from './tx.js';

interface FieldLayout {
  /** Primary-key columns: name/path, then (secrets) version. */
  readonly key: readonly ['name'] | readonly ['path'] | readonly ['path', 'version'];
  readonly columns: readonly string[];
  /** Per-field salts (derived nonces); undefined: one nonce for the row (secrets). */
  readonly salts?: readonly string[];
  /** Also open rows whose fields all share the row's nonce (upstream-written policies). */
  readonly sharedNonceForm: boolean;
}

const LAYOUTS: Record<ReencryptedTable, FieldLayout> = {
  policies: {
    key: ['name'],
    columns: ['encrypted_spiffe_id_pattern', 'encrypted_path_pattern', 'encrypted_permissions'],
    salts: [POLICY_SALTS.spiffeIdPattern, POLICY_SALTS.pathPattern, POLICY_SALTS.permissions],
    sharedNonceForm: true,
  },
  secret_metadata: {
    key: ['path'],
    columns: ['encrypted_current_version', 'encrypted_oldest_version', 'encrypted_created_time', 'encrypted_updated_time', 'encrypted_max_versions'],
    salts: [METADATA_SALTS.currentVersion, METADATA_SALTS.oldestVersion, METADATA_SALTS.createdTime, METADATA_SALTS.updatedTime, METADATA_SALTS.maxVersions],
    sharedNonceForm: false,
  },
  secrets: { key: ['path', 'version'], columns: ['encrypted_data'], sharedNonceForm: false },
};

type Row = Record<string, unknown>;

function zeroAll(bufs: readonly Buffer[]): void {
  for (const b of bufs) b.fill(0);
}

function openFields(key: Uint8Array, nonces: readonly Buffer[], sealed: readonly unknown[]): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (let i = 0; i < sealed.length; i++) {
    const s = sealed[i];
    const n = nonces[i];
    if (!(s instanceof Uint8Array) || n === undefined) {
      zeroAll(out);
      return undefined;
    }
    try {
      out.push(open(key, n, s));
    } catch (e) {
      zeroAll(out);
      if (e instanceof DecryptError) return undefined;
      throw e;
    }
  }
  return out;
}

function openRow(layout: FieldLayout, key: Uint8Array, base: Buffer, sealed: readonly unknown[]): Buffer[] | undefined {
  const perField = layout.salts === undefined ? [base] : layout.salts.map((salt) => fieldNonce(base, salt));
  const plain = openFields(key, perField, sealed);
  if (plain !== undefined || !layout.sharedNonceForm) return plain;
  return openFields(
    key,
    sealed.map(() => base),
    sealed,
  );
}

function sealRow(layout: FieldLayout, key: Uint8Array, plain: readonly Buffer[]): { nonce: Buffer; sealed: Buffer[] } {
  const nonce = newNonce();
  const sealed = plain.map((p, i) => {
    const salt = layout.salts?.[i];
    return seal(key, salt === undefined ? nonce : fieldNonce(nonce, salt), p);
  });
  return { nonce, sealed };
}

export interface BatchOutcome {
  /** Rows gone over. */
  readonly rows: number;
  readonly unreadable: number;
  /** The cursor after the last row gone over (unchanged when none). */
  readonly last: RotationCursor;
  /** Fewer rows than asked for were left: the table is done. */
  readonly tableDone: boolean;
}

function afterClause(layout: FieldLayout, cursor: RotationCursor): { where: string; values: unknown[] } {
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
    const base = row['nonce'];
    const sealed = layout.columns.map((col) => row[col]);
    const key = layout.key.map((k) => row[k]);
    if (!(base instanceof Uint8Array) || base.length !== NONCE_BYTES) {
      unreadable++;
      continue;
    }
    const baseBuf = Buffer.from(base);
    const underNew = openRow(layout, newKey, baseBuf, sealed);
    if (underNew !== undefined) {
      zeroAll(underNew);
      continue;
    }
    const plain = openRow(layout, oldKey, baseBuf, sealed);
    if (plain === undefined) {
      unreadable++;
      continue;
    }
    try {
      changed.push({ key, ...sealRow(layout, newKey, plain) });
    } finally {
      zeroAll(plain);
    }
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
