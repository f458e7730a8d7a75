// Upstream SPIKE 0.8.2's SQLite schema (upstream sqlite/ddl/statement.go), plus
// our own tables (key check, root-key rotation), which upstream never reads.

export const DB_FILE_NAME = 'spike.db';

export const UPSTREAM_SCHEMA = `
CREATE TABLE IF NOT EXISTS policies (
  name TEXT PRIMARY KEY,
  nonce BLOB NOT NULL,
  encrypted_spiffe_id_pattern BLOB NOT NULL,
  encrypted_path_pattern BLOB NOT NULL,
  encrypted_permissions BLOB NOT NULL,
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
  path TEXT NOT NULL,
  version INTEGER NOT NULL,
  nonce BLOB NOT NULL,
  encrypted_data BLOB NOT NULL,
  created_time DATETIME NOT NULL,
  deleted_time DATETIME,
  PRIMARY KEY (path, version)
);
CREATE TABLE IF NOT EXISTS secret_metadata (
  path TEXT PRIMARY KEY,
  nonce BLOB NOT NULL,
  encrypted_current_version BLOB NOT NULL,
  encrypted_oldest_version BLOB NOT NULL,
  encrypted_created_time BLOB NOT NULL,
  encrypted_updated_time BLOB NOT NULL,
  encrypted_max_versions BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_secrets_path ON secrets(path);
CREATE INDEX IF NOT EXISTS idx_secrets_created_time ON secrets(created_time);
`;

/** One row: HMAC-SHA256(root key, label) written at first initialisation (docs/design.md § Restore). */
export const KEY_CHECK_TABLE = 'spike_ts_key_check';
export const KEY_CHECK_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${KEY_CHECK_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  algorithm TEXT NOT NULL,
  value BLOB NOT NULL,
  created_time INTEGER NOT NULL
);
`;
export const KEY_CHECK_ALGORITHM = 'hmac-sha256/spike-ts-key-check-v1';

/**
 * Root-key rotation (docs/design.md § Root-key rotation). One row while a
 * rotation runs, none otherwise: the new key's key check, each key wrapped
 * under the other (AES-256-GCM, see key-wrap.ts), the re-encryption cursor
 * (table index into REENCRYPTED_TABLES, last rowid gone over), each table's
 * highest rowid at begin (rows above it were written with the new key), and
 * progress counters.
 */
export const ROTATION_TABLE = 'spike_ts_rotation';
/** HMAC key-check values of root keys retired by finished rotations. */
export const RETIRED_KEY_CHECKS_TABLE = 'spike_ts_retired_key_checks';
export const ROTATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${ROTATION_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  phase TEXT NOT NULL CHECK (phase IN ('reencrypting', 'pushing')),
  new_key_check BLOB NOT NULL,
  new_key_nonce BLOB NOT NULL,
  new_key_wrapped BLOB NOT NULL,
  previous_key_nonce BLOB NOT NULL,
  previous_key_wrapped BLOB NOT NULL,
  cursor_table INTEGER NOT NULL,
  cursor_rowid INTEGER NOT NULL,
  end_rowid_policies INTEGER NOT NULL,
  end_rowid_secret_metadata INTEGER NOT NULL,
  end_rowid_secrets INTEGER NOT NULL,
  done INTEGER NOT NULL,
  total INTEGER NOT NULL,
  unreadable INTEGER NOT NULL,
  started_by TEXT NOT NULL,
  started_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ${RETIRED_KEY_CHECKS_TABLE} (
  value BLOB PRIMARY KEY,
  algorithm TEXT NOT NULL,
  retired_time INTEGER NOT NULL
);
`;
