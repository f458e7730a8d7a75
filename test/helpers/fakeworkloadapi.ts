// An in-process Workload API (FetchX509SVID only) on a temp unix socket, for
// tests of X509Source and of anything built on it. Model: go-spiffe's
// internal/test/fakeworkloadapi, but it checks the security header properly
// (INVALID_ARGUMENT) and listens on a unix socket.
//
//   const api = await FakeWorkloadApi.start();
//   api.setResponse(svidResponse(ca, svid));   // pushed to every open stream at once
//   api.setResponse(null);                     // "no identity": PERMISSION_DENIED
//   api.setError(grpc.status.UNAVAILABLE, 'x') // every stream ends with that status
//   api.endStreams();                          // end open streams cleanly (OK)
//   await api.stop(); await api.restart();     // same socket path
//   await api.close();                         // stop + remove the temp dir
//
// Broken Workload APIs for failure tests (at a socket path of the test's choosing):
//   const h = await silentSocket(path);        // accepts connections, never answers
//   await staleSocket(path);                   // a socket file nobody listens on
//   const d = await statusOnlyApi(path, grpc.status.PERMISSION_DENIED, 'no identity issued');
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  addWorkloadApiService,
  hasWorkloadApiHeader,
  type X509SvidRequestMessage,
  type X509SvidResponseMessage,
} from '../../src/spiffe/proto.js';

type Stream = grpc.ServerWritableStream<X509SvidRequestMessage, X509SvidResponseMessage>;
interface Waiter {
  pred: () => boolean;
  resolve: () => void;
}

export class FakeWorkloadApi {
  readonly dir: string;
  readonly socketPath: string;
  /** Address for X509Source: `unix:///…`, or `tcp://127.0.0.1:PORT` when started with `{ tcp: true }`. */
  address: string;
  readonly #tcp: boolean;
  #tcpPort = 0;
  /** Number of FetchX509SVID calls received. */
  calls = 0;
  /** Calls that lacked the `workload.spiffe.io: true` header. */
  callsWithoutHeader = 0;
  #server: grpc.Server | undefined;
  #response: X509SvidResponseMessage | null = null;
  #error: { code: grpc.status; details: string } | null = null;
  readonly #streams = new Set<Stream>();
  readonly #waiters: Waiter[] = [];

  private constructor(tcp: boolean) {
    this.dir = mkdtempSync('/tmp/fwl-');
    this.socketPath = join(this.dir, 'api.sock');
    this.address = `unix://${this.socketPath}`;
    this.#tcp = tcp;
  }

  /** Listens on a temp unix socket, or on 127.0.0.1 (a free port, kept across restarts) with `{ tcp: true }`. */
  static async start(opts: { tcp?: boolean } = {}): Promise<FakeWorkloadApi> {
    const api = new FakeWorkloadApi(opts.tcp === true);
    await api.restart();
    return api;
  }

  /** Number of streams currently open. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Sets the full state and pushes it to every open stream; `null` = no identity (PERMISSION_DENIED). Clears any error. */
  setResponse(resp: X509SvidResponseMessage | null): void {
    this.#response = resp;
    this.#error = null;
    for (const s of [...this.#streams]) {
      if (resp === null) this.#fail(s, grpc.status.PERMISSION_DENIED, 'no identity issued');
      else s.write(resp);
    }
  }

  /** Every open and future stream ends with this status until `setResponse` is called. */
  setError(code: grpc.status, details: string): void {
    this.#error = { code, details };
    for (const s of [...this.#streams]) this.#fail(s, code, details);
  }

  /** Ends every open stream cleanly (status OK). */
  endStreams(): void {
    for (const s of [...this.#streams]) {
      this.#streams.delete(s);
      s.end();
    }
    this.#notify();
  }

  /** Resolves when `pred()` holds (checked on every call/stream change). */
  waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FakeWorkloadApi.waitFor: timed out')), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Stops the server at once (open streams end with CANCELLED on the client). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#streams.clear();
    server?.forceShutdown();
    rmSync(this.socketPath, { force: true });
  }

  /** (Re)starts on the same socket path (or TCP port). */
  async restart(): Promise<void> {
    if (this.#server) return;
    rmSync(this.socketPath, { force: true });
    const server = new grpc.Server();
    addWorkloadApiService(server, { FetchX509SVID: (call) => this.#handle(call) });
    const target = this.#tcp ? `127.0.0.1:${this.#tcpPort}` : `unix://${this.socketPath}`;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    if (this.#tcp) {
      this.#tcpPort = port;
      this.address = `tcp://127.0.0.1:${port}`;
    }
    this.#server = server;
  }

  /** Stops and removes the temp directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  #handle(call: Stream): void {
    this.calls++;
    try {
      if (!hasWorkloadApiHeader(call.metadata)) {
        this.callsWithoutHeader++;
        this.#fail(call, grpc.status.INVALID_ARGUMENT, 'security header missing from request');
        return;
      }
      if (this.#error) {
        this.#fail(call, this.#error.code, this.#error.details);
        return;
      }
      if (this.#response === null) {
        this.#fail(call, grpc.status.PERMISSION_DENIED, 'no identity issued');
        return;
      }
      this.#streams.add(call);
      call.on('cancelled', () => {
        this.#streams.delete(call);
        this.#notify();
      });
      call.write(this.#response);
    } finally {
      this.#notify();
    }
  }

  #fail(call: Stream, code: grpc.status, details: string): void {
    this.#streams.delete(call);
    // Ending a server stream with a status: emit 'error' (call.destroy leaves the client hanging).
    call.emit('error', { code, details });
    this.#notify();
  }

  #notify(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i] as Waiter;
      if (w.pred()) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/** A listener on a unix socket path, closed with `close()` (the socket file is removed). */
export interface SocketHandle {
  /** Connections (silentSocket) or calls (statusOnlyApi) received. */
  readonly count: number;
  close(): Promise<void>;
}

function listenOn(server: NetServer, path: string): Promise<void> {
  rmSync(path, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The handle of a listening `server`: `count()` as its count; close destroys every one of `open` first. */
function socketHandle(server: { close(callback: () => void): unknown }, open: ReadonlySet<{ destroy(): void }>, count: () => number): SocketHandle {
  return {
    get count() {
      return count();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of open) c.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A unix socket that accepts connections and never says a word (an agent that hangs). */
export async function silentSocket(path: string): Promise<SocketHandle> {
  const conns = new Set<Socket>();
  let count = 0;
  const server = createNetServer((c) => {
    count++;
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => undefined);
  });
  await listenOn(server, path);
  return socketHandle(server, conns, () => count);
}

/**
 * Leaves a socket file at `path` that nobody listens on, as a crashed agent
 * does: a hard link to a listening socket outlives the server (whose close
 * removes only its own name).
 */
export async function staleSocket(path: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const server = createNetServer();
  await listenOn(server, tmp);
  rmSync(path, { force: true });
  linkSync(tmp, path);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A bare HTTP/2 server on a unix socket (node:http2, no grpc-js, so fake
 * timers do not touch it) that ends every call at once with a trailers-only
 * gRPC `code` and `message`.
 */
export async function statusOnlyApi(path: string, code: number, message: string): Promise<SocketHandle> {
  let count = 0;
  const sessions = new Set<Http2Session>();
  const server = createHttp2Server();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => undefined);
  });
  server.on('stream', (stream) => {
    count++;
    stream.on('error', () => undefined);
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) },
      { endStream: true },
    );
  });
  await listenOn(server, path);
  return socketHandle(server, sessions, () => count);
}
