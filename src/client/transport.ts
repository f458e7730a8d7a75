// The mTLS HTTP transport of the SPIKE client (what spike-sdk-go's net package
// does): POST a JSON body over HTTP/1.1 with the caller's current X509-SVID,
// verify the server's SVID and pin its SPIFFE ID through an authorizer (never
// a hostname check), no TLS session resumption, a deadline on every call, and
// a cap on the response size. What may be sent twice is decided in resend.ts.
// A new connection is handed to its request only once its handshake is done
// and the server verified: no request byte is ever written to a server that
// has not passed.
import https from 'node:https';
import * as tlsNet from 'node:tls';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { ClientError } from './errors.js';
import { isIdempotentUrl, mayResend } from './resend.js';

/** Default cap on a response body; SPIKE answers are small (a secret is at most 64 KiB of ciphertext). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface HttpResponse {
  status: number;
  /** The raw body; callers zero it once decoded when it may hold secrets. */
  body: Buffer;
  /** The `Retry-After` header as sent (a 429 from Nexus carries it), when present. */
  retryAfter?: string;
}

export interface CallOptions {
  /** A shorter deadline for this call (the client's `timeoutMs` is the upper bound). */
  timeoutMs?: number;
  /** Aborts the call (reported as kind `timeout`: the caller's deadline). */
  signal?: AbortSignal;
  /**
   * Whether sending this request twice changes nothing (default: by route,
   * see resend.ts). Only idempotent requests use pooled connections and are
   * re-sent when a pooled connection turns out dead.
   */
  idempotent?: boolean;
  /** The body's Content-Type, also sent as Accept (default application/json; the cipher routes' stream mode sends application/octet-stream). */
  contentType?: string;
}

export interface SpikeHttpClient {
  postJson(url: URL, body: Uint8Array, opts?: CallOptions): Promise<HttpResponse>;
  /** Closes pooled connections. Idempotent. */
  close(): void;
}

export interface HttpsJsonClientOptions {
  /** Fresh TLS options for each request (so a rotated SVID is used at once). */
  tlsOptions: () => ConnectionOptions;
  timeoutMs: number;
  /**
   * Fails a call (kind `transport`, not sent) whose TLS session is not up
   * within this time, so that a list of Nexus URLs moves on from a host that
   * drops packets (failover.ts). Default: none (the call's deadline only).
   */
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
  /**
   * The server check (throw to refuse it: kind `identity`, nothing sent):
   * src/spiffe/tlsconfig.ts `verifyMtlsServer` with the source's bundles and
   * an authorizer (src/client/http.ts). `tlsOptions` are used as they are
   * (`mtlsClientCredentials`: no CA, OpenSSL's verdict ignored); this runs on
   * every new connection once its handshake is done, before the request is
   * handed to it, and again on a pooled connection before each reuse (the
   * bundles are not in the pool key).
   */
  verifyServer: (socket: TLSSocket) => void;
}

/** Request option: told the raw socket as soon as it is connecting (so a request that ends early can destroy it). */
const kConnecting = Symbol('spike.connecting');
type ConnectOptions = ConnectionOptions & { [kConnecting]?: (socket: TLSSocket) => void };

// Errors of the server check (verifyServer): the server's SVID failed SPIFFE
// verification or authorization.
const identityErrors = new WeakSet<object>();

/** Sockets handed to a request by `connectVerified`: their handshake is done and their server passed. */
const verifiedSockets = new WeakSet<TLSSocket>();

/** The transport itself, parameterised by a TLS-options factory. */
export function createHttpsJsonClient(opts: HttpsJsonClientOptions): SpikeHttpClient {
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
    throw new RangeError('timeoutMs must be a positive number');
  }
  if (opts.connectTimeoutMs !== undefined && (!Number.isFinite(opts.connectTimeoutMs) || opts.connectTimeoutMs <= 0)) {
    throw new RangeError('connectTimeoutMs must be a positive number');
  }
  const verifyServer = opts.verifyServer;
  if (typeof verifyServer !== 'function') throw new TypeError('verifyServer (the server check) is required');
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // keepAlive reuses verified connections (idempotent calls only);
  // maxCachedSessions: 0 disables TLS session resumption (verifyServer
  // refuses a resumed session: its server was never verified here). Other
  // calls get a connection of their own, so that they never go out on one
  // the server already closed.
  const pooled = new https.Agent({ keepAlive: true, maxCachedSessions: 0, maxSockets: 16 });
  const oneShot = new https.Agent({ keepAlive: false, maxCachedSessions: 0, maxSockets: 16 });
  // The agents' connect (Node's Agent calls createConnection(options,
  // oncreate) and waits for oncreate when nothing is returned): TLS connect,
  // wait for the handshake, verify, and only then give the socket to the
  // request. No session is offered (none is cached: maxCachedSessions 0).
  const connectVerified = (options: ConnectOptions, oncreate: (err: Error | null, socket?: Duplex) => void): undefined => {
    const socket = tlsNet.connect(options);
    options[kConnecting]?.(socket);
    let done = false;
    const fail = (e: Error): void => {
      if (done) return;
      done = true;
      socket.removeListener('secureConnect', onSecure);
      socket.on('error', () => {}); // destroyed below; nothing is listening any more
      socket.destroy();
      oncreate(e);
    };
    const onError = (e: Error): void => fail(e);
    const onClose = (): void => fail(Object.assign(new Error('socket closed before the TLS handshake completed'), { code: 'ECONNRESET' }));
    const onSecure = (): void => {
      if (done) return;
      try {
        verifyServer(socket);
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        identityErrors.add(err);
        fail(err);
        return;
      }
      done = true;
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      verifiedSockets.add(socket);
      oncreate(null, socket);
    };
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('secureConnect', onSecure);
    return undefined;
  };
  for (const agent of [pooled, oneShot]) {
    (agent as unknown as { createConnection: typeof connectVerified }).createConnection = connectVerified;
  }
  let closed = false;

  const postJson = (url: URL, body: Uint8Array, call: CallOptions = {}): Promise<HttpResponse> => {
    if (closed) return Promise.reject(new ClientError('transport', 'client is closed'));
    if (call.signal?.aborted) return Promise.reject(new ClientError('timeout', `call to ${url.origin} aborted`));
    const deadlineMs = call.timeoutMs !== undefined && call.timeoutMs > 0 ? Math.min(call.timeoutMs, opts.timeoutMs) : opts.timeoutMs;
    if (url.protocol !== 'https:') {
      return Promise.reject(new ClientError('transport', `refusing non-https URL ${url.origin}`));
    }
    let tls: ConnectionOptions;
    try {
      tls = opts.tlsOptions();
    } catch (e) {
      return Promise.reject(new ClientError('identity', `no usable X509-SVID: ${oneLine(e)}`, { cause: e }));
    }
    const idempotent = call.idempotent ?? isIdempotentUrl(url);
    const agent = idempotent ? pooled : oneShot;
    const startedAt = Date.now();
    // A keep-alive socket the server closed while idle fails on reuse; the
    // request is sent once more only when that is safe (resend.ts).
    const attempt = (mayRetry: boolean): Promise<HttpResponse> => new Promise<HttpResponse>((resolve, reject) => {
      const where = url.origin;
      const remainingMs = Math.max(1, deadlineMs - (Date.now() - startedAt));
      let settled = false;
      let socket: TLSSocket | undefined;
      // A new connection before it is handed over (destroyed when the call ends first).
      let connecting: TLSSocket | undefined;
      let bytesBefore = 0;
      let answered = false;
      // A TLS session carried this request (a pooled one, or a new one whose
      // handshake completed): only then can any of its bytes have been read.
      let established = false;
      const maybeSent = (): boolean => established || req.reusedSocket;
      const onAbort = (): void => finish(new ClientError('timeout', `call to ${where} aborted`, { maybeSent: maybeSent() }));
      const finish = (err: ClientError | undefined, res?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(connectTimer);
        call.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          if (socket === undefined) connecting?.destroy();
          reject(err);
        } else if (res) {
          resolve(res);
        }
      };
      const onConnecting: Pick<ConnectOptions, typeof kConnecting> = {
        [kConnecting]: (s: TLSSocket) => {
          connecting = s;
        },
      };
      const req = https.request(url, {
        method: 'POST',
        agent,
        ...tls,
        ...onConnecting,
        headers: {
          'content-type': call.contentType ?? 'application/json',
          'content-length': String(body.byteLength),
          accept: call.contentType ?? 'application/json',
        },
      });
      const timer = setTimeout(() => {
        finish(new ClientError('timeout', `no answer from ${where} within ${deadlineMs} ms`, { maybeSent: maybeSent() }));
      }, remainingMs);
      const connectMs = opts.connectTimeoutMs;
      const connectTimer = connectMs === undefined || connectMs >= remainingMs ? undefined : setTimeout(() => {
        if (!maybeSent()) finish(new ClientError('transport', `cannot reach ${where}: no TLS connection within ${connectMs} ms`, { maybeSent: false }));
      }, connectMs);
      call.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (s) => {
        socket = s as TLSSocket;
        // Counts every byte handed to the socket, buffered ones included (undefined once destroyed).
        bytesBefore = socket.bytesWritten ?? 0;
        if (req.reusedSocket) {
          established = true;
          // 'socket' is emitted before the request is flushed: a pooled
          // server is checked against the current bundles before reuse.
          try {
            verifyServer(socket);
          } catch (e) {
            const err = e instanceof Error ? e : new Error(String(e));
            finish(new ClientError('identity', `server at ${url.origin} failed SPIFFE authentication: ${oneLine(err)}`, { cause: err, maybeSent: false }));
          }
        } else if (verifiedSockets.has(socket)) established = true;
        else socket.once('secureConnect', () => {
          established = true;
        });
      });
      req.on('error', (e) => {
        const written = socket?.bytesWritten as number | undefined;
        const resend = mayResend({
          reusedSocket: req.reusedSocket,
          code: (e as NodeJS.ErrnoException).code,
          requestBytesSent: socket === undefined ? 0 : written === undefined ? Infinity : written - bytesBefore,
          answered,
          idempotent,
        });
        if (mayRetry && !settled && resend) {
          settled = true;
          clearTimeout(timer);
          clearTimeout(connectTimer);
          call.signal?.removeEventListener('abort', onAbort);
          attempt(false).then(resolve, reject);
          return;
        }
        finish(classifyRequestError(e, where, maybeSent()));
      });
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        const declared = Number(res.headers['content-length'] ?? 'NaN');
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.destroy();
          finish(new ClientError('decode', `response from ${where} too large (${declared} bytes, limit ${maxBytes})`, { status: res.statusCode }));
          return;
        }
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > maxBytes) {
            for (const c of chunks) c.fill(0);
            chunk.fill(0);
            res.destroy();
            finish(new ClientError('decode', `response from ${where} too large (limit ${maxBytes} bytes)`, { status: res.statusCode }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (e) => finish(new ClientError('transport', `reading the answer of ${where} failed: ${oneLine(e)}`, { cause: e })));
        res.on('end', () => {
          const all = Buffer.concat(chunks, size);
          for (const c of chunks) c.fill(0);
          if (settled) {
            all.fill(0);
            return;
          }
          const retryAfter = res.headers['retry-after'];
          finish(undefined, { status: res.statusCode ?? 0, body: all, ...(retryAfter === undefined ? {} : { retryAfter }) });
        });
      });
      req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
    return attempt(true);
  };

  return {
    postJson,
    close() {
      if (closed) return;
      closed = true;
      pooled.destroy();
      oneShot.destroy();
    },
  };
}

function classifyRequestError(e: Error, where: string, maybeSent: boolean): ClientError {
  // The server's certificate failed our SPIFFE check (tagged in connectVerified).
  if (identityErrors.has(e)) {
    return new ClientError('identity', `server at ${where} failed SPIFFE authentication: ${oneLine(e)}`, { cause: e, maybeSent: false });
  }
  const code = (e as NodeJS.ErrnoException).code;
  const detail = code ? `${code}` : oneLine(e);
  return new ClientError('transport', `cannot reach ${where}: ${detail}`, { cause: e, maybeSent });
}

function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0] ?? '';
}
