// What the rotation engine uses of the store: src/nexus/store's rotation API
// (docs/design.md § Root-key rotation).
import type { NexusStore, StoreRotation } from '../store/index.js';

export type { RotationPhase, RotationStatus, StoreRotation } from '../store/index.js';

/** The rotation API of an open store, if it has one (SQLite: yes; memory, lite: no). */
export function rotationOf(store: Pick<NexusStore, 'rotation'> | undefined): StoreRotation | undefined {
  return store?.rotation;
}
