// What the rotation engine uses of the store: src/nexus/store's rotation API
// (docs/design.md § Root-key rotation): SQLite's synchronous StoreRotation, or
// PostgreSQL's SharedStoreRotation (several replicas; docs/postgres.md § Root-key rotation).
import type { NexusStore, StoreRotation } from '../store/index.js';
import type { SharedStoreRotation } from '../store/postgres/rotation-api.js';

export type { RotationPhase, RotationStatus, StoreRotation } from '../store/index.js';
export type { SharedStoreRotation } from '../store/postgres/rotation-api.js';

export type AnyStoreRotation = StoreRotation | SharedStoreRotation;

/** The rotation API of an open store, if it has one (SQLite, PostgreSQL: yes; memory, lite: no). */
export function rotationOf(store: Pick<NexusStore, 'rotation'> | undefined): AnyStoreRotation | undefined {
  return store?.rotation;
}

/** True for a rotation several replicas share (each state change a promise; one driver at a time). */
export function isShared(r: AnyStoreRotation): r is SharedStoreRotation {
  return 'shared' in r && r.shared === true;
}
