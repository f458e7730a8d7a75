// What a storage backend provides to the shared store logic (core.ts).
import type { GroupDurability } from './group-commit.js';
import type { Policy, SecretVersionInfo } from './types.js';
import type { SecretHeader } from './versioning.js';

/** One atomic change to a secret, as planned by versioning.ts. */
export interface SecretWrite {
  readonly header: SecretHeader;
  /** A new version and its values. */
  readonly insert?: { readonly version: number; readonly values: Readonly<Record<string, string>> };
  /** Versions whose deletedTime changed (value in `header`). */
  readonly deletionChanged: readonly number[];
  /** Versions to remove for good (pruned). */
  readonly removed: readonly number[];
}

/**
 * Group transactions whose COMMIT is made durable afterwards, off the event
 * loop (SQLite: COMMIT with synchronous=NORMAL, then an fsync of the WAL;
 * docs/design.md § Store, group commit).
 */
export interface DeferredSync extends GroupDurability {
  /** As a top-level `atomically`, but its COMMIT is not durable until a `sync`/`syncNow` that starts after it returns. */
  atomicallyUnsynced<T>(fn: () => T): T;
}

export interface StoreBackend {
  readonly kind: 'sqlite' | 'memory';
  /** Present when group transactions may commit before they are durable (SQLite); absent: every COMMIT is durable. */
  readonly deferredSync?: DeferredSync;
  /**
   * Runs fn atomically (a write transaction for SQLite). Nested inside another
   * `atomically` it is a savepoint: a throw rolls back fn's changes alone.
   */
  atomically<T>(fn: () => T): T;
  /** Whether a write transaction is open (SQLite ends one by itself on some errors); memory: always true. */
  inTransaction(): boolean;
  loadHeader(path: string): SecretHeader | undefined;
  /** The secret's current version alone (the get path); undefined when the secret does not exist. */
  loadCurrentVersion(path: string): number | undefined;
  /** One version's row alone (the get path); undefined when it is not stored. */
  loadVersionInfo(path: string, version: number): SecretVersionInfo | undefined;
  /** Values of a stored version; undefined when the row is missing. */
  loadValues(path: string, version: number): Record<string, string> | undefined;
  writeSecret(path: string, write: SecretWrite): void;
  listPaths(): string[];
  loadPolicy(name: string): Policy | undefined;
  savePolicy(policy: Policy): void;
  deletePolicy(name: string): boolean;
  listPolicies(): Policy[];
  close(): void;
}
