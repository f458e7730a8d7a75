// When may the client send a request a second time? A request that reached
// the server must not be repeated unless repeating it changes nothing: a
// second `secret put` would create an extra secret version, a second
// `restore` would submit a shard twice. So:
//   - idempotent routes (reads, the Keeper's overwrite, stateless Nexus
//     calls) ride on pooled keep-alive connections and are re-sent once when
//     a reused connection turns out dead (the server closed it while idle);
//   - every other request gets a connection of its own (so it never meets a
//     stale pooled one) and is re-sent only when provably none of it was
//     handed to the socket.
import { KEEPER_ROUTES, NEXUS_ROUTES, type KeeperRouteName, type NexusRouteName, type Route } from '../protocol/paths.js';

/** Routes whose repetition leaves the server as one call would (reads; contribute overwrites the same shard). */
export const IDEMPOTENT_ROUTES: ReadonlySet<NexusRouteName | KeeperRouteName> = new Set<NexusRouteName | KeeperRouteName>([
  'secretGet',
  'secretList',
  'secretMetadataGet',
  'policyGet',
  'policyList',
  'cipherEncrypt',
  'cipherDecrypt',
  'operatorRecover',
  'operatorStatus',
  'bootstrapVerify',
  'keeperShard',
  'keeperContribute',
]);

const ROUTES: readonly Route<NexusRouteName | KeeperRouteName>[] = [...NEXUS_ROUTES, ...KEEPER_ROUTES];

/**
 * Whether `url` targets an idempotent SPIKE route: its path ends with the
 * route's path (a base URL may carry a prefix, see `urlFor`) and its
 * `action` is the route's. Unknown targets are not idempotent.
 */
export function isIdempotentUrl(url: URL): boolean {
  const action = url.searchParams.get('action') ?? '';
  return ROUTES.some((r) => IDEMPOTENT_ROUTES.has(r.name) && r.action === action && url.pathname.endsWith(r.path));
}

/** Errors of a pooled connection the server closed while it was idle. */
const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

export interface FailedAttempt {
  /** The request went out on a pooled keep-alive connection (`ClientRequest.reusedSocket`). */
  reusedSocket: boolean;
  /** Node error code of the failure. */
  code: string | undefined;
  /** Bytes of this request handed to the socket before it failed (Infinity when unknown). */
  requestBytesSent: number;
  /** Any part of an answer arrived. */
  answered: boolean;
  idempotent: boolean;
}

/** Whether a failed first attempt may be sent once more. */
export function mayResend(f: FailedAttempt): boolean {
  if (f.answered || !f.reusedSocket || f.code === undefined || !STALE_CONNECTION_CODES.has(f.code)) return false;
  return f.idempotent || f.requestBytesSent === 0;
}
