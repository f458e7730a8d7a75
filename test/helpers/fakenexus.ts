// A fake SPIKE Nexus for Pilot tests: a real mTLS https server (certificates
// from testca.ts) that records every request it receives and answers with a
// scripted handler. The server presents whatever SVID the test gives it, so a
// test can make it impersonate a non-Nexus workload.
//
//   const nexus = await FakeNexus.start({ ca, svid: await ca.issue('spiffe://spike.ist/spike/nexus') });
//   nexus.respond((req) => ({ status: 200, json: { collected: 1, remaining: 1, restored: false } }));
//   … run spike with SPIKE_NEXUS_API_URL=nexus.url …
//   expect(nexus.requests).toHaveLength(1);
//   await nexus.close();
import { spawn } from 'node:child_process';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { TestCa, TestSvid } from './testca.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/store/secrets?action=get`. */
  url: string;
  /** The client's SPIFFE ID (URI SAN of its certificate), if any. */
  peerId: string | undefined;
  body: Buffer;
}

export interface FakeAnswer {
  status: number;
  /** Serialised with JSON.stringify unless `raw` is given. */
  json?: unknown;
  raw?: Buffer | string;
}

export type FakeHandler = (req: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeNexusOptions {
  /** The CA whose root the server trusts for client certificates. */
  ca: TestCa;
  /** The SVID the server presents. */
  svid: TestSvid;
  handler?: FakeHandler;
}

export class FakeNexus {
  /** Every request that reached the HTTP layer, in order. */
  readonly requests: RecordedRequest[] = [];
  /** TLS connections that completed a handshake. */
  secureConnections = 0;
  #handler: FakeHandler;
  readonly #server: https.Server;

  private constructor(server: https.Server, handler: FakeHandler) {
    this.#server = server;
    this.#handler = handler;
  }

  static async start(opts: FakeNexusOptions): Promise<FakeNexus> {
    const server = https.createServer({
      cert: opts.svid.certPem,
      key: opts.svid.keyPem,
      ca: opts.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const nexus = new FakeNexus(server, opts.handler ?? (() => ({ status: 400, json: { err: 'api_bad_request' } })));
    server.on('secureConnection', () => {
      nexus.secureConnections++;
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void nexus.#serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return nexus;
  }

  /** `https://127.0.0.1:<port>` — for SPIKE_NEXUS_API_URL. */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `https://127.0.0.1:${port}`;
  }

  respond(handler: FakeHandler): void {
    this.#handler = handler;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const san = (req.socket as TLSSocket).getPeerCertificate().subjectaltname ?? '';
    const uri = /URI:(spiffe:\/\/[^,\s]+)/.exec(san);
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', peerId: uri?.[1], body: Buffer.concat(chunks) };
    this.requests.push(recorded);
    let answer: FakeAnswer;
    try {
      answer = await this.#handler(recorded);
    } catch {
      answer = { status: 500, json: { err: 'api_internal_error' } };
    }
    const body = answer.raw !== undefined ? Buffer.from(answer.raw) : Buffer.from(JSON.stringify(answer.json ?? {}));
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------
// Running the built `spike` (dist/spike.js) against the fakes.


/** The CLI under test: dist/spike.js, or another build named by SPIKE_E2E_SPIKE_BIN. */
export const SPIKE_BIN = process.env.SPIKE_E2E_SPIKE_BIN ?? resolvePath('dist/spike.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

export interface CliRunOptions {
  env: Record<string, string>;
  /** Written to stdin, which is then closed (default: closed at once). */
  stdin?: string | Buffer;
  /** Kill the process after this long (a test failure, never expected). */
  killAfterMs?: number;
}

/** Runs `node dist/spike.js …args` with exactly `env` (plus PATH) and collects its output. */
export function runSpike(args: readonly string[], opts: CliRunOptions): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [SPIKE_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined); // the CLI may exit before reading
  child.stdin.end(opts.stdin ?? '');
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
  return new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
}
