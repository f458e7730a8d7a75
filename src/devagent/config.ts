// Configuration of spike-dev-agent (the development Workload API), built from
// the environment through the primitives of env.ts. Invalid values throw
// ConfigError (one line naming the variable).
import { join, isAbsolute } from 'node:path';
import {
  ConfigError,
  homeDir,
  parseHttpsUrl,
  readDuration,
  readString,
  readTrustRootList,
  userName,
  type Env,
} from '../protocol/config/env.js';
import { logLevel, type LogLevelName } from '../protocol/config/shared.js';
import { quoteForMessage } from '../util/quote-for-message.js';

export interface DevAgentConfig {
  /** SPIKE_DEV_DIR (default ~/.spike/dev): CA, entries.json, sockets, pid file. */
  readonly devDir: string;
  /** The trust domain the dev CA issues SVIDs in (bare name, e.g. "spike.ist"). */
  readonly trustDomain: string;
  /** SPIKE_DEV_AGENT_SVID_TTL (default 1h), milliseconds. */
  readonly svidTtlMs: number;
  /** Number of keepers, from SPIKE_NEXUS_KEEPER_PEERS (default 3): default entries keeper-1..keeper-N. */
  readonly keeperCount: number;
  /** SPIKE_SYSTEM_LOG_LEVEL (default warn). */
  readonly logLevel: LogLevelName;
}

export const DEFAULT_SVID_TTL_MS = 3_600_000;
/** Shortest TTL accepted: rotation happens at half the TTL. */
export const MIN_SVID_TTL_MS = 1_000;
/** Longest TTL accepted (30 days). */
export const MAX_SVID_TTL_MS = 30 * 24 * 3_600_000;
export const DEFAULT_KEEPER_COUNT = 3;

const TRUST_DOMAIN_RE = /^[a-z0-9._-]{1,255}$/;

/** SPIKE_DEV_DIR, else ~/.spike/dev, else /tmp/.spike-$USER/dev. Always absolute. */
export function devDir(env: Env): string {
  const v = readString(env, 'SPIKE_DEV_DIR');
  if (v !== undefined) {
    if (!isAbsolute(v)) throw new ConfigError('SPIKE_DEV_DIR', `must be an absolute path, got ${quoteForMessage(v)}`);
    return v;
  }
  const home = homeDir(env);
  if (home !== undefined && isAbsolute(home)) return join(home, '.spike', 'dev');
  return join('/tmp', `.spike-${userName(env)}`, 'dev');
}

/** SPIKE_DEV_TRUST_DOMAIN, else the first item of SPIKE_TRUST_ROOT, else spike.ist. */
export function devTrustDomain(env: Env): string {
  const v = readString(env, 'SPIKE_DEV_TRUST_DOMAIN');
  if (v !== undefined) {
    const td = v.startsWith('spiffe://') ? v.slice('spiffe://'.length) : v;
    if (!TRUST_DOMAIN_RE.test(td)) {
      throw new ConfigError('SPIKE_DEV_TRUST_DOMAIN', `invalid trust domain ${quoteForMessage(v)} (lowercase letters, digits, '.', '_', '-')`);
    }
    return td;
  }
  const roots = readTrustRootList(env, 'SPIKE_TRUST_ROOT');
  return roots[0] ?? 'spike.ist';
}

/**
 * How many keepers SPIKE_NEXUS_KEEPER_PEERS lists (each item an https URL,
 * optionally `=SPIFFE-ID`, pinned; Nexus checks the IDs); 3 when unset.
 */
export function keeperCount(env: Env): number {
  const v = readString(env, 'SPIKE_NEXUS_KEEPER_PEERS');
  if (v === undefined) return DEFAULT_KEEPER_COUNT;
  const items = v.split(',').map((s) => s.trim());
  for (const item of items) {
    if (item === '') throw new ConfigError('SPIKE_NEXUS_KEEPER_PEERS', 'must be a comma-separated list of https URLs without empty items');
    const eq = item.indexOf('=');
    parseHttpsUrl('SPIKE_NEXUS_KEEPER_PEERS', eq < 0 ? item : item.slice(0, eq).trim());
  }
  return items.length;
}

export function loadDevAgentConfig(env: Env): DevAgentConfig {
  return Object.freeze({
    devDir: devDir(env),
    trustDomain: devTrustDomain(env),
    svidTtlMs: readDuration(env, 'SPIKE_DEV_AGENT_SVID_TTL', DEFAULT_SVID_TTL_MS, MIN_SVID_TTL_MS, MAX_SVID_TTL_MS),
    keeperCount: keeperCount(env),
    logLevel: logLevel(env),
  });
}
