// A pg Pool from a PostgresConfig, and one-line errors for what goes wrong
// when connecting (bad URL, unreachable server, refused password, missing
// database, TLS). No message ever holds the password, or the URL as given
// (it may carry one): only `target`, "user@host:port/database".
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { StoreError } from '../errors.js';

/** What Nexus passes to connectPostgres (parsed from its env in src/nexus/config.ts). */
export interface PostgresConfig {
  /**
   * postgres:// or postgresql:// URL. A unix socket: `postgresql://user@/db?host=/run/postgresql`.
   * TLS by `sslmode` (disable — the default —, require, verify-ca, verify-full) with
   * `sslrootcert`, `sslcert`, `sslkey` file paths, as libpq reads them.
   */
  readonly url: string;
  /** The password (SPIKE_NEXUS_DATABASE_PASSWORD_FILE); wins over one in the URL. */
  readonly password?: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Time to establish one connection, TLS and authentication included (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for one query's answer (default 30 000 ms): a database that
   * stops answering fails the request (StoreError 'io') instead of holding it
   * forever; the connection is then dropped, not reused.
   */
  readonly queryTimeoutMs?: number;
  /** Shown in pg_stat_activity (default "spike-nexus"). */
  readonly applicationName?: string;
}

export type PostgresConnectFailure = 'bad_url' | 'unreachable' | 'auth' | 'no_database' | 'tls' | 'schema' | 'other';

/** Connecting failed; `reason` says why, the message says it in one line. */
export class PostgresConnectError extends StoreError {
  override readonly name = 'PostgresConnectError';
  constructor(
    readonly reason: PostgresConnectFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason === 'bad_url' ? 'invalid_input' : 'io', message, options);
  }
}

export interface PoolSettings {
  readonly pool: pg.PoolConfig;
  /** "user@host:port/database" (or "user@/database via socket dir"), never the password. */
  readonly target: string;
}

const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];
/** URL query parameters we read; anything else is refused (a typo would silently weaken TLS). */
const KNOWN_PARAMS = new Set(['host', 'port', 'user', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'connect_timeout']);

function badUrl(why: string): PostgresConnectError {
  return new PostgresConnectError('bad_url', `SPIKE_NEXUS_DATABASE_URL: ${why}`);
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badUrl(`the ${what} is not valid percent-encoding`);
  }
}

function readPem(path: string, param: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PostgresConnectError('tls', `cannot read the ${param} file ${path} (${code})`);
  }
}

function positiveInt(n: number | undefined, fallback: number, what: string): number {
  if (n === undefined) return fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError('invalid_input', `${what} must be a positive integer`);
  return n;
}

function sslOptions(mode: SslMode, params: URLSearchParams, host: string): ConnectionOptions | false {
  if (mode === 'disable') {
    for (const p of ['sslrootcert', 'sslcert', 'sslkey']) {
      if (params.has(p)) throw badUrl(`${p} needs sslmode=require, verify-ca or verify-full`);
    }
    return false;
  }
  const opts: ConnectionOptions = {};
  const rootcert = params.get('sslrootcert');
  const cert = params.get('sslcert');
  const key = params.get('sslkey');
  if ((cert === null) !== (key === null)) throw badUrl('sslcert and sslkey go together');
  if (cert !== null && key !== null) {
    opts.cert = readPem(cert, 'sslcert');
    opts.key = readPem(key, 'sslkey');
  }
  if (rootcert !== null) opts.ca = readPem(rootcert, 'sslrootcert');
  if (mode === 'require' && rootcert === null) {
    // libpq: encrypted, server not verified (as libpq does without a root certificate).
    opts.rejectUnauthorized = false;
  } else if (mode === 'require' || mode === 'verify-ca') {
    if (rootcert === null) throw badUrl('sslmode=verify-ca needs sslrootcert (the CA that signed the server certificate)');
    opts.rejectUnauthorized = true;
    opts.checkServerIdentity = () => undefined;
  } else {
    opts.rejectUnauthorized = true;
    opts.servername = host;
  }
  return opts;
}

/** Parses and checks `cfg` (reading TLS files); throws PostgresConnectError 'bad_url' / 'tls'. */
export function poolSettings(cfg: PostgresConfig): PoolSettings {
  if (typeof cfg !== 'object' || cfg === null || typeof cfg.url !== 'string' || cfg.url === '') throw badUrl('not set');
  if (cfg.password !== undefined && typeof cfg.password !== 'string') throw new StoreError('invalid_input', 'the database password must be a string');
  let url: URL;
  try {
    // A socket URL has no host ("user@/db"); give WHATWG URL one to parse, as pg does.
    url = new URL(cfg.url.replace(/^(postgres(?:ql)?:\/\/(?:[^/?#]*@)?)(\/)/i, '$1localhost-socket$2'));
  } catch {
    throw badUrl('not a valid URL (expected postgres://user@host:port/database or postgresql://user@/database?host=/socket/dir)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw badUrl(`the scheme must be postgres:// or postgresql://, not ${url.protocol}//`);
  }
  for (const name of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(name)) throw badUrl(`unknown parameter "${name}" (known: ${[...KNOWN_PARAMS].join(', ')})`);
  }
  const params = url.searchParams;
  const socketHost = params.get('host');
  const urlHost = url.hostname === 'localhost-socket' ? '' : decode(url.hostname, 'host').replace(/^\[(.*)\]$/, '$1');
  const host = socketHost ?? urlHost;
  if (host === '') throw badUrl('no host (give host:port, or ?host=/socket/dir for a unix socket)');
  const portText = params.get('port') ?? url.port;
  const port = portText === '' ? 5432 : Number(portText);
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) throw badUrl('the port must be 1-65535');
  const user = params.get('user') ?? decode(url.username, 'user name');
  if (user === '') throw badUrl('no user name (postgres://USER@host/database)');
  const database = params.get('dbname') ?? decode(url.pathname.replace(/^\//, ''), 'database name');
  if (database === '' || database.includes('/')) throw badUrl('no database name (postgres://user@host/DATABASE)');
  const urlPassword = url.password === '' ? undefined : decode(url.password, 'password');
  const password = cfg.password ?? urlPassword;
  const modeText = params.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(modeText)) {
    throw badUrl(`sslmode=${modeText} is not supported (use ${SSL_MODES.join(', ')})`);
  }
  const isSocket = host.startsWith('/');
  if (isSocket && modeText !== 'disable') throw badUrl('TLS (sslmode) over a unix socket is not supported');
  let connectTimeout = positiveInt(cfg.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
  const ct = params.get('connect_timeout');
  if (ct !== null) {
    const s = Number(ct);
    if (!Number.isSafeInteger(s) || s < 1) throw badUrl('connect_timeout must be a positive number of seconds');
    connectTimeout = s * 1000;
  }
  const ssl = sslOptions(modeText as SslMode, params, host);
  const target = isSocket ? `${user}@/${database} (socket in ${host})` : `${user}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
  return {
    target,
    pool: {
      host,
      port,
      user,
      database,
      ...(password === undefined ? {} : { password }),
      ssl,
      max: positiveInt(cfg.maxConnections, DEFAULT_MAX_CONNECTIONS, 'maxConnections'),
      connectionTimeoutMillis: connectTimeout,
      query_timeout: positiveInt(cfg.queryTimeoutMs, DEFAULT_QUERY_TIMEOUT_MS, 'queryTimeoutMs'),
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: params.get('application_name') ?? cfg.applicationName ?? 'spike-nexus',
    },
  };
}

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** The first line of an error's message, with its SQLSTATE or system code. */
export function pgErrorSummary(e: unknown): string {
  const code = codeOf(e);
  const msg = messageOf(e);
  return code === undefined ? msg : `${msg} (${code})`;
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? '';
}

/** Node's certificate verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, …) and TLS/OpenSSL errors. */
const TLS_CODE = /CERT|SSL|TLS|^UNABLE_TO_|^INVALID_CA$|^INVALID_PURPOSE$|^PATH_LENGTH_EXCEEDED$|^HOSTNAME_MISMATCH$/;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EACCES']);

/** The one-line error for a failed first connection (or migration) to `target`. */
export function connectError(e: unknown, target: string, settings?: { readonly password?: unknown }): PostgresConnectError {
  if (e instanceof PostgresConnectError) return e;
  const code = codeOf(e);
  const msg = messageOf(e);
  const cause = { cause: e };
  if (code === '28P01') return new PostgresConnectError('auth', `PostgreSQL refused the password for ${target}`, cause);
  if (code === '28000') return new PostgresConnectError('auth', `PostgreSQL refused the connection to ${target}: ${msg}`, cause);
  if (code === '3D000') return new PostgresConnectError('no_database', `the database of ${target} does not exist (create it first)`, cause);
  if (code === '57P03') return new PostgresConnectError('unreachable', `PostgreSQL at ${target} is starting up or shutting down`, cause);
  if (code === '53300') return new PostgresConnectError('unreachable', `PostgreSQL at ${target} has no free connection slot`, cause);
  if (/client password must be a string|password authentication|no password/i.test(msg) && settings?.password === undefined) {
    return new PostgresConnectError('auth', `PostgreSQL asks for a password for ${target} and none was given (SPIKE_NEXUS_DATABASE_PASSWORD_FILE)`, cause);
  }
  if (code !== undefined && UNREACHABLE.has(code)) return new PostgresConnectError('unreachable', `cannot reach PostgreSQL at ${target} (${code})`, cause);
  if (/timeout/i.test(msg)) return new PostgresConnectError('unreachable', `cannot reach PostgreSQL at ${target} (timed out)`, cause);
  if (/does not support SSL/i.test(msg)) return new PostgresConnectError('tls', `PostgreSQL at ${target} does not accept TLS (sslmode asks for it)`, cause);
  if (code !== undefined && TLS_CODE.test(code)) {
    return new PostgresConnectError('tls', `TLS to PostgreSQL at ${target} failed (${code}): ${msg}`, cause);
  }
  if (/Connection terminated/i.test(msg)) return new PostgresConnectError('unreachable', `PostgreSQL at ${target} closed the connection (${msg})`, cause);
  return new PostgresConnectError('other', `cannot use PostgreSQL at ${target}: ${pgErrorSummary(e)}`, cause);
}

/** A pool that never crashes the process on an idle connection's error (server restart, network). */
export function createPool(settings: PoolSettings, onIdleError?: (e: Error) => void): pg.Pool {
  const pool = new pg.Pool(settings.pool);
  // Without a listener an idle client's error (the server went away) is an uncaught 'error' event.
  pool.on('error', (e) => onIdleError?.(e));
  return pool;
}
