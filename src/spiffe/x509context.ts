// What both Workload API clients share (X509Source over grpc-js, the one-shot
// fetch over node:http2): the error type, the backoff settings and the
// parsing of one X509SVIDResponse into verified SVIDs and bundles, plus
// X509SvidSource, the read side of a source that mTLS options need.
// No grpc-js here: short-lived CLIs load this module.
import { X509Bundle, X509BundleSet, type BundleSource } from './bundle.js';
import { parseTrustDomain } from './id.js';
import type { X509SvidResponseMessage } from './proto.js';
import { parseX509Svid, type X509Svid } from './x509svid.js';

/**
 * Why no X.509-SVID could be had, for a caller that explains it in its own
 * words (the one-shot fetch sets it on every error; X509Source leaves it unset):
 * - `no_socket`: the unix socket path does not exist (ENOENT, ENOTDIR);
 * - `not_a_socket`: the path exists but is not a socket (a plain file, a directory);
 * - `refused`: nothing accepts connections there (a stale socket file, a closed TCP port);
 * - `access_denied`: the OS refused access to the socket path (EACCES, EPERM);
 * - `permission_denied`: the Workload API answered that it has no identity for this workload;
 * - `unavailable`: the connection or the call failed some other way (closed, reset, a server error);
 * - `bad_response`: the answer is not a valid X509SVIDResponse;
 * - `rejected`: the Workload API refused the request itself (invalid, not implemented): final;
 * - `timeout`: the Workload API accepted the connection but never answered in time;
 * - `aborted`: the caller's signal aborted;
 * - `bad_options`: the caller passed invalid options.
 */
export type WorkloadApiErrorKind =
  | 'no_socket'
  | 'not_a_socket'
  | 'refused'
  | 'access_denied'
  | 'permission_denied'
  | 'unavailable'
  | 'bad_response'
  | 'rejected'
  | 'timeout'
  | 'aborted'
  | 'bad_options';

/** Kinds that mean the Workload API could not be reached at all (no agent there). */
export const UNREACHABLE_KINDS: ReadonlySet<WorkloadApiErrorKind> = new Set(['no_socket', 'not_a_socket', 'refused', 'access_denied']);

export interface WorkloadApiErrorDetails {
  /** The classification (see WorkloadApiErrorKind). */
  kind?: WorkloadApiErrorKind;
  /** What failed, in plain words, without the address and without gRPC status names. */
  reason?: string;
}

export class WorkloadApiError extends Error {
  override readonly name = 'WorkloadApiError';
  readonly kind: WorkloadApiErrorKind | undefined;
  readonly reason: string | undefined;
  constructor(
    message: string,
    /** gRPC status code when the error came from the server. */
    readonly code?: number,
    details: WorkloadApiErrorDetails = {},
  ) {
    super(message);
    this.kind = details.kind;
    this.reason = details.reason;
  }
}

export interface BackoffOptions {
  /** Added per consecutive failure (go-spiffe: 1 s). */
  stepMs: number;
  /** Upper bound (go-spiffe: 30 s). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { stepMs: 1000, maxMs: 30_000 };

/** The parsed content of one X509SVIDResponse. */
export interface X509Context {
  svids: X509Svid[];
  bundles: X509BundleSet;
}

export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  if (ms > 1000) return `${(ms / 1000).toFixed(1)}s`;
  return `${ms}ms`;
}

function isEmpty(b: Uint8Array | undefined): boolean {
  return b === undefined || b.length === 0;
}

/**
 * Parses one X509SVIDResponse (go-spiffe parseX509Context): at least one
 * SVID; every SVID's mandatory fields set and its certificate/key valid; a
 * repeated non-empty hint is skipped; bundles from each SVID (keyed by its
 * trust domain) plus `federated_bundles` (keys `spiffe://td` or bare `td`).
 * Throws WorkloadApiError; never includes key material in messages. Zeroes
 * the private-key bytes of the message.
 */
export function parseX509SvidResponse(msg: X509SvidResponseMessage): X509Context {
  const raw = msg.svids ?? [];
  try {
    if (raw.length === 0) throw new WorkloadApiError('invalid X509SVIDResponse: no SVIDs in response');
    const svids: X509Svid[] = [];
    const bundles = new X509BundleSet();
    const hints = new Set<string>();
    raw.forEach((s, i) => {
      const what = `invalid X509SVIDResponse: svids[${i}]`;
      if (!s.spiffe_id) throw new WorkloadApiError(`${what}: spiffe_id is missing`);
      if (isEmpty(s.x509_svid)) throw new WorkloadApiError(`${what}: x509_svid is missing`);
      if (isEmpty(s.x509_svid_key)) throw new WorkloadApiError(`${what}: x509_svid_key is missing`);
      const hint = s.hint ?? '';
      if (hint !== '' && hints.has(hint)) return;
      if (hint !== '') hints.add(hint);
      let svid: X509Svid;
      try {
        svid = parseX509Svid(s.x509_svid as Uint8Array, s.x509_svid_key as Uint8Array, s.spiffe_id, hint);
        bundles.set(X509Bundle.fromDer(svid.id.trustDomain, s.bundle ?? new Uint8Array()));
      } catch (e) {
        throw new WorkloadApiError(`${what}: ${(e as Error).message}`);
      }
      svids.push(svid);
    });
    for (const [key, der] of Object.entries(msg.federated_bundles ?? {})) {
      let td: string;
      try {
        td = parseTrustDomain(key);
      } catch (e) {
        throw new WorkloadApiError(`invalid X509SVIDResponse: federated bundle key: ${(e as Error).message}`);
      }
      if (bundles.has(td)) continue; // our own trust domain's bundle comes from the SVID entry
      try {
        bundles.set(X509Bundle.fromDer(td, der));
      } catch (e) {
        throw new WorkloadApiError(`invalid X509SVIDResponse: ${(e as Error).message}`);
      }
    }
    return { svids, bundles };
  } finally {
    for (const s of raw) s.x509_svid_key?.fill(0);
  }
}


/** What mTLS options need from a source: the current SVID and bundles. */
export interface X509SvidSource extends BundleSource {
  getX509Svid(): X509Svid;
  getBundles(): X509BundleSet;
}

/** A source that never changes: one fetched X509Context (short-lived CLIs). */
export class StaticX509Source implements X509SvidSource {
  readonly #svid: X509Svid;
  readonly #svids: X509Svid[];
  readonly #bundles: X509BundleSet;

  /** `picker` chooses among several SVIDs (default: the first, as the spec says). */
  constructor(ctx: X509Context, picker: (svids: readonly X509Svid[]) => X509Svid = (s) => s[0] as X509Svid) {
    const svid = picker(ctx.svids);
    if (svid === undefined) throw new WorkloadApiError('invalid X509SVIDResponse: the picker chose no SVID');
    this.#svid = svid;
    this.#svids = [...ctx.svids];
    this.#bundles = ctx.bundles;
  }

  getX509Svid(): X509Svid {
    return this.#svid;
  }

  getX509Svids(): X509Svid[] {
    return [...this.#svids];
  }

  getBundles(): X509BundleSet {
    return this.#bundles;
  }

  getX509BundleForTrustDomain(td: string): X509Bundle | undefined {
    return this.#bundles.getX509BundleForTrustDomain(td);
  }
}
