// SPIKE Keeper configuration (upstream's variables and defaults). The Keeper knows
// nothing of its index, of Nexus's URL or of Shamir parameters (ADR-0021).
import { type Env, type ListenAddress, readDuration, readInt, readListenAddress } from '../protocol/config/env.js';
import { type LogLevelName, type SpiffeConfig, type TrustRoots, loadSpiffeConfig, loadTrustRoots, logLevel } from '../protocol/config/shared.js';

export const DEFAULT_KEEPER_TLS_PORT = ':8443';
/** As Nexus's (docs/design.md § Limits): only Nexus and Bootstrap get past TLS, the caps bound a misbehaving one. */
export const DEFAULT_KEEPER_MAX_CONNECTIONS = 1024;
export const DEFAULT_KEEPER_MAX_CONNECTIONS_PER_PEER = 64;

export interface KeeperConfig {
  spiffe: SpiffeConfig;
  trustRoots: TrustRoots;
  /** `SPIKE_KEEPER_TLS_PORT` (Go listen-address form, default `:8443`). */
  listen: ListenAddress;
  /** `SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT` (default 10s): time allowed to send request headers. */
  readHeaderTimeoutMs: number;
  logLevel: LogLevelName;
  /** Open connections in all (`SPIKE_KEEPER_MAX_CONNECTIONS`, default 1024); more are dropped at accept. */
  maxConnections: number;
  /** Open connections per peer SPIFFE ID (`SPIKE_KEEPER_MAX_CONNECTIONS_PER_PEER`, default 64). */
  maxConnectionsPerPeer: number;
}

export function loadKeeperConfig(env: Env): KeeperConfig {
  return {
    spiffe: loadSpiffeConfig(env),
    trustRoots: loadTrustRoots(env),
    listen: readListenAddress(env, 'SPIKE_KEEPER_TLS_PORT', DEFAULT_KEEPER_TLS_PORT),
    readHeaderTimeoutMs: readDuration(env, 'SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT', 10_000, 100, 3_600_000),
    logLevel: logLevel(env),
    maxConnections: readInt(env, 'SPIKE_KEEPER_MAX_CONNECTIONS', DEFAULT_KEEPER_MAX_CONNECTIONS, 1, 1_000_000),
    maxConnectionsPerPeer: readInt(env, 'SPIKE_KEEPER_MAX_CONNECTIONS_PER_PEER', DEFAULT_KEEPER_MAX_CONNECTIONS_PER_PEER, 1, 1_000_000),
  };
}
