// The readiness listener for load balancers (SPIKE_NEXUS_HEALTH_PORT): plain
// HTTP, loopback by default, answering `GET /ready` (and HEAD) with 200
// "ready" or 503 "not ready" and nothing else — no identity, no counts, no
// version; any other path 404, any other method 405, all without a body.
//
// Why not a TCP check of the mTLS port: Nexus listens before it has its root
// key (restore and recover must be reachable then), and keeps listening while
// its database is out of reach, so an open port says nothing about whether it
// can serve secrets. And why not an HTTPS check of the API: a load balancer
// would need an SVID Nexus accepts. This listener tells exactly one bit.
import { createServer, type Server } from 'node:http';

export interface HealthListenerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Whether this replica serves now (root key installed, database answering). */
  ready(): boolean;
}

export interface HealthListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthListener(opts: HealthListenerOptions): Promise<HealthListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const headers = (text: string): Record<string, string> => ({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      connection: 'close',
    });
    if (path !== '/ready') {
      res.writeHead(404, headers('')).end();
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers(''), allow: 'GET, HEAD' }).end();
    } else {
      const text = opts.ready() ? 'ready\n' : 'not ready\n';
      res.writeHead(text === 'ready\n' ? 200 : 503, headers(text)).end(req.method === 'HEAD' ? undefined : text);
    }
    // A probe sends no body worth reading.
    req.resume();
  });
  // A probe is tiny: slow or idle connections are not kept.
  server.headersTimeout = 5_000;
  server.requestTimeout = 5_000;
  server.keepAliveTimeout = 1_000;
  server.maxHeadersCount = 32;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
