// mTLS with Node's `tls` from an X509Source (go-spiffe spiffetls/tlsconfig).
// The peer is checked the SPIFFE way, never by hostname: its chain must lead
// to an authority of the bundle of the peer ID's own trust domain (Node's `ca`
// is one flat store, so OpenSSL's check alone would let trust domain B sign
// for A), the leaf must pass the X.509-SVID leaf checks, and the ID must pass
// the authorizer.
import { createHash, X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate, Server, TLSSocket, ConnectionOptions, TlsOptions, SecureContextOptions } from 'node:tls';
import type { Authorizer } from './authorizer.js';
import type { BundleSource } from './bundle.js';
import type { SpiffeId } from './id.js';
import { svidToTlsCredentials, verifyX509Svid, X509SvidError } from './x509svid.js';
import type { X509Source } from './workloadapi.js';
import type { X509SvidSource } from './x509context.js';

const MIN_VERSION = 'TLSv1.2' as const;
const MAX_PEER_CHAIN = 10;

/** Verified peer IDs, recorded on sockets that passed verification and authorization. */
const peerIds = new WeakMap<TLSSocket, SpiffeId>();

/** The validity window shared by every certificate of a verified peer chain (epoch ms). */
export interface PeerValidity {
  /** Latest notBefore of the chain. */
  readonly notBefore: number;
  /** Earliest notAfter of the chain. */
  readonly notAfter: number;
}

/** Validity windows of verified peers, by socket (checked again on every request). */
const peerValidity = new WeakMap<TLSSocket, PeerValidity>();

/** The window in which every certificate of `chain` is valid. */
function chainValidity(chain: readonly Buffer[]): PeerValidity {
  let notBefore = -Infinity;
  let notAfter = Infinity;
  for (const der of chain) {
    const c = new X509Certificate(der);
    notBefore = Math.max(notBefore, Date.parse(c.validFrom));
    notAfter = Math.min(notAfter, Date.parse(c.validTo));
  }
  // An unparsable date gives NaN: treat the chain as never valid.
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) return { notBefore: Infinity, notAfter: -Infinity };
  return { notBefore, notAfter };
}

/**
 * The DER chain of a peer certificate as Node reports it (leaf first, then
 * the `issuerCertificate` links, which end at the trust-store root).
 */
export function peerCertificateChain(peer: PeerCertificate | DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cur: PeerCertificate | DetailedPeerCertificate | undefined = peer;
  while (cur !== undefined && cur.raw !== undefined && out.length < MAX_PEER_CHAIN) {
    const fp = cur.fingerprint256 ?? cur.raw.toString('base64');
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(cur.raw);
    cur = 'issuerCertificate' in cur ? cur.issuerCertificate : undefined;
  }
  return out;
}

/**
 * Verifies a connected TLS socket's peer: chain to the bundle of the peer's
 * trust domain, leaf checks, then `authorize`. Returns the peer ID and the
 * verified chain; throws `X509SvidError` or `AuthorizationError`.
 * `extraIntermediates` are candidate intermediates to try besides the ones
 * Node reports (see attachMtlsServer).
 */
function verifyPeerSocketChain(
  socket: TLSSocket,
  bundles: BundleSource,
  authorize: Authorizer,
  extraIntermediates: readonly Buffer[],
): { id: SpiffeId; chain: Buffer[] } {
  const peer = socket.getPeerCertificate(true);
  if (peer === null || peer === undefined || peer.raw === undefined) throw new X509SvidError('peer presented no certificate');
  const chain = peerCertificateChain(peer);
  const { id, verifiedChain } = verifyX509Svid([...chain, ...extraIntermediates], bundles);
  authorize(id);
  return { id, chain: verifiedChain.map((c) => c.raw) };
}

/**
 * Intermediates seen on full handshakes, by leaf fingerprint: on a resumed
 * session Node reports only the peer's leaf, so the path is rebuilt from
 * these and verified again against the current bundles. Bounded.
 */
class IntermediateCache {
  readonly #map = new Map<string, Buffer[]>();
  constructor(readonly max: number) {}
  get(leaf: Buffer): Buffer[] {
    return this.#map.get(leafKey(leaf)) ?? [];
  }
  remember(chain: Buffer[]): void {
    const [leaf, ...rest] = chain;
    if (leaf === undefined || rest.length < 2) return; // leaf + authority only: nothing to remember
    const key = leafKey(leaf);
    this.#map.delete(key);
    this.#map.set(key, rest.slice(0, -1)); // intermediates only; authorities come from the bundle
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }
}

function leafKey(leaf: Buffer): string {
  return createHash('sha256').update(leaf).digest('base64');
}

function credentials(source: X509SvidSource): SecureContextOptions {
  const { cert, key } = svidToTlsCredentials(source.getX509Svid());
  return { cert, key, ca: source.getBundles().allPems(), minVersion: MIN_VERSION };
}

/**
 * Client options for a plain `tls.connect` from the source's *current* SVID
 * and bundles: mTLS, chain check by OpenSSL against every bundle (as `ca`:
 * Node then builds its root certificate store; the SPIKE client avoids that
 * with `mtlsClientCredentials` + `verifyMtlsServer`), then in `checkServerIdentity` the
 * SPIFFE verification (bundle of the server's own trust domain) and the
 * authorizer, never a hostname check. Call it per connection so rotations are
 * picked up. Resumed sessions skip `checkServerIdentity`: do not pass a
 * `session`, and give https agents `maxCachedSessions: 0` (these options set
 * `session: undefined`, which also overrides an https.Agent's cached session).
 */
export function mtlsClientOptions(source: X509SvidSource, authorize: Authorizer): ConnectionOptions {
  const bundles = source.getBundles();
  return {
    ...credentials(source),
    rejectUnauthorized: true,
    session: undefined,
    checkServerIdentity: (_hostname: string, peer: PeerCertificate): Error | undefined => {
      try {
        const { id } = verifyX509Svid(peerCertificateChain(peer), bundles);
        authorize(id);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e : new X509SvidError('peer verification failed');
      }
    },
  };
}

/**
 * Client options that check NOTHING about the server by themselves: the
 * source's current SVID, `ca: []` (an empty list: Node adds no authority and
 * never builds its root certificate store, which costs a short-lived CLI
 * 20-30 ms of CPU on Node 20), `rejectUnauthorized: false` (OpenSSL's verdict,
 * always "unable to get issuer" without a CA, is ignored) and no session.
 * go-spiffe's MTLSClientConfig does the same (InsecureSkipVerify plus its
 * own verification): use them only through a connect that calls
 * `verifyMtlsServer` once the handshake is done and before the first byte
 * is written (src/client/transport.ts), never on their own.
 */
export function mtlsClientCredentials(source: X509SvidSource): ConnectionOptions {
  const { cert, key } = svidToTlsCredentials(source.getX509Svid());
  return { cert, key, ca: [], minVersion: MIN_VERSION, rejectUnauthorized: false, session: undefined };
}

/**
 * The SPIFFE check of a client's connected socket (the partner of
 * `mtlsClientCredentials`): the chain the server sent must lead to an
 * authority of the bundle of the server ID's own trust domain, the leaf must
 * pass the X.509-SVID leaf checks and every certificate be valid now
 * (`verifyX509Svid`), then the ID must pass `authorize`. A resumed session is
 * refused (its peer was never verified here). Returns the server's ID;
 * throws `X509SvidError` or `AuthorizationError`.
 */
export function verifyMtlsServer(socket: TLSSocket, bundles: BundleSource, authorize: Authorizer): SpiffeId {
  if (socket.isSessionReused()) throw new X509SvidError('resumed TLS session: the server was not verified');
  return verifyPeerSocketChain(socket, bundles, authorize, []).id;
}

/**
 * Server options: the current SVID, every bundle as `ca`, client certificates
 * required and checked by OpenSSL. Use with `attachMtlsServer`, which adds the
 * per-trust-domain check, the authorizer and rotation.
 */
export function mtlsServerOptions(source: X509SvidSource): TlsOptions {
  return { ...credentials(source), requestCert: true, rejectUnauthorized: true };
}

/** A connection refused because its peer already holds its share of connections. */
export class ConnectionLimitError extends Error {
  override readonly name = 'ConnectionLimitError';
  constructor(
    readonly peerId: string,
    readonly limit: number,
  ) {
    super(`peer ${peerId} already has ${limit} open connections`);
  }
}

export interface AttachOptions {
  /** Called for every refused connection (e.g. to log it); the socket is already destroyed. */
  onReject?: (err: Error, socket: TLSSocket) => void;
  /** At most this many open connections per verified peer SPIFFE ID (default: no cap); the next is refused with ConnectionLimitError. */
  maxConnectionsPerPeer?: number;
  /** Called when rotation could not be applied (the old context stays). */
  onRotationError?: (err: Error) => void;
}

/**
 * Verifies and authorizes the peer of every `secureConnection` (resumed
 * sessions included: the peer certificate is checked again each time),
 * destroying sockets that fail, and records the verified ID for
 * `peerSpiffeId`. Installs the source's new SVID/bundles with
 * `server.setSecureContext` on every update. Returns a detach function.
 */
export function attachMtlsServer(server: Server, source: X509Source, authorize: Authorizer, opts: AttachOptions = {}): () => void {
  const intermediates = new IntermediateCache(1024);
  const perPeerCap = opts.maxConnectionsPerPeer ?? Infinity;
  const openByPeer = new Map<string, number>();
  const onSecure = (socket: TLSSocket): void => {
    try {
      const peer = socket.getPeerCertificate(false);
      const extra = peer?.raw ? intermediates.get(peer.raw) : [];
      const { id, chain } = verifyPeerSocketChain(socket, source.getBundles(), authorize, extra);
      intermediates.remember(chain);
      const key = id.toString();
      const open = openByPeer.get(key) ?? 0;
      if (open >= perPeerCap) throw new ConnectionLimitError(key, perPeerCap);
      openByPeer.set(key, open + 1);
      socket.once('close', () => {
        const n = (openByPeer.get(key) ?? 1) - 1;
        if (n <= 0) openByPeer.delete(key);
        else openByPeer.set(key, n);
      });
      peerValidity.set(socket, chainValidity(chain));
      peerIds.set(socket, id);
    } catch (e) {
      peerIds.delete(socket);
      peerValidity.delete(socket);
      socket.destroy();
      try {
        opts.onReject?.(e instanceof Error ? e : new Error(String(e)), socket);
      } catch {
        // A failing callback must not take the server down.
      }
    }
  };
  const onUpdate = (): void => {
    try {
      server.setSecureContext(credentials(source));
    } catch (e) {
      try {
        opts.onRotationError?.(e instanceof Error ? e : new Error(String(e)));
      } catch {
        // ignore
      }
    }
  };
  // First in line: nothing (e.g. the HTTP parser) sees the socket before the check.
  server.prependListener('secureConnection', onSecure);
  source.on('update', onUpdate);
  return () => {
    server.off('secureConnection', onSecure);
    source.off('update', onUpdate);
  };
}

/**
 * The verified peer SPIFFE ID recorded by `attachMtlsServer`, or undefined
 * (also once a certificate of the peer's chain is outside its validity
 * window: a kept-alive connection does not outlive the certificate).
 */
export function peerSpiffeId(socket: TLSSocket, now: number = Date.now()): SpiffeId | undefined {
  const id = peerIds.get(socket);
  if (id === undefined || peerCertificateState(socket, now) !== 'valid') return undefined;
  return id;
}

/**
 * Whether the verified peer chain of `socket` is still within its validity
 * window at `now`: 'valid', 'expired' (past the earliest notAfter),
 * 'not-yet-valid' (before the latest notBefore), or 'unverified' (no
 * verified peer on this socket). Servers check it on every request.
 */
export function peerCertificateState(socket: TLSSocket, now: number = Date.now()): 'valid' | 'expired' | 'not-yet-valid' | 'unverified' {
  const v = peerValidity.get(socket);
  if (v === undefined) return 'unverified';
  if (now > v.notAfter) return 'expired';
  if (now < v.notBefore) return 'not-yet-valid';
  return 'valid';
}

/** The validity window recorded for the verified peer of `socket`. */
export function peerCertificateValidity(socket: TLSSocket): PeerValidity | undefined {
  return peerValidity.get(socket);
}
