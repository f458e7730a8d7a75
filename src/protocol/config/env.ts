// The only module that reads process.env. Everything else receives an `Env`
// (a plain record) so that tests can pass their own. Each parser validates and
// throws ConfigError with one line naming the variable; values are never
// echoed for variables that could hold secrets (none of SPIKE's do).
import { homedir } from 'node:os';
import { parseGoDuration } from '../../gocompat/duration.js';
import { quoteForMessage } from '../../util/quote-for-message.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** The process environment, frozen at first use. */
export function processEnv(): Env {
  return process.env;
}

/** A trimmed non-empty value, or undefined when unset or blank. */
export function readString(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A decimal integer within [min, max]; anything else is an error (upstream silently falls back; we don't). */
export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = readString(env, name);
  if (v === undefined) return fallback;
  if (!/^[0-9]+$/.test(v)) throw new ConfigError(name, `must be a whole number, got ${quoteForMessage(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${v}`);
  }
  return n;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const v = readString(env, name);
  if (v === undefined) return fallback;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1' || l === 'yes') return true;
  if (l === 'false' || l === '0' || l === 'no') return false;
  throw new ConfigError(name, `must be true or false, got ${quoteForMessage(v)}`);
}

export function readEnum<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const v = readString(env, name);
  if (v === undefined) return fallback;
  const l = v.toLowerCase();
  const hit = allowed.find((a) => a === l);
  if (hit === undefined) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${quoteForMessage(v)}`);
  return hit;
}

/** A Go duration (time.ParseDuration syntax: "30s", "1h30m", "500ms") in [minMs, maxMs], returned in milliseconds. */
export function readDuration(env: Env, name: string, fallbackMs: number, minMs: number, maxMs: number): number {
  const v = readString(env, name);
  if (v === undefined) return fallbackMs;
  let ms: number;
  try {
    ms = Number(parseGoDuration(v)) / 1e6;
  } catch {
    throw new ConfigError(name, `must be a duration such as 30s, 5m or 1h, got ${quoteForMessage(v)}`);
  }
  if (ms < minMs || ms > maxMs) {
    throw new ConfigError(name, `must be between ${fmtMs(minMs)} and ${fmtMs(maxMs)}, got ${v}`);
  }
  return ms;
}

function fmtMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** An https URL with a host (what upstream accepts for Nexus and Keeper URLs). */
export function parseHttpsUrl(name: string, raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `invalid URL ${quoteForMessage(raw)}`);
  }
  if (u.protocol !== 'https:' || u.hostname === '') {
    throw new ConfigError(name, `must be an https:// URL with a host, got ${quoteForMessage(raw)}`);
  }
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    // A password in the URL is a secret: the message shows the parsed URL with it replaced by ***.
    let shown = raw;
    if (u.password !== '') {
      const redacted = new URL(u.href);
      redacted.password = '***';
      shown = redacted.href;
    }
    throw new ConfigError(name, `must not contain credentials, query or fragment: ${quoteForMessage(shown)}`);
  }
  return u;
}

export interface ListenAddress {
  /** undefined = all interfaces (Go's ":8553"). */
  host: string | undefined;
  port: number;
}

/** Go listen-address syntax: ":8553", "127.0.0.1:8553", "[::1]:8553". Port 0 = any free port. */
export function readListenAddress(env: Env, name: string, fallback: string): ListenAddress {
  const v = readString(env, name) ?? fallback;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([a-zA-Z0-9.-]*))?:([0-9]{1,5})$/.exec(v);
  if (!m) throw new ConfigError(name, `must be a listen address such as :8553 or 127.0.0.1:8553, got ${quoteForMessage(v)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(name, `port out of range: ${v}`);
  const host = m[1] ?? (m[2] === '' ? undefined : m[2]);
  return { host, port };
}

/** A comma-separated list of trust domains, each trimmed (upstream SPIKE_TRUST_ROOT_* semantics, empty items refused). */
export function readTrustRootList(env: Env, name: string): readonly string[] {
  const v = readString(env, name);
  if (v === undefined) return ['spike.ist'];
  const items = v.split(',').map((s) => s.trim());
  for (const td of items) {
    if (!/^[a-z0-9._-]+$/.test(td) || td.length > 255) {
      throw new ConfigError(name, `invalid trust domain ${quoteForMessage(td)} (lowercase letters, digits, '.', '_', '-')`);
    }
  }
  return Object.freeze(items);
}

/** The user's home directory, or undefined when it cannot be determined. */
export function homeDir(env: Env): string | undefined {
  const h = readString(env, 'HOME');
  if (h !== undefined) return h;
  try {
    const d = homedir();
    return d === '' ? undefined : d;
  } catch {
    return undefined;
  }
}

export function userName(env: Env): string {
  return readString(env, 'USER') ?? 'spike';
}
