// SPIKE Nexus store: secrets (versioned, soft-deletable) and policies, in an
// AES-256-GCM-encrypted SQLite database or in memory; Nexus reads it through
// the async NexusStore interface.
//
// Public API
// ----------
//   openSqliteStore({ dataDir, rootKey, maxVersions, busyTimeoutMs?, now?, groupCommit?, walFsync? }): SecretStore
//     Opens (creating if needed) `<dataDir>/spike.db` — upstream's location,
//     tables and encryption layout (docs/design.md § Store). WAL,
//     synchronous=FULL: every write method returns only once it is durable
//     (grouped writes: see below; walFsync replaces their fsyncs in tests).
//     Checks the root key first (same rules as checkRootKey): a mismatching
//     key throws KeyMismatchError, a retired one RetiredKeyError (a
//     KeyMismatchError), and nothing is written (the file is not even opened
//     for writing). On first initialisation (no key-check value yet) it
//     stores one in our extra table `spike_ts_key_check`, which upstream
//     ignores. While a rotation runs, either key opens the store: the other
//     one is unwrapped from the rotation row, new rows are sealed with the
//     new key and rows are opened with the new key, then the old one.
//   openMemoryStore({ maxVersions, now?, groupCommit? }): SecretStore
//     Same interface, nothing persisted (upstream `memory` backend).
//   checkRootKey(dataDir, candidateKey): 'match' | 'mismatch' | 'empty' | 'retired'
//     Read-only. 'empty' = no database, or neither a key-check value nor any
//     encrypted row; otherwise verifies the key-check value (HMAC-SHA256 of a
//     fixed label under the key) — 'match' also for a running rotation's new
//     key, 'retired' for a key a finished rotation retired — or, for
//     upstream-only data, tries to decrypt one stored row. Never writes, never creates files: with no pending WAL
//     it reads an in-memory image of spike.db; with a non-empty WAL (crash,
//     or another open connection) it uses a read-only connection, which may
//     create a -shm index file but never changes the data.
//     Throws StoreError 'invalid_input' for a key that is not 32 bytes, 'io'
//     for an unreadable database.
//   storeHoldsData(dataDir): boolean
//     Read-only: true when the database holds a key-check value or any
//     encrypted row (i.e. a root key was used with it before). Lets Nexus
//     decide between "waiting for a restore" and "fresh".
//   asNexusStore(store: SecretStore): NexusStore
//     The async interface Nexus consumes (nexus-store.ts, docs/design.md
//     § Async store): the same reads returning promises, each run after
//     durable() resolved (a thrown error becomes the rejection, the same
//     object), `grouped` and `rotation` the store's own, close() → Promise.
//     A PostgreSQL store implements NexusStore directly.
//
// SecretStore (all methods but `grouped`'s synchronous; they complete, durably, before returning)
//   putSecret(path, values) → new version number
//   getSecret(path, version = 0) → values          (NotFoundError; a read snapshot, no write lock,
//                                                   reads only the current version — cached per path,
//                                                   dropped on every write — and the one row)
//   deleteSecretVersions(path, versions)           (NotFoundError when path missing)
//   undeleteSecretVersions(path, versions)         (NotFoundError when path missing / nothing undeleted)
//   getSecretMetadata(path, version = 0) → { versions: Map<n, {version, createdTime, deletedTime}>,
//                                           metadata: {currentVersion, oldestVersion, createdTime, updatedTime, maxVersions} }
//   listSecretPaths() → sorted paths (deleted secrets included)
//   putPolicy({ name, spiffeIdPattern, pathPattern, permissions }) → Policy (createdAt kept on update)
//   getPolicy(name) → Policy                       (NotFoundError)
//   deletePolicy(name) → boolean (false: no such policy)
//   listPolicies() → Policy[] sorted by name
//   grouped.{putSecret, deleteSecretVersions, undeleteSecretVersions, putPolicy, deletePolicy}
//                                                  the same writes, group-committed (group-commit.ts,
//                                                  docs/design.md § Store): queued; the writes queued in
//                                                  one event-loop turn run on the next (setImmediate) as
//                                                  one transaction (≤ 256 writes, ≤ 4 MiB), each in a
//                                                  savepoint; SQLite commits it with synchronous=NORMAL
//                                                  and fsyncs the WAL off the event loop; the promise
//                                                  settles after that fsync with the write's own result
//                                                  or error; a failing group transaction rejects all of
//                                                  it with StoreError 'io'; a failing fsync rejects every
//                                                  write not yet answered and the store then refuses
//                                                  every call but close() with StoreError 'io'.
//                                                  groupCommit: { maxWrites?, maxBytes?, hooks?: { beforeCommit? } }
//   durable() → Promise<void>                      resolves once every committed group is durable (every
//                                                  read waits for that by itself, synchronously)
//   close()                                        idempotent; runs what `grouped` still holds, fsyncs
//                                                  and answers it, then zeroes the key copies
//   rotation?: StoreRotation                       SQLite only (memory: undefined)
//
// StoreRotation (root-key rotation, docs/design.md § Root-key rotation; each
// state change is one write transaction, crash-safe at every point)
//   status() → { phase: 'reencrypting' | 'pushing', startedAt, startedBy, done, total, unreadable } | undefined
//   begin(newKey, startedBy) → status        (StoreError 'conflict' when one runs; 'invalid_input' for a
//                                             key that is not 32 bytes, all zero, the current or a retired one)
//   reencryptBatch(maxRows, { beforeCommit? }) → status
//                                            (one transaction; the batch passing the last row sets 'pushing';
//                                             rows neither key opens are counted in `unreadable` and left)
//   finish()                                 ('pushing' only, else 'conflict'): the new key's key check becomes
//                                             the store's, the old one's is retired, the old key zeroed
//   withSealingKey(fn) / withPreviousKey(fn) fn gets a copy of the key, zeroed when fn returns
//   Tables (ours, upstream ignores them): spike_ts_rotation (one row while a
//   rotation runs: both keys, each wrapped under the other with AES-256-GCM
//   under HMAC-SHA256(wrapping key, "spike-ts/nexus/store/rotation-wrap/v1"),
//   cursor, counters) and spike_ts_retired_key_checks.
//
// Errors: StoreError { code } with subclasses NotFoundError (→ 404 /
// entity_not_found) and KeyMismatchError (subclass RetiredKeyError); code
// 'integrity' for rows that fail to decrypt, 'closed' after close(), 'io' for
// open failures, 'conflict' for a rotation call in the wrong state. Messages never
// contain secret values or key material.
//
// Times: SQLite keeps version created/deleted times to the millisecond (Go's
// "2006-01-02 15:04:05.999999999-07:00" text, UTC) and, as upstream, metadata
// and policy times as whole Unix seconds; the memory store keeps milliseconds.
//
// Versioning follows upstream (state/base/secret.go) with these fixes:
//   - versions read back from SQLite keep their real numbers (upstream: 0);
//   - pruned versions are deleted from the database (upstream: they come back);
//   - a new version is max(all stored versions) + 1, so a put after deleting
//     the current version never overwrites that deleted (undeletable) version;
//   - oldestVersion is always the lowest live version (0 when none);
//   - maxVersions is the configured value, applied to the secret on every put;
//   - policy fields get distinct GCM nonces (base nonce XOR per-field salt, as
//     upstream does for metadata); upstream-written rows (one shared nonce)
//     are still read.
// Input validation (path syntax, names, permissions) belongs to the routes;
// the store only refuses what it could not store faithfully (non-string
// values, empty path/name, ',' inside a permission) with StoreError
// 'invalid_input', and treats negative/non-integer/huge version numbers as
// versions that do not exist.

export type {
  SecretStore,
  SecretVersionInfo,
  SecretMetadataInfo,
  SecretMetadata,
  Policy,
  PolicyInput,
  SqliteStoreOptions,
  MemoryStoreOptions,
  KeyCheckResult,
  RotationPhase,
  RotationStatus,
  StoreRotation,
  GroupedWrites,
} from './types.js';
export type { GroupCommitHooks, GroupCommitOptions } from './group-commit.js';
export type { WalFsyncHooks } from './sqlite/wal-sync.js';
export { StoreError, NotFoundError, KeyMismatchError, RetiredKeyError, StoreUnavailableError, type StoreErrorCode } from './errors.js';
export { openSqliteStore, checkRootKey, storeHoldsData, withKeyChecker } from './sqlite/open.js';
export { openMemoryStore } from './memory.js';
export { asNexusStore, type NexusStore } from './nexus-store.js';
