// The Nexus HTTP application (fastify), with upstream's dispatch semantics
// (spike-sdk-go net/serve.go and upstream's route pipeline):
//   1. method ≠ POST → 400 {"err":"api_bad_request"} (every path, first);
//   2. no root key yet (backend ≠ memory) and not an emergency path → 503 {"err":"state_not_ready"};
//   3. exact path + `action` → route; none (or not served by this backend) → 400;
//   4. the caller's certificate chain is past its notAfter (or before its
//      notBefore) on a kept-alive connection → 401, connection closed;
//   5. the early filter (auth/early-filter.ts): a caller that can have no
//      permission on the route → 401 with the route's Unauthorized body,
//      connection closed, the body never parsed (docs/design.md § Limits).
// An answer that closes the connection while the request body is still
// coming closes it lingering (src/common/lingering-close.ts): half-closed,
// what still arrives read and discarded for at most 1 s / 256 KiB, so that no
// TCP reset discards the answer before the client read it; so does fastify's
// answer to a request the HTTP parser gave up on (431 headers too large, 408
// headers too late, 400 malformed: src/common/client-error.ts).
// These run in onRequest, before the body is read. Bodies: any content type,
// read raw (the routes decode with Go semantics), capped at `bodyLimit`
// (oversized/unreadable → 400 with the route's BadRequest body, connection
// closed). Every answer carries upstream's JSON headers, plus any the route
// adds (restore's `Retry-After` on 429). A route error never
// kills the process: 500 {"err":"api_internal_error"}, logged without secrets;
// the database out of reach (StoreUnavailableError, e.g. while a guard loads
// the policies) answers 503 with the route's `state_not_ready` body.
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST, API_INTERNAL_ERROR, STATE_NOT_READY } from '../../protocol/errors.js';
import {
  EMERGENCY_PATHS,
  NEXUS_LITE_ROUTES,
  NEXUS_ROUTES,
  findRoute,
  parseRequestTarget,
  type NexusRouteName,
} from '../../protocol/paths.js';
import type { NexusBackend } from '../config.js';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import { encodeErrorOnly as encodeErr, errorBodyFor } from '../../protocol/messages.js';
import type { EarlyFilter, EarlyRefusal } from '../auth/early-filter.js';
import type { NexusRoute, Reply } from '../routes/route.js';
import { StoreUnavailableError } from '../store/errors.js';
import { FORWARDED_CALLER_HEADER } from '../restore/forward-guard.js';
import { LingeringClose, type LingerBounds } from '../../common/lingering-close.js';
import { lingeringClientErrorHandler } from '../../common/client-error.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  expires: '0',
});

export interface NexusAppOptions {
  routes: ReadonlyMap<NexusRouteName, NexusRoute>;
  backend: NexusBackend;
  /** True once the root key is installed (or always, for the memory backend). */
  isReady: () => boolean;
  log: Logger;
  /** The verified SPIFFE ID of the caller (from the TLS socket; tests inject their own). */
  peerIdOf: (req: FastifyRequest) => string | undefined;
  /**
   * Whether the caller's verified certificate chain is still within its
   * validity window now (tlsconfig peerCertificateState); 'expired' or
   * 'not-yet-valid' → 401 and the connection is closed. Omitted: not checked.
   */
  peerCertificateState?: (req: FastifyRequest) => 'valid' | 'expired' | 'not-yet-valid' | 'unverified';
  /** Refuses callers that can have no permission on the route before the body is read. Omitted: guards only. */
  earlyFilter?: EarlyFilter;
  bodyLimit?: number;
  /** Whole-request deadline (headers + body). */
  requestTimeoutMs?: number;
  /** Bounds of the lingering close after an answer that closes a connection with its body unread (src/common/lingering-close.ts). */
  linger?: LingerBounds;
  /** TLS options of the https server (mtlsServerOptions); omitted in unit tests (fastify inject). */
  https?: TlsOptions & SecureContextOptions;
}

declare module 'fastify' {
  interface FastifyRequest {
    nexusRoute: NexusRoute | undefined;
    /** The request target as onRequest parsed it (reused by the audit line). */
    nexusTarget: { path: string; action: string } | undefined;
  }
}

export function buildNexusApp(opts: NexusAppOptions): FastifyInstance {
  // An answer that closes the connection before the body was read: half-close,
  // read and discard a bounded amount for a bounded time, then destroy (so no
  // RST discards the answer on its way); all lingering sockets go when the app closes.
  // The same for the answer to a request the HTTP parser gave up on (client-error.ts).
  const lingering = new LingeringClose(opts.linger);
  const app = Fastify({
    logger: false,
    clientErrorHandler: lingeringClientErrorHandler(lingering),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    return503OnClosing: false,
    connectionTimeout: opts.requestTimeoutMs ?? 30_000,
    forceCloseConnections: true,
    ...(opts.https ? { https: opts.https } : {}),
  });
  const log = opts.log;
  app.decorateRequest('nexusRoute', undefined);
  app.decorateRequest('nexusTarget', undefined);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('preClose', (done) => {
    lingering.closeAll();
    done();
  });

  const send = (reply: import('fastify').FastifyReply, r: Reply, close = false): void => {
    reply.code(r.status).headers(JSON_HEADERS);
    if (r.headers !== undefined) reply.headers(r.headers);
    if (close) {
      reply.header('connection', 'close');
      lingering.arm(reply.request.raw);
    }
    if (r.secret === true && Buffer.isBuffer(r.body)) {
      const buf = r.body;
      const zero = (): void => {
        buf.fill(0);
      };
      reply.raw.once('finish', zero);
      reply.raw.once('close', zero);
    }
    // A Buffer, so that fastify sends the bytes and headers exactly as given.
    void reply.send(typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body);
  };

  // Callback-style hooks (no promise per request); an early answer sends and does not call done().
  app.addHook('onRequest', (req, reply, done) => {
    if (req.method !== 'POST') {
      send(reply, { status: 400, body: encodeErr(API_BAD_REQUEST) }, true);
      return;
    }
    const target = parseRequestTarget(req.url);
    if (target === undefined) {
      send(reply, { status: 400, body: encodeErr(API_BAD_REQUEST) }, true);
      return;
    }
    req.nexusTarget = target;
    if (opts.backend !== 'memory' && !opts.isReady() && !EMERGENCY_PATHS.has(target.path)) {
      send(reply, { status: 503, body: encodeErr(STATE_NOT_READY) }, true);
      return;
    }
    const def = findRoute(NEXUS_ROUTES, target.path, target.action);
    const served = def !== undefined && (opts.backend !== 'lite' || NEXUS_LITE_ROUTES.has(def.name));
    const route = served ? opts.routes.get(def.name) : undefined;
    if (route === undefined) {
      send(reply, { status: 400, body: encodeErr(API_BAD_REQUEST) }, true);
      return;
    }
    const certState = opts.peerCertificateState?.(req);
    if (certState === 'expired' || certState === 'not-yet-valid') {
      log.audit('peer_certificate_outside_validity', { caller: opts.peerIdOf(req) ?? null, route: route.name, state: certState, outcome: 'unauthorized' });
      send(reply, { status: 401, body: errorBodyFor(route.name, ACCESS_UNAUTHORIZED) }, true);
      return;
    }
    req.nexusRoute = route;
    const early = opts.earlyFilter?.check(route.name, opts.peerIdOf(req));
    const decide = (refusal: EarlyRefusal): void => {
      if (refusal === undefined) {
        done();
        return;
      }
      // The guard's own audit event and outcome, marked as decided before the body was read.
      if (refusal.audit !== undefined) log.audit(refusal.audit.event, { caller: opts.peerIdOf(req) ?? null, outcome: refusal.audit.outcome, early: true });
      send(reply, refusal, true);
    };
    // A promise only while the policies are being loaded from the store (should it reject, the guard decides).
    if (early instanceof Promise) void early.then(decide, () => decide(undefined));
    else decide(early);
  });

  app.all('*', async (req, reply) => {
    const route = req.nexusRoute;
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    if (route === undefined) {
      send(reply, { status: 400, body: encodeErr(API_BAD_REQUEST) });
      return reply;
    }
    try {
      const forwardedCaller = req.headers[FORWARDED_CALLER_HEADER];
      const r = await route.handle({ body, peerId: opts.peerIdOf(req), contentType: req.headers['content-type'], ...(forwardedCaller === undefined ? {} : { forwardedCaller }) });
      send(reply, r);
    } catch (e) {
      if (e instanceof StoreUnavailableError) {
        log.debug('route failed: database unavailable', { route: route.name, error: describeError(e) });
        send(reply, { status: 503, body: errorBodyFor(route.name, STATE_NOT_READY) });
        return reply;
      }
      log.error('route failed', { route: route.name, error: describeError(e) });
      send(reply, { status: 500, body: encodeErr(API_INTERNAL_ERROR) });
    } finally {
      body?.fill(0);
    }
    return reply;
  });

  app.setErrorHandler((err, req, reply) => {
    // Body too large, bad content-length, aborted or timed-out body: the
    // route's BadRequest, and the connection is closed (the rest of an
    // oversized body is only read and discarded while the socket lingers).
    const code = (err as { code?: unknown }).code;
    const status = (err as { statusCode?: unknown }).statusCode;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (clientError) {
      log.info('bad request body', { code: typeof code === 'string' ? code : 'unknown', route: req.nexusRoute?.name ?? null });
      const body = req.nexusRoute?.badRequest() ?? encodeErr(API_BAD_REQUEST);
      send(reply, { status: 400, body }, true);
      return reply;
    }
    log.error('request failed', { error: describeError(err) });
    send(reply, { status: 500, body: encodeErr(API_INTERNAL_ERROR) }, true);
    return reply;
  });

  // One audit line per request, as upstream's HandleRoute does (never bodies).
  app.addHook('onResponse', (req, reply, done) => {
    const target = req.nexusTarget ?? parseRequestTarget(req.url);
    log.audit('request', {
      caller: opts.peerIdOf(req) ?? null,
      method: req.method,
      path: target?.path ?? null,
      route: req.nexusRoute?.name ?? null,
      status: reply.statusCode,
    });
    done();
  });
  return app;
}
