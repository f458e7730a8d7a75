// One mTLS connection on which HTTP/1.1 requests are written by hand, so a
// test knows they all travel on the same kept-alive socket (an http.Agent may
// silently open a new one), and can send a body slowly or only in part.
import * as tls from 'node:tls';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnectOptions {
  host?: string;
  port: number;
  certPem: string;
  keyPem: string;
  caPem: string;
}

export class RawHttpsConnection {
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #closed = false;
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;
  /** Body bytes this client managed to write (see sendSlowly). */
  bodyBytesWritten = 0;

  private constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        this.#wake();
        resolve();
      });
    });
  }

  static open(o: RawConnectOptions): Promise<RawHttpsConnection> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({
        host: o.host ?? '127.0.0.1',
        port: o.port,
        cert: o.certPem,
        key: o.keyPem,
        ca: o.caPem,
        // SPIFFE servers are not named by host name; the tests check the peer by other means.
        checkServerIdentity: () => undefined,
      });
      s.once('secureConnect', () => resolve(new RawHttpsConnection(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #next(): Promise<void> {
    return new Promise((r) => this.#waiters.push(r));
  }

  /** Writes a complete POST request. */
  send(path: string, body: string | Buffer): void {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    this.socket.write(`POST ${path} HTTP/1.1\r\nhost: spike\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\n\r\n`);
    this.socket.write(b);
  }

  /**
   * Writes the headers of a POST announcing `length` body bytes, then the body
   * `chunk` bytes at a time, each once the previous one was flushed and
   * `pause()` resolved, until all is sent or the socket is closed.
   */
  async sendSlowly(path: string, length: number, chunk: number, pause: () => Promise<void>): Promise<void> {
    this.socket.write(`POST ${path} HTTP/1.1\r\nhost: spike\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`);
    while (this.bodyBytesWritten < length && !this.#closed && !this.socket.destroyed) {
      const n = Math.min(chunk, length - this.bodyBytesWritten);
      const ok = await new Promise<boolean>((r) => this.socket.write(Buffer.alloc(n, 0x20), (e) => r(e == null)));
      if (!ok) break;
      this.bodyBytesWritten += n;
      await pause();
    }
  }

  /** Reads the next response (Content-Length framed); throws if the socket closes first. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.#buf.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const len = Number(headers['content-length'] ?? '0');
        if (this.#buf.length >= end + 4 + len) {
          const body = this.#buf.subarray(end + 4, end + 4 + len).toString('utf8');
          this.#buf = this.#buf.subarray(end + 4 + len);
          return { status, headers, body };
        }
      }
      if (this.#closed) throw new Error('connection closed before a complete response');
      await this.#next();
    }
  }

  async request(path: string, body: string | Buffer): Promise<RawResponse> {
    this.send(path, body);
    return this.response();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Resolves once the wall clock is past `t` (polls; no fixed sleep). */
export async function waitUntilPast(t: Date): Promise<void> {
  while (Date.now() <= t.getTime()) await new Promise((r) => setTimeout(r, 50));
}
