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
  /** Present when several replicas can share the store (postgres). */
  readonly replicas?: ReplicaCoordination;
}

/** Where a replica's cached policies learn that the store's policies changed (PolicyIndex). */
export interface PolicyChangeSink {
  /** Policies changed (through any replica): drop what is cached. */
  invalidate(): void;
  /** Changes may go unnoticed from now on (the LISTEN connection is down): serve nothing from a cache. */
  suspend(): void;
  /** Changes are noticed again: drop what is cached (anything may have changed meanwhile) and cache again. */
  resume(): void;
}

/** Where a replica learns that a rotation through another replica changed the store's keys. */
export interface RotationChangeSink {
  /** The open store's sealing key changed (the replica learned the new key): it becomes the in-memory root key. */
  keysChanged(): void;
  /** The store's key is one this replica lacks (retired under it): drop the key and fetch the new one from the Keepers. */
  keyRetired(): void;
  /** A rotation runs: drive it if its driver stopped renewing its lease. */
  rotationRunning(): void;
}

/** A replica as the others see it: its last heartbeat. */
export interface ReplicaSeen {
  readonly name: string;
  readonly ready: boolean;
  readonly lastSeen: Date;
  /** Age of the last heartbeat by the database's clock (ms). */
  readonly ageMs: number;
  /** Shard-set fingerprint of the key it serves with, and the rotation phase it knows of ('' when not told). */
  readonly fingerprint?: string;
  readonly rotation?: string;
}

/**
 * Several Nexus replicas on one store (the postgres backend; absent for the
 * others, whose store one process holds): policy change notifications,
 * heartbeats, the replicas seen recently.
 */
export interface ReplicaCoordination {
  /** Watches policy writes of every replica (LISTEN); `sink` is suspended until the first LISTEN is in effect. */
  watchPolicies(sink: PolicyChangeSink): void;
  /** Root-key rotations through any replica (docs/postgres.md § Root-key rotation): what this replica must do about them. */
  watchRotation?(sink: RotationChangeSink): void;
  /** Writes this replica's heartbeat now and every few seconds (ready: whether it serves). */
  /** `advertiseUrl`: this replica's mTLS URL for restore forwarding (docs/design.md § Restore through any replica). */
  /** `key`: the key it serves with and the rotation it knows of, as public names (docs/ha.md § Nexus replicas). */
  startHeartbeat(name: string, ready: () => boolean, advertiseUrl?: string, key?: () => { fingerprint: string; rotation: string }): void;
  /** The replicas whose heartbeat is recent, by name. */
  list(): Promise<readonly ReplicaSeen[]>;
  /** False after a database call failed for want of the database, until one answers again. */
  databaseUp(): boolean;
  /** Stops the heartbeat (removing this replica's row) and the LISTEN connection; idempotent. */
  stop(): Promise<void>;
}
