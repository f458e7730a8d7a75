// A TLS-level fake SPIKE Nexus for adversarial tests: a raw `tls.Server` on
// 127.0.0.1 that presents whatever certificate chain it is given (an impostor's
// SVID, an expired one, one from another CA…) and counts, below HTTP, what the
// client did: TCP connections, completed handshakes, and every byte of TLS
// application data it received. A client that refuses the server must leave
// `appBytes` at 0 — nothing it could have leaked (a shard, a secret) ever
// crossed the wire.
//
//   const fake = await TlsFakeNexus.start({ certPem: svid.certPem, keyPem: svid.keyPem });
//   … run spike with SPIKE_NEXUS_API_URL=fake.url …
//   expect(fake.appBytes).toBe(0);
//   await fake.close();
//
// When an HTTP request does arrive (a positive control with a good
// certificate), it answers every request with `answer` (default 200 `{}`), so
// the client finishes normally.
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';

export interface TlsFakeNexusOptions {
  /** PEM chain (leaf first) the server presents. */
  certPem: string;
  keyPem: string;
  /** The answer to any HTTP request that arrives: status and JSON body. */
  answer?: { status: number; json: unknown };
}

export class TlsFakeNexus {
  /** TCP connections accepted. */
  tcpConnections = 0;
  /** TLS handshakes that completed on the server side. */
  secureConnections = 0;
  /** Bytes of TLS application data received (decrypted), over all connections. */
  appBytes = 0;
  /** The decrypted application data received, concatenated. */
  received: Buffer[] = [];
  /** TLS errors the server saw (e.g. the client's alert), by message. */
  readonly tlsErrors: string[] = [];
  readonly #server: tls.Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: tls.Server) {
    this.#server = server;
  }

  static async start(opts: TlsFakeNexusOptions): Promise<TlsFakeNexus> {
    const server = tls.createServer({
      cert: opts.certPem,
      key: opts.keyPem,
      // Ask for the client's certificate but accept any: this fake only observes.
      requestCert: true,
      rejectUnauthorized: false,
    });
    const fake = new TlsFakeNexus(server);
    const answer = opts.answer ?? { status: 200, json: {} };
    server.on('connection', (s: Socket) => {
      fake.tcpConnections++;
      fake.#sockets.add(s);
      s.once('close', () => fake.#sockets.delete(s));
    });
    server.on('tlsClientError', (err: Error) => {
      fake.tlsErrors.push(err.message);
    });
    server.on('secureConnection', (s: tls.TLSSocket) => {
      fake.secureConnections++;
      s.on('error', () => undefined);
      let pending = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        fake.appBytes += chunk.length;
        fake.received.push(Buffer.from(chunk));
        pending = Buffer.concat([pending, chunk]);
        // Answer each complete request (headers + content-length body).
        for (;;) {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.subarray(0, end).toString('latin1');
          const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
          if (pending.length < end + 4 + len) return;
          pending = pending.subarray(end + 4 + len);
          const body = Buffer.from(JSON.stringify(answer.json));
          s.write(`HTTP/1.1 ${answer.status} X\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`);
          s.end(body);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  /** `https://127.0.0.1:<port>` — for SPIKE_NEXUS_API_URL. */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `https://127.0.0.1:${port}`;
  }

  /** Everything received, as latin1 text (for assertions). */
  text(): string {
    return Buffer.concat(this.received).toString('latin1');
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
