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
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
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
    res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json', 'content-length': body.length });
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

// ---------------------------------------------------------------------------
// An in-memory Nexus behind the fake: secrets and policies with upstream's
// versioning rules (upstream state/base/secret.go) and wire shapes,
// for e2e tests of the `spike secret` and `spike policy` commands.

interface MemVersion {
  data: Record<string, string>;
  createdTime: string;
  deletedTime: string | null;
}
interface MemSecret {
  versions: Map<number, MemVersion>;
  currentVersion: number;
  oldestVersion: number;
  createdTime: string;
  updatedTime: string;
  maxVersions: number;
}
interface MemPolicy {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}

export interface MemoryNexusOptions {
  /** The clock (RFC 3339 text); default: the real time. */
  now?: () => string;
  maxVersions?: number;
}

export class MemoryNexus {
  readonly secrets = new Map<string, MemSecret>();
  readonly policies = new Map<string, MemPolicy>();
  readonly #now: () => string;
  readonly #max: number;

  constructor(opts: MemoryNexusOptions = {}) {
    this.#now = opts.now ?? (() => new Date().toISOString());
    this.#max = opts.maxVersions ?? 10;
  }

  /** A FakeHandler answering the secret and policy routes (anything else: 400). */
  readonly handler: FakeHandler = (req) => {
    const notFound = (extra: object = {}): FakeAnswer => ({ status: 404, json: { ...extra, err: 'api_not_found' } });
    const bad: FakeAnswer = { status: 400, json: { err: 'api_bad_request' } };
    if (req.method !== 'POST') return bad;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return bad;
    }
    const path = typeof body.path === 'string' ? body.path : '';
    const versions = Array.isArray(body.versions) ? (body.versions as number[]) : [];
    const s = this.secrets.get(path);
    switch (req.url) {
      case '/v1/store/secrets':
        this.#put(path, (body.values ?? {}) as Record<string, string>);
        return { status: 200, json: {} };
      case '/v1/store/secrets?action=get': {
        const v = s && this.#readable(s, (body.version as number | undefined) ?? 0);
        return v ? { status: 200, json: { data: v.data } } : notFound({ data: null });
      }
      case '/v1/store/secrets?action=list':
        return { status: 200, json: { keys: [...this.secrets.keys()].sort() } };
      case '/v1/store/secrets?action=delete': {
        if (!s) return notFound();
        const now = this.#now();
        for (const n of versions.length === 0 ? [0] : versions) {
          const v = s.versions.get(n === 0 ? s.currentVersion : n);
          if (v) v.deletedTime = now;
        }
        if (s.versions.get(s.currentVersion)?.deletedTime) {
          s.currentVersion = this.#highestLive(s);
          s.updatedTime = now;
        }
        s.oldestVersion = Math.min(...[...s.versions].filter(([, v]) => !v.deletedTime).map(([n]) => n), Infinity);
        if (s.oldestVersion === Infinity) s.oldestVersion = 0;
        return { status: 200, json: {} };
      }
      case '/v1/store/secrets?action=undelete': {
        if (!s) return notFound();
        let undone = 0;
        for (const n of versions.length === 0 ? [0] : versions) {
          if (n === 0 && s.currentVersion === 0) continue;
          const num = n === 0 ? s.currentVersion : n;
          const v = s.versions.get(num);
          if (v?.deletedTime) {
            v.deletedTime = null;
            undone = Math.max(undone, num);
          }
        }
        if (undone === 0) return notFound();
        if (undone > s.currentVersion) {
          s.currentVersion = undone;
          s.updatedTime = this.#now();
        }
        s.oldestVersion = Math.min(...[...s.versions].filter(([, v]) => !v.deletedTime).map(([n]) => n));
        return { status: 200, json: {} };
      }
      case '/v1/store/secrets/metadata?action=get': {
        if (!s || !this.#readable(s, (body.version as number | undefined) ?? 0)) return notFound({ metadata: {} });
        const vs = Object.fromEntries(
          [...s.versions].map(([n, v]) => [String(n), { createdTime: v.createdTime, version: n, deletedTime: v.deletedTime }]),
        );
        const { currentVersion, oldestVersion, createdTime, updatedTime, maxVersions } = s;
        return { status: 200, json: { versions: vs, metadata: { currentVersion, oldestVersion, createdTime, updatedTime, maxVersions } } };
      }
      case '/v1/acl/policy': {
        const name = String(body.name ?? '');
        const now = this.#now();
        const old = this.policies.get(name);
        this.policies.set(name, {
          name,
          spiffeidPattern: String(body.spiffeidPattern ?? ''),
          pathPattern: String(body.pathPattern ?? ''),
          permissions: (body.permissions ?? []) as string[],
          createdAt: old?.createdAt ?? now,
          updatedAt: now,
        });
        return { status: 200, json: {} };
      }
      case '/v1/acl/policy?action=get': {
        const p = this.policies.get(String(body.id ?? ''));
        if (!p) return { status: 500, json: { err: 'api_internal_error' } }; // upstream's quirk
        const { spiffeidPattern, ...rest } = p;
        return { status: 200, json: { id: '', ...rest, spiffiedPattern: spiffeidPattern } };
      }
      case '/v1/acl/policy?action=delete':
        if (!this.policies.delete(String(body.id ?? ''))) return { status: 500, json: { err: 'api_internal_error' } };
        return { status: 200, json: {} };
      case '/v1/acl/policy?action=list': {
        const sp = String(body.spiffeidPattern ?? '');
        const pp = String(body.pathPattern ?? '');
        const all = [...this.policies.values()].filter((p) => (sp !== '' ? p.spiffeidPattern === sp : pp !== '' ? p.pathPattern === pp : true));
        return { status: 200, json: { policies: all.map((p) => ({ id: '', name: p.name })) } };
      }
      default:
        return bad;
    }
  };

  #put(path: string, data: Record<string, string>): void {
    const now = this.#now();
    let s = this.secrets.get(path);
    if (!s) {
      s = { versions: new Map(), currentVersion: 0, oldestVersion: 1, createdTime: now, updatedTime: now, maxVersions: this.#max };
      this.secrets.set(path, s);
    }
    const n = s.currentVersion !== 0 ? s.currentVersion + 1 : Math.max(0, ...s.versions.keys()) + 1;
    s.versions.set(n, { data: { ...data }, createdTime: now, deletedTime: null });
    s.currentVersion = n;
    s.updatedTime = now;
    const nums = [...s.versions.keys()].sort((a, b) => a - b);
    while (nums.length > s.maxVersions) s.versions.delete(nums.shift() as number);
    s.oldestVersion = nums[0] ?? 0;
  }

  #highestLive(s: MemSecret): number {
    return Math.max(0, ...[...s.versions].filter(([, v]) => !v.deletedTime).map(([n]) => n));
  }

  #readable(s: MemSecret, version: number): MemVersion | undefined {
    const v = s.versions.get(version === 0 ? s.currentVersion : version);
    return v && !v.deletedTime ? v : undefined;
  }
}
