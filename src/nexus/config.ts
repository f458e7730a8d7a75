// SPIKE Nexus configuration (upstream's variables and defaults), built from the
// shared loaders plus Nexus's own variables. Invalid values throw a
// ConfigError (one line naming the variable); upstream silently falls back.
//
// Differences from upstream, on purpose:
// - SPIKE_NEXUS_BACKEND_STORE: an unknown value is an error (upstream: sqlite).
// - SPIKE_NEXUS_RECOVERY_MAX_INTERVAL is wired in (upstream defines it but
//   never reads it, and its keeper poll backoff caps at 60s). Default 5s,
//   which is what upstream's doc comment promises.
// - SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL must be > 0 (upstream panics on 0s).
// - sqlite/lite need SPIKE_NEXUS_KEEPER_PEERS with exactly
//   SPIKE_NEXUS_SHAMIR_SHARES entries, checked at start (upstream: fatal
//   later, or a panic on the restore path).
// - SPIKE_NEXUS_KEEPER_PEERS items may be URL=SPIFFE-ID, pinning each Keeper
//   URL to one Keeper ID (docs/design.md § Identities).
// - SPIKE_NEXUS_BACKEND_STORE=postgres (ours; upstream has none): needs
//   SPIKE_NEXUS_DATABASE_URL, optionally SPIKE_NEXUS_DATABASE_PASSWORD_FILE
//   (database-config.ts), and Keepers as sqlite does. Several replicas may
//   share one database: SPIKE_NEXUS_REPLICA_NAME names each (heartbeats,
//   status); SPIKE_NEXUS_HEALTH_PORT / _ADDR add a plain-HTTP readiness
//   listener for load balancers (any backend).
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ConfigError, type Env, type ListenAddress, readDuration, readEnum, readInt, readListenAddress, readString } from '../protocol/config/env.js';
import { readMaxCiphertextSize } from '../protocol/cipher-format.js';
import { FailpointSpecError, parseFailpointSpec } from '../common/failpoint.js';
import { ROTATION_FAILPOINTS } from './rotation/failpoint-names.js';
import { STORE_FAILPOINTS } from './store/failpoint-names.js';
import { loadDatabaseConfig, type NexusDatabaseConfig } from './database-config.js';
import {
  type ShamirConfig,
  type SpiffeConfig,
  type TrustRoots,
  type LogLevelName,
  type KeeperPeer,
  loadKeeperPeerList,
  loadShamirConfig,
  loadSpiffeConfig,
  loadTrustRoots,
  logLevel,
  nexusDataDir,
} from '../protocol/config/shared.js';

export type NexusBackend = 'sqlite' | 'memory' | 'lite' | 'postgres';
export type { NexusDatabaseConfig } from './database-config.js';

export interface NexusConfig {
  listen: ListenAddress;
  backend: NexusBackend;
  /** Keeper i (1-based position) holds share i. Empty only for the memory backend. */
  keeperPeers: readonly URL[];
  /** The same keepers with their pinned SPIFFE IDs (undefined: plain-URL form, any Keeper ID; warn at start). */
  keepers: readonly KeeperPeer[];
  shamir: ShamirConfig;
  /** Periodic shard push interval (`SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL`, default 5m). */
  keeperUpdateIntervalMs: number;
  /** Cap of the keeper poll backoff (`SPIKE_NEXUS_RECOVERY_MAX_INTERVAL`, default 5s; starts at 500ms). */
  recoveryMaxIntervalMs: number;
  /** Directory of spike.db (`$SPIKE_NEXUS_DATA_DIR/data`, upstream layout). */
  dataDir: string;
  /** `<dataDir>/spike.db` */
  dbPath: string;
  /** The postgres backend's database (SPIKE_NEXUS_DATABASE_URL, …); undefined for the other backends. */
  database?: NexusDatabaseConfig;
  maxSecretVersions: number;
  /** Largest ciphertext accepted by bootstrap verify (`SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE`). */
  maxCiphertextSize: number;
  /** Deadline for reading request headers (`SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT`, default 10s). */
  readHeaderTimeoutMs: number;
  /** Deadline for receiving a whole request (headers and body): slow bodies cannot hold a connection. */
  requestTimeoutMs: number;
  /** Deadline of each call to a Keeper (`SPIKE_HTTP_CLIENT_TIMEOUT`, default 60s as upstream; capped by us to 30s for keeper calls). */
  keeperCallTimeoutMs: number;
  trustRoots: TrustRoots;
  spiffe: SpiffeConfig;
  logLevel: LogLevelName;
  /** Open connections in all (`SPIKE_NEXUS_MAX_CONNECTIONS`, default 1024); more are dropped at accept. */
  maxConnections: number;
  /** Open connections per peer SPIFFE ID (`SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER`, default 64); more are closed after the handshake. */
  maxConnectionsPerPeer: number;
  /**
   * Testing aid (`SPIKE_NEXUS_FAILPOINTS="name[@N],..."`): Nexus SIGKILLs itself
   * the N-th time (default 1st) it reaches `name` (rotation/failpoint-names.ts,
   * store/failpoint-names.ts).
   * Empty unless set; never set it in production.
   */
  failpoints: ReadonlyMap<string, number>;
  /**
   * This replica's name in heartbeats and `spike operator status`
   * (`SPIKE_NEXUS_REPLICA_NAME`; undefined: `<hostname>:<port>` once listening).
   */
  replicaName?: string;
  /**
   * The plain-HTTP readiness listener for load balancers (`SPIKE_NEXUS_HEALTH_PORT`,
   * 0 picks a port; `SPIKE_NEXUS_HEALTH_ADDR`, default 127.0.0.1); undefined: none.
   */
  health?: { readonly host: string; readonly port: number };
  /**
   * Where the other replicas reach this one over mTLS to forward restore calls
   * (`SPIKE_NEXUS_ADVERTISE_URL`, an https origin; undefined: `https://<listen address>:<port>`,
   * the host name for a wildcard listener, once listening). Used on PostgreSQL only (docs/design.md § Restore through any replica).
   */
  advertiseUrl?: string;
}

export const DEFAULT_NEXUS_LISTEN = ':8553';
export const DEFAULT_KEEPER_UPDATE_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_RECOVERY_MAX_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_SECRET_VERSIONS = 10;
export const DEFAULT_MAX_CONNECTIONS = 1024;
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 64;

const DAY_MS = 24 * 3_600_000;

export function loadNexusConfig(env: Env): NexusConfig {
  const backend = readEnum<NexusBackend>(env, 'SPIKE_NEXUS_BACKEND_STORE', 'sqlite', ['sqlite', 'memory', 'lite', 'postgres']);
  const shamir = loadShamirConfig(env);
  const trustRoots = loadTrustRoots(env);
  const keepers = loadKeeperPeerList(env, trustRoots.keeper);
  const keeperPeers = keepers.map((k) => k.url);
  if (backend !== 'memory') {
    if (keeperPeers.length === 0) {
      throw new ConfigError('SPIKE_NEXUS_KEEPER_PEERS', `must be configured for the ${backend} backend`);
    }
    if (keeperPeers.length !== shamir.shares) {
      throw new ConfigError(
        'SPIKE_NEXUS_KEEPER_PEERS',
        `keeper count mismatch: SPIKE_NEXUS_SHAMIR_SHARES=${shamir.shares} but ${keeperPeers.length} keepers configured; these values must match`,
      );
    }
  }
  const dataDir = nexusDataDir(env);
  const database = backend === 'postgres' ? loadDatabaseConfig(env) : undefined;
  const readHeaderTimeoutMs = readDuration(env, 'SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT', 10_000, 100, 10 * 60_000);
  return {
    listen: readListenAddress(env, 'SPIKE_NEXUS_TLS_PORT', DEFAULT_NEXUS_LISTEN),
    backend,
    keeperPeers: Object.freeze(keeperPeers),
    keepers: Object.freeze(keepers),
    shamir,
    keeperUpdateIntervalMs: readDuration(env, 'SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL', DEFAULT_KEEPER_UPDATE_INTERVAL_MS, 1, 7 * DAY_MS),
    recoveryMaxIntervalMs: readDuration(env, 'SPIKE_NEXUS_RECOVERY_MAX_INTERVAL', DEFAULT_RECOVERY_MAX_INTERVAL_MS, 500, DAY_MS),
    dataDir,
    dbPath: join(dataDir, 'spike.db'),
    ...(database === undefined ? {} : { database }),
    maxSecretVersions: readInt(env, 'SPIKE_NEXUS_MAX_SECRET_VERSIONS', DEFAULT_MAX_SECRET_VERSIONS, 1, 1_000_000),
    maxCiphertextSize: readMaxCiphertextSize(env),
    readHeaderTimeoutMs,
    requestTimeoutMs: Math.max(readHeaderTimeoutMs, 30_000),
    keeperCallTimeoutMs: Math.min(readDuration(env, 'SPIKE_HTTP_CLIENT_TIMEOUT', 60_000, 100, DAY_MS), 30_000),
    trustRoots,
    spiffe: loadSpiffeConfig(env),
    logLevel: logLevel(env),
    maxConnections: readInt(env, 'SPIKE_NEXUS_MAX_CONNECTIONS', DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
    maxConnectionsPerPeer: readInt(env, 'SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER', DEFAULT_MAX_CONNECTIONS_PER_PEER, 1, 1_000_000),
    failpoints: readFailpoints(env),
    ...readReplicaSettings(env),
  };
}

const REPLICA_NAME = /^[A-Za-z0-9._:@\-[\]]{1,128}$/;

/** An https origin (scheme, host, optional port; no user, path, query or fragment), normalised. */
function readAdvertiseUrl(env: Env): string | undefined {
  const text = readString(env, 'SPIKE_NEXUS_ADVERTISE_URL');
  if (text === undefined) return undefined;
  const bad = (): never => {
    throw new ConfigError('SPIKE_NEXUS_ADVERTISE_URL', 'must be an https URL with a host and an optional port, nothing else (https://nexus-1.example:8553)');
  };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return bad();
  }
  if (u.protocol !== 'https:' || u.hostname === '' || u.username !== '' || u.password !== '' || u.pathname !== '/' || u.search !== '' || u.hash !== '') bad();
  return u.origin;
}

function readReplicaSettings(env: Env): Pick<NexusConfig, 'replicaName' | 'health' | 'advertiseUrl'> {
  const name = readString(env, 'SPIKE_NEXUS_REPLICA_NAME');
  if (name !== undefined && !REPLICA_NAME.test(name)) {
    throw new ConfigError('SPIKE_NEXUS_REPLICA_NAME', 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ - [ ]');
  }
  const portText = readString(env, 'SPIKE_NEXUS_HEALTH_PORT');
  const addr = readString(env, 'SPIKE_NEXUS_HEALTH_ADDR');
  if (portText === undefined && addr !== undefined) throw new ConfigError('SPIKE_NEXUS_HEALTH_ADDR', 'needs SPIKE_NEXUS_HEALTH_PORT');
  const health = portText === undefined ? undefined : { host: addr ?? '127.0.0.1', port: readInt(env, 'SPIKE_NEXUS_HEALTH_PORT', 0, 0, 65535) };
  if (health !== undefined && !isIP(health.host.replace(/^\[(.*)\]$/, '$1'))) {
    throw new ConfigError('SPIKE_NEXUS_HEALTH_ADDR', 'must be an IP address (127.0.0.1, ::1, 0.0.0.0, …)');
  }
  const advertiseUrl = readAdvertiseUrl(env);
  return {
    ...(advertiseUrl === undefined ? {} : { advertiseUrl }),
    ...(name === undefined ? {} : { replicaName: name }),
    ...(health === undefined ? {} : { health: { host: health.host.replace(/^\[(.*)\]$/, '$1'), port: health.port } }),
  };
}

function readFailpoints(env: Env): ReadonlyMap<string, number> {
  const spec = readString(env, 'SPIKE_NEXUS_FAILPOINTS');
  if (spec === undefined) return new Map();
  try {
    return parseFailpointSpec(spec, [...ROTATION_FAILPOINTS, ...STORE_FAILPOINTS]);
  } catch (e) {
    if (e instanceof FailpointSpecError) throw new ConfigError('SPIKE_NEXUS_FAILPOINTS', e.message);
    throw e;
  }
}
