// SPIKE Bootstrap configuration (upstream app/bootstrap;
// docs/design.md § Bootstrap). Keeper peers are loaded but not required here: Bootstrap
// skips itself for the memory and lite backends, where none are configured.
import { type Env, readBool, readDuration, readEnum, readInt } from '../protocol/config/env.js';
import {
  type LogLevelName,
  type ShamirConfig,
  type SpiffeConfig,
  type TrustRoots,
  type KeeperPeer,
  loadKeeperPeerList,
  loadShamirConfig,
  loadSpiffeConfig,
  loadTrustRoots,
  logLevel,
  nexusApiUrl,
  nexusDataDir,
} from '../protocol/config/shared.js';
import { loadDatabaseConfig, type NexusDatabaseConfig } from '../nexus/database-config.js';

export type BackendStore = 'sqlite' | 'lite' | 'memory' | 'postgres';

export interface BootstrapConfig {
  spiffe: SpiffeConfig;
  trustRoots: TrustRoots;
  backend: BackendStore;
  keeperPeers: URL[];
  /** The same keepers with their pinned SPIFFE IDs (undefined: plain-URL form, any Keeper ID; warn at start). */
  keepers: readonly KeeperPeer[];
  shamir: ShamirConfig;
  nexusApiUrl: URL;
  /** Where Nexus keeps its data; Bootstrap records its completion there (sqlite). */
  nexusDataDir: string;
  /**
   * The postgres backend's database (SPIKE_NEXUS_DATABASE_URL,
   * SPIKE_NEXUS_DATABASE_PASSWORD_FILE, as Nexus reads them): Bootstrap records
   * its completion in the store's bootstrap row. Undefined for other backends.
   */
  database: NexusDatabaseConfig | undefined;
  /** `SPIKE_BOOTSTRAP_FORCE=true` runs even when this store was bootstrapped before. */
  force: boolean;
  /** Whole-run deadline (`SPIKE_BOOTSTRAP_TIMEOUT`, 0 = none). */
  timeoutMs: number;
  /** Per-keeper deadline over all attempts (`SPIKE_BOOTSTRAP_KEEPER_TIMEOUT`, 30s). */
  keeperTimeoutMs: number;
  /** Attempts per keeper (`SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES`, 5). */
  keeperMaxRetries: number;
  keeperRetryInitialMs: number;
  keeperRetryMaxMs: number;
  /** How long to wait for Nexus to verify the key (`SPIKE_BOOTSTRAP_INIT_VERIFICATION_TIMEOUT`, 30m). */
  verificationTimeoutMs: number;
  /** Deadline of one HTTP call (`SPIKE_HTTP_CLIENT_TIMEOUT`, 60s). */
  httpTimeoutMs: number;
  logLevel: LogLevelName;
}

const DAY_MS = 24 * 3_600_000;

export function loadBootstrapConfig(env: Env): BootstrapConfig {
  const keeperRetryInitialMs = readDuration(env, 'SPIKE_BOOTSTRAP_KEEPER_RETRY_INITIAL_INTERVAL', 2_000, 1, DAY_MS);
  const keeperRetryMaxMs = readDuration(env, 'SPIKE_BOOTSTRAP_KEEPER_RETRY_MAX_INTERVAL', 30_000, 1, DAY_MS);
  const trustRoots = loadTrustRoots(env);
  const keepers = loadKeeperPeerList(env, trustRoots.keeper);
  const backend = readEnum<BackendStore>(env, 'SPIKE_NEXUS_BACKEND_STORE', 'sqlite', ['sqlite', 'lite', 'memory', 'postgres']);
  return {
    spiffe: loadSpiffeConfig(env),
    trustRoots,
    backend,
    database: backend === 'postgres' ? loadDatabaseConfig(env) : undefined,
    keeperPeers: keepers.map((k) => k.url),
    keepers,
    shamir: loadShamirConfig(env),
    nexusApiUrl: nexusApiUrl(env),
    nexusDataDir: nexusDataDir(env),
    force: readBool(env, 'SPIKE_BOOTSTRAP_FORCE', false),
    timeoutMs: readDuration(env, 'SPIKE_BOOTSTRAP_TIMEOUT', 0, 0, DAY_MS),
    keeperTimeoutMs: readDuration(env, 'SPIKE_BOOTSTRAP_KEEPER_TIMEOUT', 30_000, 1, DAY_MS),
    keeperMaxRetries: readInt(env, 'SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES', 5, 1, 1000),
    keeperRetryInitialMs,
    keeperRetryMaxMs: Math.max(keeperRetryMaxMs, keeperRetryInitialMs),
    verificationTimeoutMs: readDuration(env, 'SPIKE_BOOTSTRAP_INIT_VERIFICATION_TIMEOUT', 30 * 60_000, 1, DAY_MS),
    httpTimeoutMs: readDuration(env, 'SPIKE_HTTP_CLIENT_TIMEOUT', 60_000, 1, DAY_MS),
    logLevel: logLevel(env),
  };
}
