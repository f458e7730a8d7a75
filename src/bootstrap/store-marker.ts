// Whether this store was bootstrapped, and recording that it now is
// (docs/design.md § Bootstrap; docs/postgres.md § Bootstrap once per store).
//   sqlite (and the backends Bootstrap skips): the file `<nexus data dir>/bootstrap.json`.
//   postgres: the store's bootstrap row, so that every Bootstrap of every host
//     pointing at one database agrees; postgres-marker.ts (loaded only then).
import type { BootstrapConfig } from './config.js';
import { markerExists, markerPath, writeMarker } from './marker.js';
import type { MarkerEvents, StoreMarker } from './store-marker-types.js';

export type { MarkerEvents, StoreMarker } from './store-marker-types.js';

/** The file marker in `dataDir`. */
export function fileMarker(dataDir: string): StoreMarker {
  return {
    place: markerPath(dataDir),
    alreadyBootstrapped: async () => markerExists(dataDir),
    record: async (marker) => writeMarker(dataDir, marker),
    close: async () => undefined,
  };
}

/** The marker of the configured backend (postgres: connected, holding the run lock). */
export async function openStoreMarker(config: Pick<BootstrapConfig, 'backend' | 'nexusDataDir' | 'database'>, events: MarkerEvents = {}): Promise<StoreMarker> {
  if (config.backend !== 'postgres') return fileMarker(config.nexusDataDir);
  if (config.database === undefined) throw new Error('the postgres backend needs SPIKE_NEXUS_DATABASE_URL');
  const { openPostgresMarker } = await import('./postgres-marker.js');
  return openPostgresMarker(config.database, events);
}
