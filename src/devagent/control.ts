// The dev agent's control socket (<SPIKE_DEV_DIR>/sockets/control.sock, in a
// 0700 directory): one JSON request line in, one JSON response line out, per
// connection. `spike-dev-agent entry set/delete/list` use it so that a change
// reaches the running agent — and every open stream — before they return.
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { checkSocketPath } from './paths.js';

export const MAX_CONTROL_LINE_BYTES = 4096;
const SERVER_IDLE_MS = 10_000;

export type ControlRequest =
  | { op: 'ping' }
  | { op: 'list' }
  | { op: 'set'; workload: string; spiffeId: string }
  | { op: 'delete'; workload: string };

export type ControlResponse =
  | { ok: true; pid?: number; entries?: Record<string, string>; sockets?: Record<string, string>; existed?: boolean }
  | { ok: false; code: 'invalid' | 'bad_request' | 'internal'; error: string };

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    /** absent: no agent listens; timeout: no answer in time; protocol: an answer we could not read. */
    readonly kind: 'absent' | 'timeout' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Parses a line as a JSON object; undefined when it is not JSON or not an object. */
function parseJsonObject(line: string): Record<string, unknown> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  return raw as Record<string, unknown>;
}

/** Decodes a request line; undefined when it is not a valid request. */
export function decodeControlRequest(line: string): ControlRequest | undefined {
  const r = parseJsonObject(line);
  if (r === undefined) return undefined;
  switch (r['op']) {
    case 'ping':
      return { op: 'ping' };
    case 'list':
      return { op: 'list' };
    case 'set':
      if (typeof r['workload'] !== 'string' || typeof r['spiffe_id'] !== 'string') return undefined;
      return { op: 'set', workload: r['workload'], spiffeId: r['spiffe_id'] };
    case 'delete':
      if (typeof r['workload'] !== 'string') return undefined;
      return { op: 'delete', workload: r['workload'] };
    default:
      return undefined;
  }
}

export function encodeControlRequest(req: ControlRequest): string {
  if (req.op === 'set') return JSON.stringify({ op: 'set', workload: req.workload, spiffe_id: req.spiffeId });
  return JSON.stringify(req);
}

export function decodeControlResponse(line: string): ControlResponse | undefined {
  const r = parseJsonObject(line);
  if (r === undefined) return undefined;
  if (r['ok'] === true) {
    const out: ControlResponse = { ok: true };
    if (typeof r['pid'] === 'number') out.pid = r['pid'];
    if (isStringRecord(r['entries'])) out.entries = r['entries'];
    if (isStringRecord(r['sockets'])) out.sockets = r['sockets'];
    if (typeof r['existed'] === 'boolean') out.existed = r['existed'];
    return out;
  }
  if (r['ok'] === false && typeof r['error'] === 'string') {
    const code = r['code'] === 'invalid' || r['code'] === 'bad_request' ? r['code'] : 'internal';
    return { ok: false, code, error: r['error'].split('\n')[0] ?? '' };
  }
  return undefined;
}

/** Reads one newline-terminated line of at most MAX_CONTROL_LINE_BYTES; `onLine(undefined)` when too long. */
function readOneLine(sock: Socket, onLine: (line: string | undefined) => void): void {
  let buf = Buffer.alloc(0);
  let done = false;
  sock.on('data', (chunk: Buffer) => {
    if (done) return;
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(0x0a);
    if (nl !== -1 || buf.length > MAX_CONTROL_LINE_BYTES) {
      done = true;
      onLine(nl !== -1 && nl <= MAX_CONTROL_LINE_BYTES ? buf.subarray(0, nl).toString('utf8') : undefined);
    }
  });
}

export interface ControlLog {
  warn(msg: string, fields?: Record<string, string | number>): void;
}

export class ControlServer {
  #server: Server | undefined;

  constructor(
    readonly path: string,
    private readonly handle: (req: ControlRequest) => Promise<ControlResponse>,
    private readonly log: ControlLog,
  ) {
    checkSocketPath(path);
  }

  async listen(): Promise<void> {
    rmSync(this.path, { force: true });
    const server = createServer((sock) => this.#onConnection(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.log.warn('control_socket_error', { error: e.message }));
    chmodSync(this.path, 0o600);
    this.#server = server;
  }

  #onConnection(sock: Socket): void {
    sock.setTimeout(SERVER_IDLE_MS, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    readOneLine(sock, (line) => {
      const req = line === undefined ? undefined : decodeControlRequest(line);
      const reply = (res: ControlResponse): void => {
        if (!sock.destroyed) sock.end(JSON.stringify(res) + '\n');
      };
      if (req === undefined) {
        reply({ ok: false, code: 'bad_request', error: 'malformed control request' });
        return;
      }
      this.handle(req).then(reply, () => reply({ ok: false, code: 'internal', error: 'internal error' }));
    });
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Don't wait for lingering clients.
      setImmediate(() => resolve());
    });
    rmSync(this.path, { force: true });
  }
}

/** Sends one request to the agent's control socket. Throws ControlError when no agent answers. */
export function controlRequest(path: string, req: ControlRequest, timeoutMs: number): Promise<ControlResponse> {
  return new Promise<ControlResponse>((resolve, reject) => {
    let settled = false;
    const sock = createConnection(path);
    const fail = (e: ControlError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new ControlError('timeout', `the dev agent did not answer on ${path} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const absent = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      fail(new ControlError(absent ? 'absent' : 'protocol', `cannot reach the dev agent on ${path}: ${e.code ?? e.message}`));
    });
    sock.on('connect', () => sock.write(encodeControlRequest(req) + '\n'));
    sock.on('end', () => fail(new ControlError('protocol', `the dev agent closed ${path} without an answer`)));
    readOneLine(sock, (line) => {
      const res = line === undefined ? undefined : decodeControlResponse(line);
      if (res === undefined) {
        fail(new ControlError('protocol', `unreadable answer from the dev agent on ${path}`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(res);
    });
  });
}
