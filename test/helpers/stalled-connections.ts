// Connections a test opens by hand to stall a server (TCP connections that
// never start TLS, mTLS connections that send half a request header): each
// one is watched (what the server sends back, when it closes the connection)
// and destroyed by destroyAll(), which the test calls from its afterEach.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export interface Watched {
  socket: Socket;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
  /** Everything the server sent so far, as latin1 text. */
  data: () => string;
}

/** An mTLS connection to 127.0.0.1:`port` with a client certificate; the server's certificate is not checked. */
export function connectMtls(port: number, creds: { cert: string; key: string }, options: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // The tests talk to their own servers; the servers' SVIDs are checked by the real clients elsewhere.
    const s = tlsConnect({ host: '127.0.0.1', port, ...creds, rejectUnauthorized: false, ...options }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Opens connections with `open` and waits until the server has closed every one; `closedAfterMs` counts from before `open`. */
export async function untilServerCloses(open: () => Promise<Watched[]>): Promise<{ watched: Watched[]; closedAfterMs: number }> {
  const t0 = Date.now();
  const watched = await open();
  await Promise.all(watched.map((w) => w.closed));
  return { watched, closedAfterMs: Date.now() - t0 };
}

export class StalledConnections {
  readonly #opened: Socket[] = [];

  /** Records what the server sends and when it closes `socket`; destroyAll() destroys it. */
  watch(socket: Socket): Watched {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    this.#opened.push(socket);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, closed, data: () => text };
  }

  /** `n` TCP connections to 127.0.0.1:`port` that never start TLS. */
  idle(port: number, n: number): Promise<Watched[]> {
    return Promise.all(
      Array.from({ length: n }, () => new Promise<Watched>((resolve, reject) => {
        const s = netConnect(port, '127.0.0.1', () => resolve(w));
        const w = this.watch(s);
        s.once('error', reject);
      })),
    );
  }

  /** `n` connections from `open` that each send half the header of `POST <path>` and stall. */
  slowHeaders(n: number, open: () => Promise<TLSSocket>, path: string): Promise<Watched[]> {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const w = this.watch(await open());
        w.socket.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le`);
        return w;
      }),
    );
  }

  /** Destroys every connection watched since the last call. */
  destroyAll(): void {
    for (const s of this.#opened.splice(0)) s.destroy();
  }
}
