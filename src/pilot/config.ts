// The whole configuration of the `spike` CLI (SPIKE Pilot), from the
// environment (upstream's variables and defaults), built on env.ts and shared.ts.
// Invalid values throw ConfigError naming the variable.
import { type Env, homeDir, readBool, readDuration, readString, userName } from '../protocol/config/env.js';
import { loadShamirConfig, loadSpiffeConfig, loadTrustRoots, nexusApiUrls, type SpiffeConfig, type TrustRoots } from '../protocol/config/shared.js';

export interface PilotRecoveryDirInputs {
  /** `SPIKE_PILOT_RECOVERY_DIR` when set: shards go to `<it>/recover`. */
  customDir: string | undefined;
  /** The user's home directory (`~/.spike/recover`), when known. */
  homeDir: string | undefined;
  /** `$USER` (default `spike`), for the `/tmp/.spike-$USER/recover` fallback. */
  user: string;
}

export interface PilotConfig {
  /** `SPIKE_NEXUS_API_URL`'s first URL (default https://localhost:8553). */
  nexusUrl: URL;
  /** Every URL of `SPIKE_NEXUS_API_URL` (a comma list: Nexus replicas, tried in order; src/client/failover.ts). */
  nexusUrls: readonly URL[];
  /** `SPIKE_TRUST_ROOT_*`: the Pilot's own roles use `pilot`, Nexus pinning uses `nexus`. */
  trustRoots: TrustRoots;
  /** `SPIFFE_ENDPOINT_SOCKET`, `SPIKE_SPIFFE_SOURCE_TIMEOUT`. */
  spiffe: SpiffeConfig;
  /** Whether `SPIFFE_ENDPOINT_SOCKET` is set (an SVID failure says when the default socket was tried). */
  spiffeSocketSet: boolean;
  recoveryDir: PilotRecoveryDirInputs;
  /** `SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT` (default 1000): the largest shard id restore accepts. */
  maxShareCount: number;
  /** `SPIKE_HTTP_CLIENT_TIMEOUT` (default 60s): deadline of each call to Nexus. */
  httpTimeoutMs: number;
  /** `SPIKE_PILOT_SHOW_MEMORY_WARNING` (default false): warn that memory cannot be locked. */
  showMemoryWarning: boolean;
}

export const DEFAULT_HTTP_CLIENT_TIMEOUT_MS = 60_000;

/** `SPIKE_FORMAT`: the default of every -f/--format flag (checked by output/format.ts formatFromEnv); undefined when unset or blank. */
export function loadFormatSetting(env: Env): string | undefined {
  return readString(env, 'SPIKE_FORMAT');
}

export function loadPilotConfig(env: Env): PilotConfig {
  const nexusUrls = nexusApiUrls(env);
  return {
    nexusUrl: nexusUrls[0] as URL,
    nexusUrls,
    trustRoots: loadTrustRoots(env),
    spiffe: loadSpiffeConfig(env),
    spiffeSocketSet: readString(env, 'SPIFFE_ENDPOINT_SOCKET') !== undefined,
    recoveryDir: {
      customDir: readString(env, 'SPIKE_PILOT_RECOVERY_DIR'),
      homeDir: homeDir(env),
      user: userName(env),
    },
    maxShareCount: loadShamirConfig(env).maxShareCount,
    httpTimeoutMs: readDuration(env, 'SPIKE_HTTP_CLIENT_TIMEOUT', DEFAULT_HTTP_CLIENT_TIMEOUT_MS, 1, 24 * 3_600_000),
    showMemoryWarning: readBool(env, 'SPIKE_PILOT_SHOW_MEMORY_WARNING', false),
  };
}
