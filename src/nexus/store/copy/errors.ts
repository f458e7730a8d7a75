// Why a store copy did not happen, in one line each (no secret in any: the
// copy never decrypts anything, and PostgreSQL targets are named without a
// password).
export type CopyFailure =
  | 'bad_url' // a PostgreSQL URL that cannot be used as given (a usage error)
  | 'no_source' // the source store is absent
  | 'no_key_check' // the source holds no key-check value (never opened by this Nexus)
  | 'rotation' // a root-key rotation is in progress on the source
  | 'in_use' // a Nexus (or another copy) has the source or target open
  | 'not_empty' // the target holds rows
  | 'same_store' // source and target are one store
  | 'bad_row' // a source row does not fit its column
  | 'mismatch' // the copy read back differs from the source (rolled back)
  | 'schema' // a PostgreSQL schema version this build does not read
  | 'io'; // the database failed

export class CopyError extends Error {
  override readonly name = 'CopyError';
  constructor(
    readonly reason: CopyFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
