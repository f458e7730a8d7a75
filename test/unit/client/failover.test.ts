// The failover client over the real mTLS transport, against fake replicas on
// local ports: a port held but not listening (refused), a TLS server with a
// wrong SPIFFE ID (identity → stop), servers that drop the TCP connection
// before TLS, never speak TLS, reset after reading a request, or answer 503.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { createHttpsJsonClient, type SpikeHttpClient } from '../../../src/client/transport.js';
import { createFailoverClient, type FailoverClient } from '../../../src/client/failover.js';
import { ClientError } from '../../../src/client/errors.js';
import { isNexus } from '../../../src/protocol/roles.js';
import { authorizeIf } from '../../../src/spiffe/authorizer.js';
import { mtlsClientCredentials, verifyMtlsServer } from '../../../src/spiffe/tlsconfig.js';
import { parseX509SvidResponse, StaticX509Source } from '../../../src/spiffe/x509context.js';
import { ACTION_GET, PATH_OPERATOR_RESTORE, PATH_SECRETS, urlFor } from '../../../src/protocol/paths.js';

const TD = 'spike.ist';
const NEXUS = `spiffe://${TD}/spike/nexus`;
const PILOT = `spiffe://${TD}/spike/pilot/role/superuser`;

let ca: TestCa;
let pilot: StaticX509Source;
let nexusSvid: TestSvid;
const closers: (() => Promise<void> | void)[] = [];

/** The Pilot's check of the server, as src/client/http.ts: its chain verified against our CA's bundle, a SPIKE Nexus ID (src/pilot/nexus/identity.ts). */
const isNexusId = authorizeIf((id) => isNexus(id, [TD]), 'a SPIKE Nexus ID');
function verifyServer(socket: TLSSocket): void {
  verifyMtlsServer(socket, pilot.getBundles(), isNexusId);
}

function client(bases: URL[], connectTimeoutMs?: number, timeoutMs = 10_000): FailoverClient {
  const inner: SpikeHttpClient = createHttpsJsonClient({
    tlsOptions: () => mtlsClientCredentials(pilot),
    verifyServer,
    timeoutMs,
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  });
  const c = createFailoverClient(inner, bases);
  closers.push(() => c.close());
  return c;
}

interface Replica {
  url: URL;
  /** Requests read (path?query). */
  seen: string[];
}

/** An mTLS server presenting `svid`; `handler` undefined answers 200 `{"at":<port>}`. */
async function replica(svid: TestSvid, handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Replica> {
  const seen: string[] = [];
  const server = https.createServer({ cert: svid.certPem, key: svid.keyPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push(req.url ?? '');
    if (handler) return handler(req, res);
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ at: (server.address() as AddressInfo).port })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));
  return { url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`), seen };
}

/** A plain TCP server: `onSocket` decides what happens to each connection. */
async function tcpServer(onSocket: (s: net.Socket) => void): Promise<URL> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/**
 * A port held but not listening: the local end of a connection we keep open
 * (nothing else can bind it meanwhile), so connecting to it is refused.
 */
async function heldPort(): Promise<URL> {
  const target = await tcpServer(() => undefined);
  const sock = net.connect(Number(target.port), '127.0.0.1');
  await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
  closers.push(() => void sock.destroy());
  return new URL(`https://127.0.0.1:${sock.localPort as number}`);
}

const body = (s = '{}'): Buffer => Buffer.from(s);
const put = (c: FailoverClient): URL => urlFor(c.base, PATH_SECRETS); // secretPut: not idempotent
const get = (c: FailoverClient): URL => urlFor(c.base, PATH_SECRETS, ACTION_GET); // secretGet: idempotent

async function failure(p: Promise<unknown>): Promise<ClientError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ClientError);
  return e as ClientError;
}

const portOf = (u: URL): number => Number(u.port);
const answeredBy = (res: { body: Buffer }): number => (JSON.parse(res.body.toString()) as { at: number }).at;

beforeAll(async () => {
  ca = await createTestCa(TD);
  pilot = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(PILOT))));
  nexusSvid = await ca.issue(NEXUS);
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('createFailoverClient', () => {
  it('a refused first URL: reads and writes go to the second', async () => {
    const dead = await heldPort();
    const live = await replica(nexusSvid);
    const c = client([dead, live.url]);
    expect(answeredBy(await c.postJson(get(c), body()))).toBe(portOf(live.url));
    expect(answeredBy(await c.postJson(put(c), body()))).toBe(portOf(live.url));
    expect(live.seen).toEqual(['/v1/store/secrets?action=get', '/v1/store/secrets']);
  });

  it('keeps the base path prefix of each URL', async () => {
    const dead = await heldPort();
    const live = await replica(nexusSvid);
    const c = client([new URL(`${dead.href}a/`), new URL(`${live.url.href}b`)]);
    await c.postJson(urlFor(c.base, PATH_OPERATOR_RESTORE), body());
    expect(live.seen).toEqual(['/b/v1/operator/restore']);
  });

  it('a server with a wrong SPIFFE ID: identity failure, the next URL is never tried', async () => {
    const keeperSvid = await ca.issue(`spiffe://${TD}/spike/keeper/1`);
    const impostor = await replica(keeperSvid);
    const live = await replica(nexusSvid);
    const c = client([impostor.url, live.url]);
    for (const url of [get(c), put(c)]) {
      const e = await failure(c.postJson(url, body()));
      expect(e.kind).toBe('identity');
      expect(e.message).toContain('spike/keeper/1');
    }
    expect(impostor.seen).toEqual([]);
    expect(live.seen).toEqual([]);
  });

  it('a connection reset after a non-idempotent request was read: not re-sent, a clear error', async () => {
    const resetting = await replica(nexusSvid, (req) => {
      req.resume();
      req.on('end', () => req.socket.destroy()); // no answer: the client sees the connection reset
    });
    const live = await replica(nexusSvid);
    const c = client([resetting.url, live.url]);
    const e = await failure(c.postJson(put(c), body('{"path":"a","values":{"k":"v"}}')));
    expect(e.kind).toBe('transport');
    expect(e.message).toContain(`may have reached ${resetting.url.origin}`);
    expect(e.message).toContain('not re-sent');
    expect(e.message.includes('\n')).toBe(false);
    expect(resetting.seen).toEqual(['/v1/store/secrets']);
    expect(live.seen).toEqual([]);
  });

  it('the same reset for an idempotent request: re-sent to the next URL', async () => {
    const resetting = await replica(nexusSvid, (req) => {
      req.resume();
      req.on('end', () => req.socket.destroy()); // no answer: the client sees the connection reset
    });
    const live = await replica(nexusSvid);
    const c = client([resetting.url, live.url]);
    expect(answeredBy(await c.postJson(get(c), body()))).toBe(portOf(live.url));
    expect(resetting.seen).toEqual(['/v1/store/secrets?action=get']);
  });

  it('no answer in time after the request was read: a read moves on, a write stops', async () => {
    const mute = await replica(nexusSvid, (req) => req.resume());
    const live = await replica(nexusSvid);
    const r = client([mute.url, live.url], undefined, 300);
    expect(answeredBy(await r.postJson(get(r), body()))).toBe(portOf(live.url));
    const w = client([mute.url, live.url], undefined, 300);
    const e = await failure(w.postJson(put(w), body()));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain(`may have reached ${mute.url.origin} and is not re-sent`);
    expect(live.seen).toEqual(['/v1/store/secrets?action=get']);
  });

  it('a TLS handshake that fails on the transport (connection closed at once): any request moves on', async () => {
    const closing = await tcpServer((s) => s.destroy());
    const live = await replica(nexusSvid);
    const c = client([closing, live.url]);
    expect(answeredBy(await c.postJson(put(c), body()))).toBe(portOf(live.url));
  });

  it('a host that never completes TLS: after the connect deadline, any request moves on', async () => {
    const silent = await tcpServer(() => undefined);
    const live = await replica(nexusSvid);
    const c = client([silent, live.url], 200);
    expect(answeredBy(await c.postJson(put(c), body()))).toBe(portOf(live.url));
    // the reason is the connect deadline, not the call's (10 s) deadline
    const alone = client([silent], 200);
    const e = await failure(alone.postJson(put(alone), body()));
    expect([e.kind, e.maybeSent, e.message]).toEqual(['transport', false, `cannot reach ${silent.origin}: no TLS connection within 200 ms`]);
  });

  it('503 (no root key yet): a read moves on, a write gets the answer', async () => {
    const waiting = await replica(nexusSvid, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503).end('{"err":"state_not_ready"}'));
    });
    const live = await replica(nexusSvid);
    const w = client([waiting.url, live.url]);
    const res = await w.postJson(put(w), body());
    expect(res.status).toBe(503);
    expect(live.seen).toEqual([]);
    const r = client([waiting.url, live.url]);
    expect(answeredBy(await r.postJson(get(r), body()))).toBe(portOf(live.url));
    expect(live.seen).toEqual(['/v1/store/secrets?action=get']);
  });

  it('every URL fails: one line naming the URLs tried and the last reason', async () => {
    const a = await heldPort();
    const b = await heldPort();
    const c = client([a, b]);
    const e = await failure(c.postJson(get(c), body()));
    expect(e.kind).toBe('transport');
    expect(e.message).toBe(`no SPIKE Nexus reachable; tried ${a.origin}, ${b.origin} (last: cannot reach ${b.origin}: ECONNREFUSED)`);
  });

  it('every replica answers 503: the last answer is returned', async () => {
    const w = (): Promise<Replica> => replica(nexusSvid, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503).end('{}'));
    });
    const [a, b] = [await w(), await w()];
    const c = client([a.url, b.url]);
    expect((await c.postJson(get(c), body())).status).toBe(503);
    expect([a.seen.length, b.seen.length]).toEqual([1, 1]);
  });

  it('a 503 then a refused URL: the 503 answer is returned (not ready, rather than unreachable)', async () => {
    const waiting = await replica(nexusSvid, (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503).end('{}'));
    });
    const dead = await heldPort();
    const c = client([waiting.url, dead]);
    expect((await c.postJson(get(c), body())).status).toBe(503);
  });

  it('within one client, calls start at the URL that answered last', async () => {
    let connections = 0;
    const counted = await tcpServer((s) => {
      connections++;
      s.destroy();
    });
    const live = await replica(nexusSvid);
    const c = client([counted, live.url]);
    await c.postJson(put(c), body());
    await c.postJson(put(c), body());
    expect(connections).toBe(1);
    expect(live.seen.length).toBe(2);
  });

  it('one URL: the transport as it is (no list wording)', async () => {
    const dead = await heldPort();
    const c = client([dead]);
    const e = await failure(c.postJson(get(c), body()));
    expect(e.message).toBe(`cannot reach ${dead.origin}: ECONNREFUSED`);
  });
});
