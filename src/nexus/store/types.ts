// Public data types and the SecretStore interface (documented in index.ts).
import type { GroupCommitOptions } from './group-commit.js';
import type { WalFsyncHooks } from './sqlite/wal-sync.js';
import type { CheckpointerOptions } from './sqlite/checkpointer.js';

/** One stored version of a secret, without its values. */
export interface SecretVersionInfo {
  readonly version: number;
  readonly createdTime: Date;
  /** null while the version is live. */
  readonly deletedTime: Date | null;
}

export interface SecretMetadataInfo {
  /** 0 when no version is live. */
  readonly currentVersion: number;
  /** Lowest live version; 0 when none is live. */
  readonly oldestVersion: number;
  readonly createdTime: Date;
  readonly updatedTime: Date;
  readonly maxVersions: number;
}

export interface SecretMetadata {
  /** Every stored version, deleted ones included, keyed by version number (ascending insertion order). */
  readonly versions: ReadonlyMap<number, SecretVersionInfo>;
  readonly metadata: SecretMetadataInfo;
}

/** What a caller gives to create or replace a policy. */
export interface PolicyInput {
  /** The policy's identity (upstream: the request `id`/`name`). */
  readonly name: string;
  readonly spiffeIdPattern: string;
  readonly pathPattern: string;
  /** e.g. ['read', 'write']; stored joined with ','. */
  readonly permissions: readonly string[];
}

export interface Policy extends PolicyInput {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface SecretStore {
  readonly kind: 'sqlite' | 'memory';

  /** Stores a new version (the full map, no merge) and prunes beyond maxVersions. Returns the new version number. */
  putSecret(path: string, values: Readonly<Record<string, string>>): number;
  /** Values of `version` (0 = current). Throws NotFoundError if the path, version is missing or deleted. */
  getSecret(path: string, version?: number): Record<string, string>;
  /** Soft-deletes versions (empty or 0 = current). Unknown versions are ignored. Throws NotFoundError if the path is missing. */
  deleteSecretVersions(path: string, versions: readonly number[]): void;
  /** Undeletes versions (upstream semantics). Throws NotFoundError if the path is missing or nothing was undeleted. */
  undeleteSecretVersions(path: string, versions: readonly number[]): void;
  /** All versions + metadata; `version` (0 = current) must be readable as for getSecret. */
  getSecretMetadata(path: string, version?: number): SecretMetadata;
  /** Every stored path (deleted ones included), sorted bytewise ascending (Go sort.Strings). */
  listSecretPaths(): string[];

  /** Creates or replaces the policy `input.name`; keeps createdAt of an existing one. Returns the stored policy. */
  putPolicy(input: PolicyInput): Policy;
  /** Throws NotFoundError when no policy has this name. */
  getPolicy(name: string): Policy;
  /** true when a policy was deleted, false when none had this name. */
  deletePolicy(name: string): boolean;
  /** All policies, sorted by name. */
  listPolicies(): Policy[];

  /**
   * The write methods above, group-committed (docs/design.md § Store): use these to
   * answer requests. Each promise settles only once the transaction holding the write
   * is durable, with its own result or error.
   */
  readonly grouped: GroupedWrites;

  /**
   * Resolves once every write committed so far is durable: at once when none waits (memory; SQLite
   * between group commits), else when the fsync that follows a group commit returns. Rejects with
   * StoreError 'io' once such an fsync failed. Every read waits for this by itself, synchronously;
   * awaiting it first spares the event loop that wait.
   */
  durable(): Promise<void>;

  /** Runs the writes still queued in `grouped`, then releases the database and zeroes the store's copies of the root key(s). Idempotent. */
  close(): void;

  /** Root-key rotation (SQLite: always present; memory: undefined, it has no root key). */
  readonly rotation?: StoreRotation;
}

/**
 * The SecretStore writes, queued and committed in groups: the writes queued in one
 * turn of the event loop (at most 256, or 4 MiB of values) share one transaction and
 * one fsync, each inside its own savepoint. A promise resolves only after COMMIT; a
 * write that fails (NotFoundError, StoreError 'invalid_input') is rolled back and
 * rejected alone; when the group transaction itself fails, every write of the group
 * is rejected with StoreError 'io' and none is stored. Input checks reject at once.
 */
export interface GroupedWrites {
  putSecret(path: string, values: Readonly<Record<string, string>>): Promise<number>;
  deleteSecretVersions(path: string, versions: readonly number[]): Promise<void>;
  undeleteSecretVersions(path: string, versions: readonly number[]): Promise<void>;
  putPolicy(input: PolicyInput): Promise<Policy>;
  deletePolicy(name: string): Promise<boolean>;
}

export type RotationPhase = 'reencrypting' | 'pushing';

export interface RotationStatus {
  readonly phase: RotationPhase;
  readonly startedAt: Date;
  /** SPIFFE ID of the caller that started it (audit only). */
  readonly startedBy: string;
  /** Rows gone over so far; equals `total` once the phase is 'pushing' (rows deleted meanwhile count as gone over). */
  readonly done: number;
  /** Rows counted at begin (rows inserted during the rotation are already sealed with the new key). */
  readonly total: number;
  /** Rows neither key opens (left as they are). */
  readonly unreadable: number;
}

/**
 * Root-key rotation of a SQLite store (docs/design.md § Root-key rotation).
 * Every call that changes the rotation state is one write transaction; the
 * store keeps sealing with the new key and opening with both from begin to
 * finish, across restarts (opening the store with either key unwraps the other).
 * Every method throws StoreError 'closed' after close().
 */
export interface StoreRotation {
  /** The running rotation; undefined when none runs. */
  status(): RotationStatus | undefined;
  /**
   * Starts a rotation to `newKey` (the store keeps its own copy).
   * StoreError 'conflict' if one runs; 'invalid_input' for a bad key (not 32 bytes, all zero, the current key or a retired one)
   * or a `startedBy` that is not a string.
   */
  begin(newKey: Uint8Array, startedBy: string): RotationStatus;
  /**
   * One transaction going over at most `maxRows` rows (re-sealing those the new key does not open yet);
   * hooks.beforeCommit runs inside the transaction after the rows are rewritten (a throw rolls the batch back).
   * The batch that passes the last row sets the phase 'pushing'. In phase 'pushing' it changes nothing.
   * StoreError 'conflict' when no rotation runs; 'invalid_input' when maxRows is not a positive integer.
   */
  reencryptBatch(maxRows: number, hooks?: { readonly beforeCommit?: () => void }): RotationStatus;
  /** Makes the new key the only one and retires the old one. Requires phase 'pushing' (else StoreError 'conflict'). */
  finish(): void;
  /**
   * fn gets the key new rows are sealed with (the new key during a rotation). fn must be synchronous
   * and keep nothing: the buffer is a copy, zeroed when fn returns.
   */
  withSealingKey<T>(fn: (key: Buffer) => T): T;
  /** As withSealingKey with the old key during a rotation; undefined (fn not called) when none runs. */
  withPreviousKey<T>(fn: (key: Buffer) => T): T | undefined;
}

export interface SqliteStoreOptions {
  /** The already-resolved Nexus data dir (`nexusDataDir(env)`); created 0700 if missing. */
  readonly dataDir: string;
  /** 32-byte root key; the store keeps its own copy (zeroed on close). The caller may zero its buffer. */
  readonly rootKey: Uint8Array;
  /** SPIKE_NEXUS_MAX_SECRET_VERSIONS (positive). */
  readonly maxVersions: number;
  /** SQLite busy timeout, default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** Group commit limits and hooks (tests, failpoints); defaults: 256 writes, 4 MiB. */
  readonly groupCommit?: GroupCommitOptions;
  /** The fsyncs that make group commits durable (tests: hold or fail one); default node:fs. */
  readonly walFsync?: WalFsyncHooks;
  /** The WAL checkpoint worker's settings (tests; sqlite/checkpointer.ts). */
  readonly checkpoint?: CheckpointerOptions;
}

export interface MemoryStoreOptions {
  readonly maxVersions: number;
  readonly now?: () => Date;
  readonly groupCommit?: GroupCommitOptions;
}

/**
 * 'match': the key check of the current key or of a running rotation's new key;
 * 'retired': a key this store retired by a finished rotation; 'empty': nothing to check against.
 */
export type KeyCheckResult = 'match' | 'empty' | 'mismatch' | 'retired';
