// What a bootstrap marker offers (store-marker.ts picks the backend's; postgres-marker.ts
// implements the PostgreSQL one): in a file of its own so that both import it without a cycle.
import type { BootstrapMarker } from './marker.js';

export interface StoreMarker {
  /** Where completion is recorded (messages). */
  readonly place: string;
  /** Whether this store was bootstrapped before (or holds data under a root key, postgres). */
  alreadyBootstrapped(): Promise<boolean>;
  /** Records completion; called once Nexus verified the new key. */
  record(marker: BootstrapMarker): Promise<void>;
  /** Releases what the marker holds (postgres: the run lock and the pool). Idempotent; never throws. */
  close(): Promise<void>;
}

export interface MarkerEvents {
  /** Another Bootstrap holds the store's run lock: this one waits for it (logged once). */
  onWaiting?: () => void;
  /** The store holds data under a root key but had no bootstrap row: the row was recorded now. */
  onAdopted?: () => void;
}
