// Authorizers decide whether an authenticated peer SPIFFE ID may talk to us
// (go-spiffe spiffetls/tlsconfig/authorizer.go). Each throws
// `AuthorizationError` to refuse; returning means yes.
import { parseSpiffeId, parseTrustDomain, type SpiffeId } from './id.js';

export class AuthorizationError extends Error {
  override readonly name = 'AuthorizationError';
  /** What was expected (kept out of the message, which is exactly "unauthorized SPIFFE ID: '<id>'"). */
  readonly reason: string;
  constructor(
    readonly id: string,
    reason = '',
  ) {
    super(`unauthorized SPIFFE ID: '${id}'`);
    this.reason = reason;
  }
}

export type Authorizer = (id: SpiffeId) => void;

/** Any authenticated SPIFFE ID. */
export function authorizeAny(): Authorizer {
  return () => {};
}

/** Exactly this ID. */
export function authorizeId(allowed: SpiffeId | string): Authorizer {
  const want = typeof allowed === 'string' ? parseSpiffeId(allowed).toString() : allowed.toString();
  return (id) => {
    if (id.toString() !== want) throw new AuthorizationError(id.toString(), `expected '${want}'`);
  };
}

/** One of these IDs. */
export function authorizeOneOf(...allowed: (SpiffeId | string)[]): Authorizer {
  const set = new Set(allowed.map((a) => (typeof a === 'string' ? parseSpiffeId(a).toString() : a.toString())));
  return (id) => {
    if (!set.has(id.toString())) throw new AuthorizationError(id.toString(), 'not in the allowed list');
  };
}

/** Any ID of this trust domain (`td` or `spiffe://td`). */
export function authorizeMemberOf(td: string): Authorizer {
  const want = parseTrustDomain(td);
  return (id) => {
    if (id.trustDomain !== want) throw new AuthorizationError(id.toString(), `not a member of trust domain '${want}'`);
  };
}

/** IDs for which `predicate(id string)` is true; `description` says what is expected, for the error. */
export function authorizeIf(predicate: (id: string) => boolean, description: string): Authorizer {
  return (id) => {
    let ok: boolean;
    try {
      ok = predicate(id.toString());
    } catch {
      ok = false;
    }
    if (!ok) throw new AuthorizationError(id.toString(), `expected ${description}`);
  };
}
