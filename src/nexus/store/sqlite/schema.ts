// Upstream SPIKE 0.8.2's SQLite schema (upstream sqlite/ddl/statement.go), plus
// our key-check table, which upstream never reads.

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
