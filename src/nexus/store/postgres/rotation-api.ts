// The root-key rotation of a store shared by several Nexus replicas
// (PostgreSQL; docs/postgres.md § Root-key rotation). As StoreRotation
// (types.ts), but every state change is a database round trip (a promise),
// one replica at a time drives the rotation (a lease on the rotation row),
// and each replica keeps its keys in step with the database (refresh).
import type { RotationStatus, StoreRotation } from '../types.js';

/**
 * What refresh found:
 *  'unchanged' the replica's keys are the store's;
 *  'changed'   the replica learned a key (a rotation began: the new key, unwrapped
 *              with the old) or dropped one (a rotation finished): its sealing key changed or lost its companion;
 *  'stale'     the store's key is one this replica does not hold and cannot unwrap (a rotation
 *              finished while it was not listening): it serves nothing until it has the new key.
 */
export type KeySync = 'unchanged' | 'changed' | 'stale';

export interface SharedStoreRotation extends Pick<StoreRotation, 'withSealingKey' | 'withPreviousKey'> {
  readonly shared: true;
  /** The rotation as last read from the database (by this replica's refresh, begin, batch or finish); undefined: none. */
  status(): RotationStatus | undefined;
  /** As StoreRotation.begin; StoreError 'conflict' when a rotation runs (begun through any replica). This replica then drives it. */
  begin(newKey: Uint8Array, startedBy: string): Promise<RotationStatus>;
  /** As StoreRotation.reencryptBatch; StoreError 'conflict' when another replica holds the lease. Renews the lease. */
  reencryptBatch(maxRows: number, hooks?: { readonly beforeCommit?: () => void }): Promise<RotationStatus>;
  /** As StoreRotation.finish; StoreError 'conflict' when another replica holds the lease. */
  finish(): Promise<void>;
  /** Takes or renews the lease to drive the running rotation: false when none runs or another replica's lease is live. */
  claim(): Promise<boolean>;
  /** Reads the store's key state and rotation row, and brings this replica's keys in step (one at a time; concurrent callers share). */
  refresh(): Promise<KeySync>;
}
