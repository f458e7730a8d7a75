// SPIFFE IDs and trust domains (SPIFFE-ID.md §2), as strict as go-spiffe:
// literal lowercase `spiffe://`, trust domain [a-z0-9._-] (≤ 255 bytes),
// path segments [a-zA-Z0-9._-] with no empty, `.` or `..` segment, no
// trailing `/`, no percent-encoding, query, fragment, port or userinfo,
// ≤ 2048 bytes in all. One tiny import only: the CLI loads this on its fast path.
import { quoteForMessage } from '../util/quote-for-message.js';

export const SPIFFE_SCHEME_PREFIX = 'spiffe://';
export const MAX_SPIFFE_ID_LENGTH = 2048;
export const MAX_TRUST_DOMAIN_LENGTH = 255;

export class SpiffeIdError extends Error {
  override readonly name = 'SpiffeIdError';
}

const TD_CHARS = /^[a-z0-9._-]+$/;
const SEGMENT_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Shows a bad input in an error message: quoted (line breaks, controls and bidi characters escaped), and cut short if long. */
function show(s: string): string {
  return quoteForMessage(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function checkTrustDomain(td: string, whole: string, what = 'SPIFFE ID'): void {
  if (td === '') throw new SpiffeIdError(`invalid ${what} ${show(whole)}: trust domain is missing`);
  if (td.length > MAX_TRUST_DOMAIN_LENGTH) {
    throw new SpiffeIdError(`invalid ${what} ${show(whole)}: trust domain longer than ${MAX_TRUST_DOMAIN_LENGTH} bytes`);
  }
  if (!TD_CHARS.test(td)) {
    throw new SpiffeIdError(
      `invalid ${what} ${show(whole)}: trust domain may only contain lowercase letters, digits, '.', '-' and '_'`,
    );
  }
}

function checkPath(path: string, whole: string): void {
  if (path === '') return;
  if (!path.startsWith('/')) throw new SpiffeIdError(`invalid SPIFFE ID ${show(whole)}: path must start with '/'`);
  for (const seg of path.slice(1).split('/')) {
    if (seg === '') throw new SpiffeIdError(`invalid SPIFFE ID ${show(whole)}: path has an empty segment or a trailing '/'`);
    if (seg === '.' || seg === '..') {
      throw new SpiffeIdError(`invalid SPIFFE ID ${show(whole)}: path segments '.' and '..' are not allowed`);
    }
    if (!SEGMENT_CHARS.test(seg)) {
      throw new SpiffeIdError(
        `invalid SPIFFE ID ${show(whole)}: path segments may only contain letters, digits, '.', '-' and '_'`,
      );
    }
  }
}

export class SpiffeId {
  /** Use `parseSpiffeId` or `SpiffeId.fromParts`; the constructor trusts its input. */
  private constructor(
    readonly trustDomain: string,
    readonly path: string,
  ) {}

  /** Builds an ID from a trust domain name and a path (`''` or `/a/b`), validating both. */
  static fromParts(trustDomain: string, path: string): SpiffeId {
    const whole = `${SPIFFE_SCHEME_PREFIX}${trustDomain}${path}`;
    checkTrustDomain(trustDomain, whole);
    checkPath(path, whole);
    if (whole.length > MAX_SPIFFE_ID_LENGTH) {
      throw new SpiffeIdError(`invalid SPIFFE ID ${show(whole)}: longer than ${MAX_SPIFFE_ID_LENGTH} bytes`);
    }
    return new SpiffeId(trustDomain, path);
  }

  toString(): string {
    return `${SPIFFE_SCHEME_PREFIX}${this.trustDomain}${this.path}`;
  }

  equals(o: SpiffeId | string): boolean {
    return this.toString() === (typeof o === 'string' ? o : o.toString());
  }

  /** True when this ID belongs to the trust domain (`td` or `spiffe://td`). */
  memberOf(td: string): boolean {
    return this.trustDomain === parseTrustDomain(td);
  }

  /** True for the trust domain's own ID (`spiffe://td`, no path). */
  isTrustDomainId(): boolean {
    return this.path === '';
  }
}

/** Parses and validates a SPIFFE ID string; throws `SpiffeIdError` with a one-line reason. */
export function parseSpiffeId(s: string): SpiffeId {
  if (typeof s !== 'string' || s === '') throw new SpiffeIdError('invalid SPIFFE ID: empty');
  // Byte length: every allowed character is ASCII, so a non-ASCII string fails the charset checks anyway.
  if (s.length > MAX_SPIFFE_ID_LENGTH) {
    throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: longer than ${MAX_SPIFFE_ID_LENGTH} bytes`);
  }
  if (!s.startsWith(SPIFFE_SCHEME_PREFIX)) {
    throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: must start with 'spiffe://' (lowercase)`);
  }
  const rest = s.slice(SPIFFE_SCHEME_PREFIX.length);
  if (/[?#]/.test(rest)) throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: query and fragment are not allowed`);
  if (rest.includes('%')) throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: percent-encoding is not allowed`);
  const slash = rest.indexOf('/');
  const td = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (td.includes('@')) throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: userinfo is not allowed`);
  if (td.includes(':')) throw new SpiffeIdError(`invalid SPIFFE ID ${show(s)}: a port is not allowed`);
  return SpiffeId.fromParts(td, path);
}

/**
 * A trust domain name from `td` or from any valid SPIFFE ID, `spiffe://td` or
 * `spiffe://td/path` (as go-spiffe's TrustDomainFromString: the ID is fully
 * validated, its path dropped); throws `SpiffeIdError`.
 */
export function parseTrustDomain(s: string): string {
  if (typeof s !== 'string' || s === '') throw new SpiffeIdError('invalid trust domain: empty');
  if (s.includes(':/') || s.startsWith('spiffe:') || s.includes('/')) {
    return parseSpiffeId(s).trustDomain;
  }
  checkTrustDomain(s, s, 'trust domain');
  return s;
}

/** The trust domain's own ID, `spiffe://td`. */
export function trustDomainId(td: string): SpiffeId {
  return SpiffeId.fromParts(parseTrustDomain(td), '');
}

/** True when `s` is a valid SPIFFE ID (no throw). */
export function isValidSpiffeId(s: string): boolean {
  try {
    parseSpiffeId(s);
    return true;
  } catch {
    return false;
  }
}
