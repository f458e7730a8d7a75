// The PostgreSQL store (docs/postgres.md): several Nexus replicas on one database.
//
//   connectPostgres(cfg: PostgresConfig): Promise<PostgresDatabase>
//     The pool, a first connection and the schema migrations (under an advisory
//     lock). PostgresConnectError (a StoreError; `reason` 'bad_url' | 'unreachable' |
//     'auth' | 'no_database' | 'tls' | 'schema' | 'other') with a one-line message
//     that never holds the password.
//   checkPostgresRootKey(db, key): Promise<'match' | 'mismatch' | 'empty' | 'retired'>
//     Read-only, as SQLite's checkRootKey.
//   postgresStoreHoldsData(db): Promise<boolean>
//   loadPostgresKeyChecker(db): Promise<(key) => KeyCheckResult>
//     The key-check values read once; candidates checked in memory (restore's search).
//   openPostgresStore(db, { rootKey, maxVersions, now? }): Promise<NexusStore>
//     KeyMismatchError / RetiredKeyError for another store's key (nothing written);
//     stores the key-check value on a store never used. The store owns `db`:
//     close() waits for running operations, zeroes its key copy and ends the pool.
//     rotation: SharedStoreRotation (rotation.ts; docs/postgres.md § Root-key rotation).
//     keepDatabaseOpen: close() leaves `db` to its owner; onKeys: this replica's keys
//     changed ('changed') or it lacks the store's key ('stale').
//   claimBootstrap(db): Promise<boolean>   true for exactly one caller, ever
//   bootstrapClaimed(db): Promise<boolean>
//   acquireBootstrapLease(db): Promise<BootstrapLease | undefined>
//     The session lock of the one Bootstrap running on this store (undefined: another holds it).
export { connectPostgres, type ConnectOptions, type PostgresDatabase } from './database.js';
export { PostgresConnectError, type PostgresConfig, type PostgresConnectFailure } from './connection.js';
export { checkPostgresRootKey, loadPostgresKeyChecker, postgresStoreHoldsData } from './keycheck.js';
export { openPostgresStore, type PostgresStoreOptions } from './store.js';
export { ROTATION_CHANNEL, ROTATION_LEASE_MS } from './rotation.js';
export type { KeySync, SharedStoreRotation } from './rotation-api.js';
export { acquireBootstrapLease, bootstrapClaimed, claimBootstrap, type BootstrapLease } from './bootstrap.js';
