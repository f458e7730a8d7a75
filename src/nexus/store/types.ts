// Public data types and the SecretStore interface (documented in index.ts).

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

  /** Releases the database and zeroes the store's copy of the root key. Idempotent. */
  close(): void;
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
}

export interface MemoryStoreOptions {
  readonly maxVersions: number;
  readonly now?: () => Date;
}

export type KeyCheckResult = 'match' | 'mismatch' | 'empty';
