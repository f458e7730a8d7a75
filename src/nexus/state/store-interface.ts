// What Nexus needs from its storage backend, as small interfaces, so that the
// root-key lifecycle and the routes can be tested with fakes. store-gate.ts
// adapts src/nexus/store (SQLite, memory) to these.
import type { NexusStore } from '../store/index.js';

/**
 * Result of checking a candidate root key against the store's key-check value:
 * 'match' also for a running rotation's new key; 'retired' for a key a
 * finished rotation retired (refused like 'mismatch').
 */
export type KeyCheck = 'match' | 'empty' | 'mismatch' | 'retired';

/** One version of a secret: key → value. Values are secrets: never log them. */
export type SecretValues = Record<string, string>;

/**
 * The open store the routes use: src/nexus/store's NexusStore (durable before
 * it answers; reads return promises, writes go through `grouped`,
 * group-committed; NotFoundError → 404). docs/design.md § Async store.
 */
export type SecretsStore = NexusStore;

/** The store before the root key is known. */
export interface StoreGate {
  /** True when the store holds a key-check value, i.e. data was encrypted with some root key (bootstrap happened). */
  hasKeyCheck(): Promise<boolean>;
  /** Compares `key` with the stored key-check value without changing anything. */
  checkKey(key: Uint8Array): Promise<KeyCheck>;
  /**
   * Runs `fn` with a synchronous checker for many candidate keys (one
   * read-only look at the store for all of them; restore's search). Changes
   * nothing.
   */
  withKeyCheck<T>(fn: (check: (key: Uint8Array) => KeyCheck) => T): Promise<T>;
  /**
   * Opens the store with `key` (the store keeps its own copy); writes the key-check value on first initialisation.
   * During a rotation either key opens it (the store then seals with the new one: SecretsStore.rotation.withSealingKey).
   */
  open(key: Uint8Array): Promise<SecretsStore>;
  /** Releases anything held before open (idempotent). */
  close(): Promise<void>;
}
