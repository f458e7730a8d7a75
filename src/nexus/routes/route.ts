// The shape of a Nexus route (upstream SPIKE style: guard + handler) and the
// dependencies routes share.
import type { NexusRouteName } from '../../protocol/paths.js';
import type { TrustRoots, ShamirConfig } from '../../protocol/config/shared.js';
import type { NexusBackend } from '../../protocol/config/nexus.js';
import { isWellFormedPeerId } from '../../protocol/roles.js';
import type { Logger } from '../../common/log.js';
import type { NexusState } from '../state/nexus-state.js';
import type { RestoreCollector } from '../restore/collector.js';
import type { RateLimiter } from '../restore/rate-limit.js';

export interface RouteRequest {
  /** The raw body (undefined when none was sent). The app zeroes it after the route returns. */
  body: Buffer | undefined;
  /** The verified SPIFFE ID of the TLS peer, if any. */
  peerId: string | undefined;
}

export interface Reply {
  status: number;
  body: string | Buffer;
  /** The body holds secrets: the app zeroes the Buffer once it is written. */
  secret?: boolean;
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
  maxCiphertextSize: number;
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
