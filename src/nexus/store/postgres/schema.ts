// The PostgreSQL schema: SQLite's data model (sqlite/schema.ts) in
// PostgreSQL types. Sealed fields are bytea holding exactly the bytes SQLite
// holds (same AES-256-GCM records, same nonces); paths and policy names are
// text in the "C" collation, so that ORDER BY is bytewise as SQLite's BINARY
// (Go's sort.Strings) whatever the database's default collation.
//
// Each migration is applied once, in order, in one transaction
// (migrations.ts); a released migration is never edited, a change is a new one.

export interface Migration {
  /** 1, 2, 3, … without gaps. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS_TABLE = 'spike_ts_schema_migrations';
export const KEY_CHECK_TABLE = 'spike_ts_key_check';
export const RETIRED_KEY_CHECKS_TABLE = 'spike_ts_retired_key_checks';
export const BOOTSTRAP_TABLE = 'spike_ts_bootstrap';
export const REPLICAS_TABLE = 'spike_ts_replicas';
export const ROTATION_TABLE = 'spike_ts_rotation';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'secrets, metadata, policies, key check, bootstrap marker',
    sql: `
CREATE TABLE policies (
  name TEXT COLLATE "C" PRIMARY KEY,
  nonce BYTEA NOT NULL,
  encrypted_spiffe_id_pattern BYTEA NOT NULL,
  encrypted_path_pattern BYTEA NOT NULL,
  encrypted_permissions BYTEA NOT NULL,
  created_time BIGINT NOT NULL,
  updated_time BIGINT NOT NULL
);
CREATE TABLE secret_metadata (
  path TEXT COLLATE "C" PRIMARY KEY,
  nonce BYTEA NOT NULL,
  encrypted_current_version BYTEA NOT NULL,
  encrypted_oldest_version BYTEA NOT NULL,
  encrypted_created_time BYTEA NOT NULL,
  encrypted_updated_time BYTEA NOT NULL,
  encrypted_max_versions BYTEA NOT NULL
);
CREATE TABLE secrets (
  path TEXT COLLATE "C" NOT NULL REFERENCES secret_metadata (path),
  version BIGINT NOT NULL CHECK (version > 0),
  nonce BYTEA NOT NULL,
  encrypted_data BYTEA NOT NULL,
  created_time TIMESTAMPTZ NOT NULL,
  deleted_time TIMESTAMPTZ,
  PRIMARY KEY (path, version)
);
CREATE INDEX secrets_created_time ON secrets (created_time);
CREATE TABLE ${KEY_CHECK_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  algorithm TEXT NOT NULL,
  value BYTEA NOT NULL,
  created_time BIGINT NOT NULL
);
CREATE TABLE ${RETIRED_KEY_CHECKS_TABLE} (
  value BYTEA PRIMARY KEY,
  algorithm TEXT NOT NULL,
  retired_time BIGINT NOT NULL
);
CREATE TABLE ${BOOTSTRAP_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  claimed_time TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'replica heartbeats',
    // One row per Nexus replica name, written every few seconds (heartbeat.ts); nothing secret.
    sql: `
CREATE TABLE ${REPLICAS_TABLE} (
  name TEXT COLLATE "C" PRIMARY KEY,
  ready BOOLEAN NOT NULL,
  started_time TIMESTAMPTZ NOT NULL,
  last_seen TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'restore collector',
    // Restore through any replica (docs/design.md § Restore through any replica): each replica's
    // mTLS URL, and the backend pid of the session holding the restore-collector lock (nothing secret).
    sql: `
ALTER TABLE ${REPLICAS_TABLE} ADD COLUMN advertise_url TEXT, ADD COLUMN collector_pid INTEGER;
`,
  },
  {
    version: 4,
    name: 'root-key rotation',
    // The running root-key rotation (docs/postgres.md § Root-key rotation): at most one row. Both keys
    // wrapped (each under the other), the new key's check value, the cursor on the primary key of
    // the table being re-encrypted, progress, and the replica driving it with its lease.
    sql: `
CREATE TABLE ${ROTATION_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  phase TEXT NOT NULL CHECK (phase IN ('reencrypting', 'pushing')),
  new_key_check BYTEA NOT NULL,
  new_key_nonce BYTEA NOT NULL,
  new_key_wrapped BYTEA NOT NULL,
  previous_key_nonce BYTEA NOT NULL,
  previous_key_wrapped BYTEA NOT NULL,
  cursor_table INTEGER NOT NULL,
  cursor_name TEXT COLLATE "C",
  cursor_version BIGINT,
  done BIGINT NOT NULL,
  total BIGINT NOT NULL,
  unreadable BIGINT NOT NULL,
  started_by TEXT NOT NULL,
  started_time BIGINT NOT NULL,
  driver TEXT NOT NULL,
  lease_until TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'replica key state',
    // Each replica's heartbeat also names the key it serves with (its shard-set fingerprint, a
    // public name, never key material) and the rotation phase it knows of (docs/ha.md § Nexus replicas).
    sql: `
ALTER TABLE ${REPLICAS_TABLE} ADD COLUMN fingerprint TEXT, ADD COLUMN rotation TEXT;
`,
  },
];

/**
 * Advisory lock keys (the one-bigint form; row-level locking uses rows, not these).
 * Distinct constants, "SPIKETS" in ASCII plus a suffix, so they are unlikely to meet
 * another application's keys in a shared database.
 */
export const ADVISORY_LOCKS = {
  migrations: '6003378890919400193', // 0x53_50_49_4b_45_54_53_01
  keyCheck: '6003378890919400194', // …_02
  bootstrap: '6003378890919400195', // …_03
  /** Session-level: held by the one Bootstrap running on this store (bootstrap.ts acquireBootstrapLease). */
  bootstrapRun: '6003378890919400196', // …_04
  /** Session-level: held by the replica that collects restore shards (restore/collector-election.ts). */
  restoreCollector: '6003378890919400197', // …_05
  /**
   * Transaction-level. Every write takes it shared, then reads the key new rows must be sealed with;
   * a rotation's begin and finish take it exclusively: no write seals with a key the store just retired.
   */
  keyFence: '6003378890919400198', // …_06
} as const;
