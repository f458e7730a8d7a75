// The database of the postgres backend, from Nexus's environment:
//   SPIKE_NEXUS_DATABASE_URL            required: postgres://user@host:port/database or
//                                       postgresql://user@/database?host=/socket/dir;
//                                       TLS by the URL's sslmode (and sslrootcert, sslcert,
//                                       sslkey), as libpq reads them.
//   SPIKE_NEXUS_DATABASE_PASSWORD_FILE  optional: a file holding the password (read once, at
//                                       start; trailing line breaks dropped; wins over a
//                                       password in the URL).
// The password never appears in an error, a log line or the config's printed form:
// errors show the URL with its password replaced by `***`, the config keeps the URL
// without it, and the password is a non-enumerable property (JSON.stringify and
// util.inspect leave it out). It is handed to the store only (never on a command line).
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError, type Env, readString } from '../protocol/config/env.js';
import { escapeForMessage } from '../util/quote-for-message.js';

export const DATABASE_URL_VAR = 'SPIKE_NEXUS_DATABASE_URL';
export const DATABASE_PASSWORD_FILE_VAR = 'SPIKE_NEXUS_DATABASE_PASSWORD_FILE';
/** A longer password file is refused (a wrong path, e.g. a device or a log, must not be read whole). */
export const MAX_PASSWORD_FILE_BYTES = 4096;

export interface NexusDatabaseConfig {
  /** SPIKE_NEXUS_DATABASE_URL without a password: safe to show. */
  readonly url: string;
  /** From SPIKE_NEXUS_DATABASE_PASSWORD_FILE, else from the URL; undefined when neither gives one. Not enumerable. */
  readonly password?: string;
  /** Where the password came from (a start-up line may say so; never the password itself). */
  readonly passwordFrom: 'file' | 'url' | 'none';
}

const SCHEME = /^postgres(?:ql)?:\/\//i;
/** scheme://authority rest, the authority ending where the URL parser ends it (for a URL that parsed). */
const SPLIT = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/**
 * The URL as given with the password of its user-info (if any) replaced by `***`, for
 * error messages. Conservative: everything from the first ':' after the scheme to the
 * last '@' is hidden (a password may hold '/', '?' or '#' unencoded). A value that is
 * not scheme://… is not shown. Control, line-breaking and bidi characters are
 * escaped (escapeForMessage), so the result stays one line as it reads.
 */
export function redactDatabaseUrl(raw: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(raw);
  if (m === null) return '(not shown: not a URL)';
  const [, scheme = '', after = ''] = m;
  const at = after.lastIndexOf('@');
  const colon = after.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return escapeForMessage(raw);
  return escapeForMessage(`${scheme}${after.slice(0, colon)}:***${after.slice(at)}`);
}

/** Splits the URL into the URL without its password and the (percent-decoded) password. */
function splitPassword(raw: string): { url: string; password: string | undefined } {
  const m = SPLIT.exec(raw);
  if (m === null) return { url: raw, password: undefined };
  const [, scheme = '', authority = '', rest = ''] = m;
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : authority.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return { url: raw, password: undefined };
  let password: string;
  try {
    password = decodeURIComponent(userInfo.slice(colon + 1));
  } catch {
    throw new ConfigError(DATABASE_URL_VAR, `the password in the URL is not valid percent-encoding (${redactDatabaseUrl(raw)})`);
  }
  return { url: `${scheme}${userInfo.slice(0, colon)}${authority.slice(at)}${rest}`, password: password === '' ? undefined : password };
}

/** Checks the URL's shape (the store checks its parameters when it connects). */
function checkUrl(raw: string): void {
  const shown = redactDatabaseUrl(raw);
  if (!SCHEME.test(raw)) throw new ConfigError(DATABASE_URL_VAR, `must start with postgres:// or postgresql:// (${shown})`);
  let url: URL;
  try {
    // A unix-socket URL has no host ("user@/db?host=/dir"): give the parser one.
    url = new URL(raw.replace(/^(postgres(?:ql)?:\/\/(?:[^/?#]*@)?)(\/)/i, '$1localhost-socket$2'));
  } catch {
    throw new ConfigError(DATABASE_URL_VAR, `not a valid URL (${shown}); expected postgres://user@host:port/database`);
  }
  const socketDir = url.searchParams.get('host');
  if (url.hostname === 'localhost-socket' && (socketDir === null || socketDir === '')) {
    throw new ConfigError(DATABASE_URL_VAR, `no host (${shown}): give host:port, or ?host=/socket/dir for a unix socket`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.pathname);
  } catch {
    throw new ConfigError(DATABASE_URL_VAR, `not valid percent-encoding (${shown})`);
  }
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many symbolic links',
};

/** The password held in `path`: at most MAX_PASSWORD_FILE_BYTES of UTF-8, one line, trailing line breaks dropped. */
export function readPasswordFile(path: string): string {
  const fail = (why: string): never => {
    throw new ConfigError(DATABASE_PASSWORD_FILE_VAR, `${escapeForMessage(path)}: ${why}`);
  };
  const buf = Buffer.alloc(MAX_PASSWORD_FILE_BYTES + 1);
  let length = 0;
  try {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      for (;;) {
        const n = readSync(fd, buf, length, buf.length - length, null);
        if (n === 0) break;
        length += n;
        if (length === buf.length) break;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      fail(`cannot read it (${READ_ERRORS[code] ?? (code || 'unknown error')})`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (length > MAX_PASSWORD_FILE_BYTES) fail(`longer than ${MAX_PASSWORD_FILE_BYTES} bytes: not a password file`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, length));
    } catch {
      return fail('not UTF-8 text');
    }
    const password = text.replace(/[\r\n]+$/, '');
    if (password === '') fail('is empty');
    if (/[\r\n]/.test(password)) fail('holds more than one line');
    if (password.includes('\0')) fail('holds a NUL character');
    return password;
  } finally {
    buf.fill(0);
  }
}

/** SPIKE_NEXUS_DATABASE_URL and SPIKE_NEXUS_DATABASE_PASSWORD_FILE (the postgres backend); ConfigError for anything wrong. */
export function loadDatabaseConfig(env: Env): NexusDatabaseConfig {
  const raw = readString(env, DATABASE_URL_VAR);
  if (raw === undefined) throw new ConfigError(DATABASE_URL_VAR, 'must be set for the postgres backend (postgres://user@host:port/database)');
  checkUrl(raw);
  const { url, password: fromUrl } = splitPassword(raw);
  const file = readString(env, DATABASE_PASSWORD_FILE_VAR);
  const password = file === undefined ? fromUrl : readPasswordFile(file);
  const config: { url: string; passwordFrom: NexusDatabaseConfig['passwordFrom']; password?: string } = {
    url,
    passwordFrom: file !== undefined ? 'file' : fromUrl !== undefined ? 'url' : 'none',
  };
  if (password !== undefined) Object.defineProperty(config, 'password', { value: password, enumerable: false });
  return Object.freeze(config);
}
