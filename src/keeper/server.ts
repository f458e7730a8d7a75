// The Keeper's HTTPS server: fastify over an mTLS listener whose TLS-level
// authorizer admits only Nexus and Bootstrap; one catch-all route hands every
// request to the Keeper router (upstream routes by exact path + action, which
// a catch-all reproduces exactly, Fallback 400 included). Every request gets
// an audit line (caller, route, status; never the shard).
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../common/log.js';
import type { ListenAddress } from '../protocol/config/env.js';
import { attachMtlsServer, ConnectionLimitError, mtlsServerOptions, peerCertificateState, peerSpiffeId } from '../spiffe/tlsconfig.js';
import { LogThrottle } from '../common/log-throttle.js';
import { LingeringClose, type LingerBounds } from '../common/lingering-close.js';
import { lingeringClientErrorHandler } from '../common/client-error.js';
import { ACCESS_UNAUTHORIZED } from '../protocol/errors.js';
import { encodeErrorOnly } from '../protocol/messages.js';
import { authorizeIf } from '../spiffe/authorizer.js';
import type { X509Source } from '../spiffe/workloadapi.js';
import type { ShardStore } from './shard-store.js';
import type { KeeperPeerPolicy } from './routes/route.js';
import { createKeeperRouter, fallback } from './router.js';
import { PATH_KEEPER_CONTRIBUTE } from '../protocol/paths.js';

/** Requests are tiny (`{"shard":[32 numbers]}` ≈ 130 bytes); anything over this is a 400. */
export const KEEPER_BODY_LIMIT = 8 * 1024;

export interface KeeperServerOptions {
  source: X509Source;
  policy: KeeperPeerPolicy;
  store: ShardStore;
  logger: Logger;
  bodyLimit?: number;
  /** Time a client has to send its request headers (default 10s). */
  readHeaderTimeoutMs?: number;
  /** Open connections in all (default: Node's, no cap); more are dropped at accept. */
  maxConnections?: number;
  /** Open connections per peer SPIFFE ID (default: no cap); more are closed after the handshake. */
  maxConnectionsPerPeer?: number;
  /** Bounds of the lingering close (default: 1 s, 256 KiB; src/common/lingering-close.ts). */
  linger?: LingerBounds;
}

export interface RunningKeeperServer {
  port: number;
  close(): Promise<void>;
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  expires: '0',
};

export async function startKeeperServer(opts: KeeperServerOptions, listen: ListenAddress): Promise<RunningKeeperServer> {
  const bodyLimit = opts.bodyLimit ?? KEEPER_BODY_LIMIT;
  const router = createKeeperRouter(opts.store, opts.policy);
  const readHeaderTimeoutMs = opts.readHeaderTimeoutMs ?? 10_000;
  const throttle = new LogThrottle(opts.logger);
  // An answer that closes the connection with the request body still coming
  // (expired peer certificate, body past the limit), and the answer to a
  // request the HTTP parser gave up on, close lingering: half-closed, what
  // still arrives read and discarded for a bounded time and amount, so that
  // no TCP reset discards the answer before the client read it
  // (src/common/lingering-close.ts); all lingering sockets go when the server closes.
  const lingering = new LingeringClose(opts.linger);
  const app = Fastify({
    // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval
    // (default 30 s), and drops a connection that never finishes its TLS handshake
    // only after handshakeTimeout (default 120 s): bound both by the header deadline.
    https: {
      ...mtlsServerOptions(opts.source),
      handshakeTimeout: readHeaderTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, readHeaderTimeoutMs),
    },
    logger: false,
    clientErrorHandler: lingeringClientErrorHandler(lingering),
    bodyLimit,
    requestTimeout: Math.max(30_000, opts.readHeaderTimeoutMs ?? 0),
    connectionTimeout: 30_000,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const detach = attachMtlsServer(
    app.server as unknown as TlsServer, // fastify's https server is a tls.Server
    opts.source,
    authorizeIf((id) => opts.policy.mayContribute(id), 'SPIKE Nexus or SPIKE Bootstrap'),
    {
      ...(opts.maxConnectionsPerPeer !== undefined ? { maxConnectionsPerPeer: opts.maxConnectionsPerPeer } : {}),
      onReject: (err) => {
        if (err instanceof ConnectionLimitError) {
          throttle.warn(`peer:${err.peerId}`, 'connection refused: too many open connections from one peer', { caller: err.peerId, limit: err.limit });
        } else opts.logger.audit('keeper_tls_rejected', { error: err.message.split('\n')[0] ?? err.name });
      },
    },
  );
  app.addHook('preClose', (done) => {
    lingering.closeAll();
    done();
  });
  // Connection caps (docs/design.md § Limits).
  if (opts.maxConnections !== undefined) {
    app.server.maxConnections = opts.maxConnections;
    app.server.on('drop', () => throttle.warn('total', 'connection refused: too many open connections', { limit: opts.maxConnections ?? null }));
  }

  // A kept-alive connection does not outlive the peer's certificate: a
  // request after its notAfter (or before its notBefore) gets 401 and the
  // connection is closed, before the body is read.
  app.addHook('onRequest', (request, reply, done) => {
    const state = peerCertificateState(request.raw.socket as TLSSocket);
    if (state === 'expired' || state === 'not-yet-valid') {
      opts.logger.audit('keeper_request', { caller: null, method: request.method, route: 'expired_peer_certificate', status: 401, state });
      lingering.arm(request.raw);
      void reply.code(401).headers({ ...JSON_HEADERS, connection: 'close' }).send(encodeErrorOnly(ACCESS_UNAUTHORIZED));
      return;
    }
    done();
  });

  const send = (request: FastifyRequest, reply: FastifyReply, status: number, body: Buffer, route: string): FastifyReply => {
    const caller = peerOf(request);
    opts.logger.audit('keeper_request', { caller: caller ?? null, method: request.method, route, status });
    // Lifecycle event (docs/contracts.md): the Keeper holds a (new) shard. Never the value.
    if (status === 200 && route === PATH_KEEPER_CONTRIBUTE) opts.logger.event('shard_stored', { from: caller ?? null });
    const zero = (): void => {
      body.fill(0);
    };
    reply.raw.once('finish', zero);
    reply.raw.once('close', zero);
    return reply.code(status).headers(JSON_HEADERS).send(body);
  };

  app.server.headersTimeout = readHeaderTimeoutMs;

  // Every body is taken raw (upstream ignores Content-Type) and parsed by the routes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const url = new URL(request.raw.url ?? '/', 'https://keeper.invalid');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const res = router.handle({
      method: request.method,
      path: url.pathname,
      action: url.searchParams.get('action') ?? '',
      body,
      peerId: peerOf(request),
    });
    return send(request, reply, res.status, res.body, res.route);
  };
  app.all('*', handler);
  app.setNotFoundHandler(handler);
  // Body too large, unreadable body, bad Content-Type, …: upstream's generic 400,
  // and the connection closed (fastify sets Connection: close for a body it
  // could not read), lingering while the rest of the body may still come.
  app.setErrorHandler((_err, request, reply) => {
    const f = fallback();
    reply.header('connection', 'close');
    lingering.arm(request.raw);
    return send(request, reply, f.status, f.body, 'error');
  });

  try {
    await listenDualStack(app, listen);
  } catch (e) {
    detach();
    await app.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  return {
    port,
    async close() {
      detach();
      await app.close();
    },
  };
}

function peerOf(request: FastifyRequest): string | undefined {
  return peerSpiffeId(request.raw.socket as TLSSocket)?.toString();
}

async function listenDualStack(app: { listen(o: { port: number; host: string }): Promise<string> }, listen: ListenAddress): Promise<void> {
  if (listen.host !== undefined) {
    await app.listen({ port: listen.port, host: listen.host });
    return;
  }
  // Go's ":port" listens on every interface, IPv6 and IPv4.
  try {
    await app.listen({ port: listen.port, host: '::' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw e;
    await app.listen({ port: listen.port, host: '0.0.0.0' });
  }
}
