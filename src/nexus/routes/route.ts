// The shape of a Nexus route (upstream SPIKE style: guard + handler) and the
// dependencies routes share.
import type { NexusRouteName } from '../../protocol/paths.js';
import type { TrustRoots, ShamirConfig } from '../../protocol/config/shared.js';
import type { NexusBackend } from '../config.js';
import { isWellFormedPeerId } from '../../protocol/roles.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { DecodeError, errorBodyFor } from '../../protocol/messages.js';
import type { Logger } from '../../common/log.js';
import type { NexusState } from '../state/nexus-state.js';
import type { CipherKeys } from '../cipher/keys.js';
import type { ReplicaSeen } from '../state/store-interface.js';
import type { RestoreCollector } from '../restore/collector.js';
import type { RateLimiter } from '../restore/rate-limit.js';
import type { RestoreForwarding } from '../restore/forward.js';
import type { PolicyIndex } from '../auth/policy-index.js';
import type { RotationProgress, StartResult } from '../rotation/engine.js';

/** What the routes need of the root-key rotation engine (rotate, status). */
export interface RotationControl {
  /** Begins a rotation for `caller`, or reports the one in progress. */
  start(caller: string): Promise<StartResult>;
  /** The rotation in progress, if any. */
  progress(): RotationProgress | undefined;
}

export interface RouteRequest {
  /** The raw body (undefined when none was sent). The app zeroes it after the route returns. */
  body: Buffer | undefined;
  /** The verified SPIFFE ID of the TLS peer, if any. */
  peerId: string | undefined;
  /** The forwarded-caller header (restore/forward-guard.ts); only the restore route reads it, and only from Nexus. */
  forwardedCaller?: string | string[];
  /** The Content-Type header as sent (the cipher routes' stream mode); undefined when none. */
  contentType?: string | undefined;
}

export interface Reply {
  status: number;
  body: string | Buffer;
  /** The body holds secrets: the app zeroes the Buffer once it is written. */
  secret?: boolean;
  /** Extra response headers (e.g. `retry-after`), set after the JSON headers; lower-case names. */
  headers?: Readonly<Record<string, string>>;
}

export interface NexusRoute {
  readonly name: NexusRouteName;
  /** The route's own BadRequest body (oversized or unreadable bodies). */
  badRequest(): string | Buffer;
  handle(req: RouteRequest): Promise<Reply>;
}

export interface RouteDeps {
  state: NexusState;
  backend: NexusBackend;
  roots: TrustRoots;
  shamir: ShamirConfig;
  log: Logger;
  collector: RestoreCollector;
  restoreLimiter: RateLimiter;
  /** Several replicas on one database: restore calls go through the collecting replica (absent: collect here). */
  restoreForward?: RestoreForwarding;
  maxCiphertextSize: number;
  /** The cipher routes' keys, made by nexus.ts so that it zeroes the memory backend's process key at close (absent: the routes make their own). */
  cipherKeys?: CipherKeys;
  /** Compiled policies of the open store (secret and policy routes). */
  policies: PolicyIndex;
  /** The root-key rotation (rotate and status routes). */
  rotation: RotationControl;
  /** This replica's name and the replicas seen recently (status route); absent: not reported. */
  replicas?: ReplicaInfo;
}

/** What the status route tells of the replicas (docs/postgres.md § Several replicas). */
export interface ReplicaInfo {
  /** The answering replica's name ('' until it is known). */
  name(): string;
  /** Replicas seen recently on the shared store; absent for a store one process holds. */
  list?: () => Promise<readonly ReplicaSeen[]>;
}

/** A guard either lets the request through (typed) or answers it. */
export type GuardResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

export const pass = <T>(value: T): GuardResult<T> => ({ ok: true, value });
export const refuse = (status: number, body: string | Buffer): GuardResult<never> => ({ ok: false, reply: { status, body } });

/** Upstream route guard: a well-formed peer SPIFFE ID that satisfies `predicate`. */
export function peerIs(
  peerId: string | undefined,
  predicate: (id: string, roots: readonly string[]) => boolean,
  roots: readonly string[],
): peerId is string {
  return peerId !== undefined && isWellFormedPeerId(peerId) && predicate(peerId, roots);
}

/**
 * Decodes a body with a messages.ts codec (Go encoding/json semantics);
 * malformed → 400 with the route's BadRequest() body. Parsing comes before
 * authorization, as upstream.
 */
export function decodeBody<T>(route: NexusRouteName, decode: (raw: unknown) => T, body: Buffer | undefined): GuardResult<T> {
  try {
    return pass(decode(body));
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, errorBodyFor(route, API_BAD_REQUEST));
    throw e;
  }
}

/** 401 with the route's Unauthorized() body, audit-logged. */
export function unauthorized(route: NexusRouteName, event: string, deps: RouteDeps, peerId: string | undefined, fields: Record<string, unknown>): GuardResult<never> {
  deps.log.audit(event, { caller: peerId ?? null, ...fields, outcome: 'unauthorized' });
  return refuse(401, errorBodyFor(route, ACCESS_UNAUTHORIZED));
}

/** 400 with the route's BadRequest() body. */
export const badRequest = (route: NexusRouteName): GuardResult<never> => refuse(400, errorBodyFor(route, API_BAD_REQUEST));
