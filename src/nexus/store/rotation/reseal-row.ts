// Re-sealing one row's sealed fields from the old root key to the new one,
// whatever the backend (sqlite/reseal.ts, postgres/reseal.ts keep only their
// SQL), keeping the raw plaintext bytes identical (docs/design.md § Root-key
// rotation):
//   secrets          encrypted_data, fresh nonce
//   secret_metadata  the five fields, fresh base nonce, upstream's field salts
//   policies         the three fields in our per-field-nonce form, whether the
//                    row was written in that form or in upstream's shared-nonce form
// A row the new key already opens is kept as it is; a row neither key opens
// is 'unreadable' and left as it is. Plaintext buffers are zeroed.
import { DecryptError, fieldNonce, METADATA_SALTS, newNonce, NONCE_BYTES, open, POLICY_SALTS, seal } from '../crypto.js';
import type { ReencryptedTable } from './row-fields.js';

export interface SealedFieldLayout {
  /** Sealed columns, in order. */
  readonly columns: readonly string[];
  /** The salt of each column (per-field-nonce form); undefined: one nonce for the row (secrets). */
  readonly salts?: readonly string[];
  /** Also open rows whose fields all share the row's nonce (upstream-written policies). */
  readonly sharedNonceForm: boolean;
}

export const SEALED_FIELD_LAYOUTS: Record<ReencryptedTable, SealedFieldLayout> = {
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
function openRow(layout: SealedFieldLayout, key: Uint8Array, base: Buffer, sealed: readonly unknown[]): Buffer[] | undefined {
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
function sealRow(layout: SealedFieldLayout, key: Uint8Array, plain: readonly Buffer[]): { nonce: Buffer; sealed: Buffer[] } {
  const nonce = newNonce();
  const sealed = plain.map((p, i) => {
    const salt = layout.salts?.[i];
    return seal(key, salt === undefined ? nonce : fieldNonce(nonce, salt), p);
  });
  return { nonce, sealed };
}

/** What to do with one row: keep it, leave it (unreadable), or write the fresh nonce and sealed fields. */
export type ResealedRow =
  | { readonly outcome: 'kept' | 'unreadable' }
  | { readonly outcome: 'resealed'; readonly nonce: Buffer; readonly sealed: Buffer[] };

/**
 * Decides a row from its stored `nonce` and sealed columns (`row[column]` for
 * the layout's columns): no database call; the caller writes a 'resealed' row.
 */
export function resealRow(layout: SealedFieldLayout, row: Readonly<Record<string, unknown>>, oldKey: Uint8Array, newKey: Uint8Array): ResealedRow {
  const base = row['nonce'];
  if (!(base instanceof Uint8Array) || base.length !== NONCE_BYTES) return { outcome: 'unreadable' };
  const baseBuf = Buffer.from(base);
  const sealed = layout.columns.map((col) => row[col]);
  const underNew = openRow(layout, newKey, baseBuf, sealed);
  if (underNew !== undefined) {
    zeroAll(underNew);
    return { outcome: 'kept' };
  }
  const plain = openRow(layout, oldKey, baseBuf, sealed);
  if (plain === undefined) return { outcome: 'unreadable' };
  try {
    return { outcome: 'resealed', ...sealRow(layout, newKey, plain) };
  } finally {
    zeroAll(plain);
  }
}
