// Bootstrap once per PostgreSQL store (docs/postgres.md § Bootstrap once per
// store). Several Bootstraps may point at one database (one per host, or a
// retry racing the first); exactly one runs, the others skip, and a
// Bootstrap that dies at any moment never leaves the store unbootstrappable:
//
// 1. The run lock: a session-level advisory lock (acquireBootstrapLease),
//    held for the whole run on a connection of its own. A second Bootstrap
//    waits for it (polling; SPIKE_BOOTSTRAP_TIMEOUT bounds the wait), then
//    decides with the store as the first left it. The lock goes with its
//    session: a Bootstrap that crashes releases it when its connection ends.
// 2. Under the lock: the store was bootstrapped when its bootstrap row exists
//    (claimBootstrap, written only after Nexus verified the key, as the
//    SQLite marker file), or when it holds a key-check value or any sealed
//    row: Nexus wrote them with a key it rebuilt from the Keepers, so a
//    Bootstrap got that far before it died (or the rows were copied in with
//    their key). Then the row is recorded now and this Bootstrap skips: a new
//    root key would orphan the data.
// 3. Otherwise this Bootstrap runs; the row is claimed once Nexus verified
//    the key. Dying before that leaves no row and no lock: the next
//    Bootstrap runs again, exactly as a missing bootstrap.json.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NexusDatabaseConfig } from '../nexus/database-config.js';
import {
  acquireBootstrapLease,
  bootstrapClaimed,
  claimBootstrap,
  connectPostgres,
  postgresStoreHoldsData,
  type BootstrapLease,
  type PostgresDatabase,
} from '../nexus/store/postgres/index.js';
import type { MarkerEvents, StoreMarker } from './store-marker-types.js';

/** How often a waiting Bootstrap tries the run lock again. */
const LOCK_POLL_MS = 500;

async function waitForLease(db: PostgresDatabase, events: MarkerEvents): Promise<BootstrapLease> {
  let told = false;
  for (;;) {
    const lease = await acquireBootstrapLease(db);
    if (lease !== undefined) return lease;
    if (!told) {
      told = true;
      events.onWaiting?.();
    }
    await sleep(LOCK_POLL_MS);
  }
}

export async function openPostgresMarker(database: NexusDatabaseConfig, events: MarkerEvents = {}): Promise<StoreMarker> {
  const db = await connectPostgres({
    url: database.url,
    ...(database.password === undefined ? {} : { password: database.password }),
    applicationName: 'spike-bootstrap',
    maxConnections: 2,
  });
  let lease: BootstrapLease | undefined;
  try {
    lease = await waitForLease(db, events);
  } catch (e) {
    await db.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    place: `the bootstrap row of ${db.target}`,
    async alreadyBootstrapped() {
      if (await bootstrapClaimed(db)) return true;
      if (!(await postgresStoreHoldsData(db))) return false;
      await claimBootstrap(db);
      events.onAdopted?.();
      return true;
    },
    async record() {
      // false: the row exists already (a forced re-bootstrap): completion is recorded either way.
      await claimBootstrap(db);
    },
    close() {
      closing ??= (async () => {
        await lease?.release();
        await db.close();
      })();
      return closing;
    },
  };
}
