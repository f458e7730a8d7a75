// Configuration shared by several apps, built on the env.ts primitives.
// Upstream reference: spike-sdk-go config/env (variables and
// defaults). Where upstream silently falls back on an invalid value, we throw
// a ConfigError naming the variable.
import { join } from 'node:path';
import {
  ConfigError,
  type Env,
  homeDir,
  parseHttpsUrl,
  readDuration,
  readEnum,
  readInt,
  readString,
  readTrustRootList,
  userName,
} from './env.js';
import { isKeeper, isWellFormedPeerId, KEEPER_PATH, keeperId } from '../roles.js';
import { quoteForMessage } from '../../util/quote-for-message.js';

export interface SpiffeConfig {
  /** The Workload API address, as given (parse it with src/spiffe/address.ts). */
  endpointSocket: string;
  /** How long to wait for the first SVID. */
  sourceTimeoutMs: number;
}

export const DEFAULT_ENDPOINT_SOCKET = 'unix:///tmp/spire-agent/public/api.sock';
export const DEFAULT_SOURCE_TIMEOUT_MS = 30_000;

export function loadSpiffeConfig(env: Env): SpiffeConfig {
  return {
    endpointSocket: readString(env, 'SPIFFE_ENDPOINT_SOCKET') ?? DEFAULT_ENDPOINT_SOCKET,
    sourceTimeoutMs: readDuration(env, 'SPIKE_SPIFFE_SOURCE_TIMEOUT', DEFAULT_SOURCE_TIMEOUT_MS, 1, 24 * 3_600_000),
  };
}

/** Trust domains each role may come from (`SPIKE_TRUST_ROOT_*`, comma lists, default `spike.ist`). */
export interface TrustRoots {
  readonly pilot: readonly string[];
  readonly nexus: readonly string[];
  readonly keeper: readonly string[];
  readonly bootstrap: readonly string[];
  readonly liteWorkload: readonly string[];
}

export function loadTrustRoots(env: Env): TrustRoots {
  return Object.freeze({
    pilot: readTrustRootList(env, 'SPIKE_TRUST_ROOT_PILOT'),
    nexus: readTrustRootList(env, 'SPIKE_TRUST_ROOT_NEXUS'),
    keeper: readTrustRootList(env, 'SPIKE_TRUST_ROOT_KEEPER'),
    bootstrap: readTrustRootList(env, 'SPIKE_TRUST_ROOT_BOOTSTRAP'),
    liteWorkload: readTrustRootList(env, 'SPIKE_TRUST_ROOT_LITE_WORKLOAD'),
  });
}

export interface ShamirConfig {
  /** Share count n (`SPIKE_NEXUS_SHAMIR_SHARES`, default 3). */
  shares: number;
  /** Shares needed to rebuild the key (`SPIKE_NEXUS_SHAMIR_THRESHOLD`, default 2). */
  threshold: number;
  /** Largest share id accepted by restore (`SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT`, default 1000). */
  maxShareCount: number;
}

export const DEFAULT_SHAMIR_SHARES = 3;
export const DEFAULT_SHAMIR_THRESHOLD = 2;
export const DEFAULT_MAX_SHARE_COUNT = 1000;
/** A hard ceiling so that a typo cannot make Nexus compute millions of shares. */
const SHAMIR_LIMIT = 1_000_000;

export function loadShamirConfig(env: Env): ShamirConfig {
  const maxShareCount = readInt(env, 'SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT', DEFAULT_MAX_SHARE_COUNT, 1, SHAMIR_LIMIT);
  const shares = readInt(env, 'SPIKE_NEXUS_SHAMIR_SHARES', DEFAULT_SHAMIR_SHARES, 1, maxShareCount);
  const threshold = readInt(env, 'SPIKE_NEXUS_SHAMIR_THRESHOLD', DEFAULT_SHAMIR_THRESHOLD, 1, maxShareCount);
  if (threshold > shares) {
    throw new ConfigError(
      'SPIKE_NEXUS_SHAMIR_THRESHOLD',
      `must not exceed SPIKE_NEXUS_SHAMIR_SHARES (${threshold} > ${shares})`,
    );
  }
  return { shares, threshold, maxShareCount };
}

/** One Keeper: its URL and, in the pinned form, the only SPIFFE ID it may present. */
export interface KeeperPeer {
  readonly url: URL;
  /** `spiffe://<td>/spike/keeper/<…>` when pinned; undefined in the plain-URL form (any Keeper ID). */
  readonly id: string | undefined;
}

/**
 * `SPIKE_NEXUS_KEEPER_PEERS`: comma list; position i (1-based) is Keeper/share
 * id i. Each item is either a plain https URL (upstream's form: any Keeper
 * ID is accepted there) or `URL=SPIFFE-ID`, pinning that URL to exactly one
 * Keeper ID (docs/design.md § Identities). Both forms are not mixed: pin
 * every Keeper or none. Upstream rules: an empty item, a non-https or
 * hostless URL, or a duplicate is refused, naming the position. A pinned ID
 * must be well formed, in a `keeperRoots` trust domain, strictly below
 * `spike/keeper`, and used once. Unset → [] unless `required`, then a
 * ConfigError.
 */
export function loadKeeperPeerList(env: Env, keeperRoots: readonly string[], opts: { required?: boolean } = {}): KeeperPeer[] {
  const name = 'SPIKE_NEXUS_KEEPER_PEERS';
  const raw = readString(env, name);
  if (raw === undefined) {
    if (opts.required === true) throw new ConfigError(name, 'must be configured in the environment');
    return [];
  }
  const out: KeeperPeer[] = [];
  const seen = new Set<string>();
  const seenIds = new Set<string>();
  raw.split(',').forEach((item, i) => {
    const position = i + 1;
    const t = item.trim();
    if (t === '') throw new ConfigError(name, `empty url found at position ${position}`);
    const eq = t.indexOf('=');
    const urlText = eq < 0 ? t : t.slice(0, eq).trim();
    let u: URL;
    try {
      u = parseHttpsUrl(name, urlText);
    } catch {
      throw new ConfigError(name, `invalid url format at position ${position} (need https://host[:port] or https://host[:port]=spiffe://td/spike/keeper/<i>)`);
    }
    const key = u.href.replace(/\/+$/, '');
    if (seen.has(key)) throw new ConfigError(name, `duplicate url found at position ${position}`);
    seen.add(key);
    let id: string | undefined;
    if (eq >= 0) {
      id = validatePinnedKeeperId(name, t.slice(eq + 1).trim(), position, keeperRoots);
      if (seenIds.has(id)) throw new ConfigError(name, `duplicate keeper SPIFFE ID ${id} at position ${position}: each keeper needs its own ID`);
      seenIds.add(id);
    }
    out.push({ url: u, id });
  });
  const pinned = out.filter((p) => p.id !== undefined).length;
  if (pinned !== 0 && pinned !== out.length) {
    throw new ConfigError(name, `${pinned} of ${out.length} keepers are pinned to a SPIFFE ID: pin every keeper (URL=spiffe://td/spike/keeper/<i>) or none`);
  }
  return out;
}

function validatePinnedKeeperId(name: string, id: string, position: number, keeperRoots: readonly string[]): string {
  const where = `at position ${position}`;
  if (!isWellFormedPeerId(id)) throw new ConfigError(name, `invalid keeper SPIFFE ID ${quoteForMessage(id)} ${where}`);
  const rest = id.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const td = slash < 0 ? rest : rest.slice(0, slash);
  const segments = slash < 0 ? [] : rest.slice(slash + 1).split('/');
  if (td !== td.toLowerCase() || segments.some((s) => s === '.' || s === '..')) {
    throw new ConfigError(name, `invalid keeper SPIFFE ID ${quoteForMessage(id)} ${where} (lowercase trust domain, no '.' or '..' segments)`);
  }
  if (!keeperRoots.some((root) => root.trim() === td)) {
    throw new ConfigError(name, `keeper SPIFFE ID ${id} ${where} is not in a SPIKE_TRUST_ROOT_KEEPER trust domain (${keeperRoots.join(',')})`);
  }
  if (!isKeeper(id, keeperRoots) || id === keeperId(td)) {
    throw new ConfigError(name, `keeper SPIFFE ID ${id} ${where} must lie below spiffe://${td}/${KEEPER_PATH}/ (e.g. spiffe://${td}/${KEEPER_PATH}/${position})`);
  }
  return id;
}

/** The URLs of `SPIKE_NEXUS_KEEPER_PEERS` (either form), in order. */
export function loadKeeperPeers(env: Env, opts: { required?: boolean; keeperRoots?: readonly string[] } = {}): URL[] {
  return loadKeeperPeerList(env, opts.keeperRoots ?? readTrustRootList(env, 'SPIKE_TRUST_ROOT_KEEPER'), opts).map((p) => p.url);
}

/** The start-up warning for the plain-URL form, or undefined when every keeper is pinned (or there are none). */
export function unpinnedKeepersWarning(peers: readonly KeeperPeer[]): string | undefined {
  if (peers.length === 0 || peers.every((p) => p.id !== undefined)) return undefined;
  return (
    'keeper shares are not pinned to keeper identities: any SPIKE Keeper SVID is accepted at every SPIKE_NEXUS_KEEPER_PEERS URL, ' +
    'so one stolen keeper certificate can collect every share; pin each URL with URL=spiffe://<td>/spike/keeper/<i> (docs/design.md § Identities)'
  );
}

/** Upstream data dir: `$SPIKE_NEXUS_DATA_DIR/data`, else `~/.spike/data`, else `/tmp/.spike-$USER/data`. */
export function nexusDataDir(env: Env): string {
  const custom = readString(env, 'SPIKE_NEXUS_DATA_DIR');
  if (custom !== undefined) {
    if (!custom.startsWith('/')) throw new ConfigError('SPIKE_NEXUS_DATA_DIR', 'must be an absolute path');
    return join(custom, 'data');
  }
  const home = homeDir(env);
  if (home !== undefined) return join(home, '.spike', 'data');
  return join('/tmp', `.spike-${userName(env)}`, 'data');
}

export const DEFAULT_NEXUS_API_URL = 'https://localhost:8553';

/**
 * `SPIKE_NEXUS_API_URL` (default https://localhost:8553): one https URL with
 * a host, or a comma-separated list of them (several active Nexus replicas,
 * tried in order: src/client/failover.ts). Each element is trimmed and must
 * be what a single URL may be (https, a host, an optional port and path
 * prefix; no credentials, query or fragment); an empty element or the same
 * URL twice is refused, naming the element and its position.
 */
export function nexusApiUrls(env: Env): URL[] {
  const name = 'SPIKE_NEXUS_API_URL';
  const raw = readString(env, name) ?? DEFAULT_NEXUS_API_URL;
  if (!raw.includes(',')) return [parseHttpsUrl(name, raw)];
  const out: URL[] = [];
  const seen = new Map<string, number>();
  raw.split(',').forEach((item, i) => {
    const position = i + 1;
    const t = item.trim();
    if (t === '') throw new ConfigError(name, `empty URL at position ${position} of the list`);
    let u: URL;
    try {
      u = parseHttpsUrl(name, t);
    } catch (e) {
      const why = e instanceof ConfigError ? e.message.slice(name.length + 2) : 'invalid URL';
      throw new ConfigError(name, `element ${position} of the list: ${why}`);
    }
    // https://h:443/ and https://h are one replica: compare the normalised form, trailing slashes aside.
    const key = u.href.replace(/\/+$/, '');
    const first = seen.get(key);
    if (first !== undefined) throw new ConfigError(name, `element ${position} (${quoteForMessage(t)}) repeats element ${first}: list each Nexus once`);
    seen.set(key, position);
    out.push(u);
  });
  return out;
}

/** The first URL of `SPIKE_NEXUS_API_URL` (nexusApiUrls): for a component that talks to one Nexus only. */
export function nexusApiUrl(env: Env): URL {
  return nexusApiUrls(env)[0] as URL;
}

/** Same names as src/common/log.ts `LogLevel` (libraries do not import apps). */
export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/** `SPIKE_SYSTEM_LOG_LEVEL`: DEBUG|INFO|WARN|ERROR, case-insensitive, default WARN. */
export function logLevel(env: Env): LogLevelName {
  return readEnum<LogLevelName>(env, 'SPIKE_SYSTEM_LOG_LEVEL', 'warn', ['debug', 'info', 'warn', 'error']);
}
