// Re-sealing one stored row from the old root key to the new one, keeping the
// raw plaintext bytes identical (docs/design.md § Root-key rotation):
//   secrets          encrypted_data, fresh nonce
//   secret_metadata  the five fields, fresh base nonce, upstream's field salts
//   policies         the three fields in our per-field-nonce form, whether the
//                    row was written in that form or in upstream's shared-nonce form
// A row the new key already opens is kept as it is; a row neither key opens
// is reported 'unreadable' and left as it is. Plaintext buffers are zeroed.
import type { Database as Db, Statement } from 'better-sqlite3';
import { DecryptError, fieldNonce, METADATA_SALTS, newNonce, NONCE_BYTES, open, POLICY_SALTS, seal } from '../crypto.js';
import type { ReencryptedTable } from './rotation-row.js';

export type ResealOutcome = 'kept' | 'resealed' | 'unreadable';

/** One row as selected for re-encryption: its rowid, then its nonce and sealed columns. */
type Row = Record<string, unknown> & { rid: number | bigint };

interface FieldLayout {
  /** Sealed columns, in order. */
  readonly columns: readonly string[];
  /** The salt of each column (per-field-nonce form); undefined: one nonce for the row (secrets). */
  readonly salts?: readonly string[];
  /** Also open rows whose fields all share the row's nonce (upstream-written policies). */
  readonly sharedNonceForm: boolean;
}

const LAYOUTS: Record<ReencryptedTable, FieldLayout> = {
  policies: {
    columns: ['encrypted_spiffe_id_pattern', 'encrypted_path_pattern', 'encrypted_permissions'],
    salts: [POLICY_SALTS.spiffeIdPattern, POLICY_SALTS.pathPattern, POLICY_SALTS.permissions],
    sharedNonceForm: true,
  },
  secret_metadata: {
    columns: ['encrypted_current_version', 'encrypted_oldest_version', 'encrypted_created_time', 'encrypted_updated_time', 'encrypted_max_versions'],
    salts: [METADATA_SALTS.currentVersion, METADATA_SALTS.oldestVersion, METADATA_SALTS.createdTime, METADATA_SALTS.updatedTime, METADATA_SALTS.maxVersions],
    sharedNonceForm: false,
  },
  secrets: { columns: ['encrypted_data'], sharedNonceForm: false },
};

function zeroAll(bufs: readonly Buffer[]): void {
  for (const b of bufs) b.fill(0);
}

/** Opens every sealed field with `nonces[i]`; undefined (nothing left unzeroed) when one does not open. */
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

/** The raw plaintexts of a row's sealed fields under `key` (either form), or undefined. */
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

/** Seals `plain` (same order as the layout's columns) under `key` with a fresh base nonce, in our per-field form. */
function sealRow(layout: FieldLayout, key: Uint8Array, plain: readonly Buffer[]): { nonce: Buffer; sealed: Buffer[] } {
  const nonce = newNonce();
  const sealed = plain.map((p, i) => {
    const salt = layout.salts?.[i];
    return seal(key, salt === undefined ? nonce : fieldNonce(nonce, salt), p);
  });
  return { nonce, sealed };
}

export interface TableResealer {
  /** Rows with cursorRowid < rowid ≤ endRowid, in rowid order, at most `limit`. */
  select(afterRowid: number, endRowid: number, limit: number): Row[];
  /** true when such a row exists. */
  hasMore(afterRowid: number, endRowid: number): boolean;
  reseal(row: Row, oldKey: Uint8Array, newKey: Uint8Array): ResealOutcome;
}

export function tableResealer(db: Db, table: ReencryptedTable): TableResealer {
  const layout = LAYOUTS[table];
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
      const base = row['nonce'];
      if (!(base instanceof Uint8Array) || base.length !== NONCE_BYTES) return 'unreadable';
      const baseBuf = Buffer.from(base);
      const sealed = cols.map((c) => row[c]);
      const underNew = openRow(layout, newKey, baseBuf, sealed);
      if (underNew !== undefined) {
        zeroAll(underNew);
        return 'kept';
      }
      const plain = openRow(layout, oldKey, baseBuf, sealed);
      if (plain === undefined) return 'unreadable';
      try {
        const next = sealRow(layout, newKey, plain);
        update.run(next.nonce, ...next.sealed, row.rid);
        return 'resealed';
      } finally {
        zeroAll(plain);
      }
    },
  };
}
