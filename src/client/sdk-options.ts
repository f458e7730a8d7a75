// SpikeClient's settings: what the caller passed, else the environment
// variables SPIKE's own components read (through src/protocol/config, the
// only place that reads the environment), else upstream's defaults.
// Invalid values throw a RangeError naming the option or variable.
import { ConfigError, processEnv, readDuration, readTrustRootList, type Env } from '../protocol/config/env.js';
import { loadSpiffeConfig, nexusApiUrls } from '../protocol/config/shared.js';
import type { X509SvidSource } from '../spiffe/x509context.js';

/** The default deadline of one call (upstream's SPIKE_HTTP_CLIENT_TIMEOUT default). */
export const DEFAULT_SDK_TIMEOUT_MS = 60_000;
/** With several Nexus URLs: how long a TLS connection may take before the next URL is tried. */
export const DEFAULT_SDK_CONNECT_TIMEOUT_MS = 10_000;

export interface SpikeClientOptions {
  /**
   * SPIKE Nexus: one https URL, a comma-separated list, or an array (several
   * active replicas, tried in order). Default: `SPIKE_NEXUS_API_URL`, else
   * https://localhost:8553.
   */
  nexusUrl?: string | URL | readonly (string | URL)[];
  /**
   * The SPIFFE Workload API address (`unix:///path` or `tcp://IP:PORT`).
   * Default: `SPIFFE_ENDPOINT_SOCKET`, else unix:///tmp/spire-agent/public/api.sock.
   */
  endpointSocket?: string;
  /**
   * An SVID source of your own (upstream's NewWithSource): used instead of
   * opening one, and left open by `close()`.
   */
  source?: X509SvidSource;
  /** How long to wait for the first SVID. Default: `SPIKE_SPIFFE_SOURCE_TIMEOUT`, else 30 s. */
  sourceTimeoutMs?: number;
  /** Trust domains Nexus's SPIFFE ID may be in. Default: `SPIKE_TRUST_ROOT_NEXUS`, else spike.ist. */
  nexusTrustRoots?: readonly string[];
  /** Deadline of each call (connect and answer); a call may shorten it. Default: `SPIKE_HTTP_CLIENT_TIMEOUT`, else 60 s. */
  timeoutMs?: number;
  /** With several Nexus URLs, the TLS connect deadline per URL before the next one is tried. Default: 10 s (capped by timeoutMs). */
  connectTimeoutMs?: number;
  /** Aborts `create()` while it waits for the first SVID (SpikeWorkloadApiError). */
  signal?: AbortSignal;
  /** Where defaults come from instead of `process.env` (tests, or a workload's own configuration). */
  env?: Env;
}

export interface ResolvedSdkOptions {
  nexusUrls: readonly URL[];
  endpointSocket: string;
  sourceTimeoutMs: number;
  nexusTrustRoots: readonly string[];
  timeoutMs: number;
  /** Only with several URLs. */
  connectTimeoutMs: number | undefined;
}

function positiveMs(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`SpikeClient: ${name} must be a positive number of milliseconds, got ${v}`);
  return v;
}

function urlsFrom(v: string | URL | readonly (string | URL)[]): URL[] {
  const list = typeof v === 'string' || v instanceof URL ? [v] : [...v];
  // One list syntax for everything: the same rules as SPIKE_NEXUS_API_URL.
  const text = list.map((u) => (u instanceof URL ? u.href : u)).join(',');
  if (text.trim() === '') throw new RangeError('SpikeClient: nexusUrl is empty');
  return nexusApiUrls({ SPIKE_NEXUS_API_URL: text });
}

function trustRootsFrom(v: readonly string[]): readonly string[] {
  return readTrustRootList({ SPIKE_TRUST_ROOT_NEXUS: v.join(',') }, 'SPIKE_TRUST_ROOT_NEXUS');
}

/** The client's settings (see SpikeClientOptions). */
export function resolveSdkOptions(opts: SpikeClientOptions): ResolvedSdkOptions {
  const env = opts.env ?? processEnv();
  try {
    const nexusUrls = opts.nexusUrl === undefined ? nexusApiUrls(env) : urlsFrom(opts.nexusUrl);
    const spiffe = loadSpiffeConfig(env);
    const timeoutMs =
      opts.timeoutMs === undefined
        ? readDuration(env, 'SPIKE_HTTP_CLIENT_TIMEOUT', DEFAULT_SDK_TIMEOUT_MS, 1, 24 * 3_600_000)
        : positiveMs('timeoutMs', opts.timeoutMs);
    const connect = opts.connectTimeoutMs === undefined ? DEFAULT_SDK_CONNECT_TIMEOUT_MS : positiveMs('connectTimeoutMs', opts.connectTimeoutMs);
    return {
      nexusUrls,
      endpointSocket: opts.endpointSocket ?? spiffe.endpointSocket,
      sourceTimeoutMs: opts.sourceTimeoutMs === undefined ? spiffe.sourceTimeoutMs : positiveMs('sourceTimeoutMs', opts.sourceTimeoutMs),
      nexusTrustRoots: opts.nexusTrustRoots === undefined ? readTrustRootList(env, 'SPIKE_TRUST_ROOT_NEXUS') : trustRootsFrom(opts.nexusTrustRoots),
      timeoutMs,
      connectTimeoutMs: nexusUrls.length > 1 ? Math.min(connect, timeoutMs) : undefined,
    };
  } catch (e) {
    if (e instanceof ConfigError) {
      const which =
        opts.nexusUrl !== undefined && e.variable === 'SPIKE_NEXUS_API_URL'
          ? 'nexusUrl'
          : opts.nexusTrustRoots !== undefined && e.variable === 'SPIKE_TRUST_ROOT_NEXUS'
            ? 'nexusTrustRoots'
            : e.variable;
      throw new RangeError(`SpikeClient: ${which}${e.message.slice(e.variable.length)}`, { cause: e });
    }
    throw e;
  }
}
