// The client transport against a local mTLS server made with the test CA,
// the server checked as src/client/http.ts does (verifyMtlsServer against the
// bundle of the test CA, the server's ID pinned by an authorizer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { createHttpsJsonClient, type HttpsJsonClientOptions, type SpikeHttpClient } from '../../../src/client/transport.js';
import { ClientError } from '../../../src/client/errors.js';
import { authorizeId, type Authorizer } from '../../../src/spiffe/authorizer.js';
import { mtlsClientCredentials, verifyMtlsServer } from '../../../src/spiffe/tlsconfig.js';
import { parseX509SvidResponse, StaticX509Source } from '../../../src/spiffe/x509context.js';

const TD = 'spike.ist';
const NEXUS = `spiffe://${TD}/spike/nexus`;
const PILOT = `spiffe://${TD}/spike/pilot/role/superuser`;

let ca: TestCa;
let otherCa: TestCa;
let source: StaticX509Source;

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

async function serve(svid: TestSvid, handler: Handler): Promise<{ url: URL; close: () => Promise<void> }> {
  const server = https.createServer(
    { cert: svid.certPem, key: svid.keyPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: true },
    handler,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: new URL(`https://localhost:${port}/v1/x`),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const clients: SpikeHttpClient[] = [];
function newClient(authorize: Authorizer, timeoutMs = 5000, maxResponseBytes?: number): SpikeHttpClient {
  // As createSpikeHttpClient: our SVID with no CA, the server verified by verifyMtlsServer (never a hostname check).
  const c = createHttpsJsonClient({
    tlsOptions: () => mtlsClientCredentials(source),
    verifyServer: (socket) => {
      verifyMtlsServer(socket, source.getBundles(), authorize);
    },
    timeoutMs,
    maxResponseBytes,
  });
  clients.push(c);
  return c;
}

async function expectClientError(p: Promise<unknown>, kind: string): Promise<ClientError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ClientError);
  expect((e as ClientError).kind).toBe(kind);
  return e as ClientError;
}

let nexusSvid: TestSvid;
let echo: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  ca = await createTestCa(TD);
  otherCa = await createTestCa(TD);
  source = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(PILOT))));
  nexusSvid = await ca.issue(NEXUS);
  echo = await serve(nexusSvid, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat(chunks));
    });
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await echo.close();
});

describe('createHttpsJsonClient', () => {
  it('posts over mTLS to a server with the pinned ID (hostname is not checked)', async () => {
    const c = newClient(authorizeId(NEXUS));
    const res = await c.postJson(echo.url, Buffer.from('{"a":1}'));
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"a":1}');
    // keep-alive: a second call works as well
    expect((await c.postJson(echo.url, Buffer.from('{}'))).status).toBe(200);
  });

  it('a server with another SPIFFE ID → identity, no request sent', async () => {
    let requests = 0;
    const s = await serve(nexusSvid, (_q, r) => {
      requests++;
      r.end('{}');
    });
    try {
      const c = newClient(authorizeId(`spiffe://${TD}/spike/keeper`));
      // a pooled (idempotent) call and a one-shot one
      for (const path of ['/v1/store/secrets?action=get', '/v1/store/secrets']) {
        const e = await expectClientError(c.postJson(new URL(path, s.url), Buffer.from('{}')), 'identity');
        expect(e.message).toContain('spike/nexus');
        expect(e.maybeSent).toBe(false);
      }
      expect(requests).toBe(0);
    } finally {
      await s.close();
    }
  });

  /** A server that drops the connection, without answering, when `drop(path, k)` for the `k`th request read on that connection. */
  async function dropping(drop: (path: string, k: number) => boolean) {
    const seen = new WeakMap<object, number>();
    const got: { path: string; reused: boolean }[] = [];
    let drops = 0;
    const s = await serve(nexusSvid, (req, res) => {
      const k = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, k);
      got.push({ path: req.url ?? '', reused: k > 1 });
      if (drop(req.url ?? '', k)) {
        drops++;
        req.socket.destroy(); // as if the server closed the idle connection: no answer
        return;
      }
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    return { s, got, drops: () => drops };
  }

  it('re-sends an idempotent call once when a reused keep-alive socket turns out closed', async () => {
    const { s, got, drops } = await dropping((_p, k) => k === 2);
    try {
      const c = newClient(authorizeId(NEXUS));
      const get = new URL('/v1/store/secrets?action=get', s.url);
      expect((await c.postJson(get, Buffer.from('{}'))).status).toBe(200);
      expect((await c.postJson(get, Buffer.from('{}'))).status).toBe(200);
      expect(drops()).toBe(1);
      expect(got).toHaveLength(3); // the dropped one and its re-send
    } finally {
      await s.close();
    }
  });

  it('never re-sends a secret put that reached the server (it would create another version)', async () => {
    const { s, got, drops } = await dropping((path) => path === '/v1/store/secrets');
    try {
      const c = newClient(authorizeId(NEXUS));
      // a pooled keep-alive connection exists
      expect((await c.postJson(new URL('/v1/store/secrets?action=get', s.url), Buffer.from('{}'))).status).toBe(200);
      const before = got.length;
      const e = await expectClientError(c.postJson(new URL('/v1/store/secrets', s.url), Buffer.from('{"path":"a","values":{}}')), 'transport');
      expect(e.message).toContain('ECONNRESET');
      expect(got.slice(before)).toEqual([{ path: '/v1/store/secrets', reused: false }]);
      expect(drops()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('sends non-idempotent calls on a connection of their own, never a pooled one', async () => {
    const { s, got } = await dropping(() => false);
    try {
      const c = newClient(authorizeId(NEXUS));
      const get = new URL('/v1/store/secrets?action=get', s.url);
      await c.postJson(get, Buffer.from('{}'));
      await c.postJson(new URL('/v1/store/secrets', s.url), Buffer.from('{}'));
      await c.postJson(new URL('/v1/operator/restore', s.url), Buffer.from('{}'));
      await c.postJson(get, Buffer.from('{}'));
      expect(got.map((g) => g.reused)).toEqual([false, false, false, true]);
    } finally {
      await s.close();
    }
  });

  it('CallOptions.idempotent overrides the route table both ways', async () => {
    const { s, drops } = await dropping((_p, k) => k === 2);
    try {
      const c = newClient(authorizeId(NEXUS));
      const get = new URL('/v1/store/secrets?action=get', s.url);
      expect((await c.postJson(get, Buffer.from('{}'))).status).toBe(200);
      // declared not idempotent: a fresh connection, so it is its first request there
      expect((await c.postJson(get, Buffer.from('{}'), { idempotent: false })).status).toBe(200);
      expect(drops()).toBe(0);
      // an unknown path declared idempotent rides on the pooled connection and is re-sent
      expect((await c.postJson(s.url, Buffer.from('{}'), { idempotent: true })).status).toBe(200);
      expect(drops()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('a server certificate from another CA → identity, no request sent', async () => {
    const foreign = await otherCa.issue(NEXUS);
    let requests = 0;
    const s = await serve(foreign, (_q, r) => {
      requests++;
      r.end('{}');
    });
    try {
      const c = newClient(authorizeId(NEXUS));
      const e = await expectClientError(c.postJson(s.url, Buffer.from('{}')), 'identity');
      expect(e.message).toMatch(/not signed by an authority of the "spike.ist" bundle/);
      expect(e.maybeSent).toBe(false);
      expect(requests).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('connection refused → transport at once, not a wait for the deadline', async () => {
    // A port that refuses and that no other process can take meanwhile: the
    // local port of a TCP connection this test holds open. The connected
    // socket keeps it bound, nothing listens on it, so the kernel answers a
    // connection attempt with RST (ECONNREFUSED). (A port picked by listening
    // and then closed could be taken by another process before the call.)
    const accepted: net.Socket[] = [];
    const srv = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const holder = net.connect((srv.address() as AddressInfo).port, '127.0.0.1');
    try {
      await new Promise<void>((ok, ko) => holder.once('connect', ok).once('error', ko));
      const refusing = holder.localPort;
      if (refusing === undefined) throw new Error('the holding connection has no local port');
      const c = newClient(authorizeId(NEXUS), 10_000);
      // a transport error (not timeout) under a 10 s deadline: the refusal ended the call
      const e = await expectClientError(c.postJson(new URL(`https://127.0.0.1:${refusing}/`), Buffer.from('{}')), 'transport');
      expect(e.message).toContain('ECONNREFUSED');
    } finally {
      holder.destroy();
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('a server that never answers → timeout within the deadline', async () => {
    const s = await serve(nexusSvid, () => {
      /* never answers */
    });
    try {
      const c = newClient(authorizeId(NEXUS), 300);
      const t0 = Date.now();
      await expectClientError(c.postJson(s.url, Buffer.from('{}')), 'timeout');
      // no earlier than the deadline (an upper bound is left to `npm run bench`)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    } finally {
      await s.close();
    }
  });

  it('a per-call deadline and an abort signal end the call as timeout', async () => {
    const s = await serve(nexusSvid, () => {
      /* never answers */
    });
    try {
      // the client's own deadline is longer than the test's: only the per-call one can end this call
      const c = newClient(authorizeId(NEXUS), 120_000);
      const e = await expectClientError(c.postJson(s.url, Buffer.from('{}'), { timeoutMs: 200 }), 'timeout');
      expect(e.message).toMatch(/within 200 ms$/);
      const ac = new AbortController();
      const p = c.postJson(s.url, Buffer.from('{}'), { signal: ac.signal });
      ac.abort();
      await expectClientError(p, 'timeout');
      await expectClientError(c.postJson(s.url, Buffer.from('{}'), { signal: ac.signal }), 'timeout');
    } finally {
      await s.close();
    }
  });

  it('a TCP server that never speaks TLS → timeout (connect is under the deadline too)', async () => {
    const sockets: net.Socket[] = [];
    const srv = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const c = newClient(authorizeId(NEXUS), 300);
      const port = (srv.address() as AddressInfo).port;
      await expectClientError(c.postJson(new URL(`https://127.0.0.1:${port}/`), Buffer.from('{}')), 'timeout');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('returns non-200 answers with their body (the typed API maps them)', async () => {
    const s = await serve(nexusSvid, (_q, r) => {
      r.writeHead(401, { 'content-type': 'application/json' });
      r.end('{"err":"access_unauthorized"}');
    });
    try {
      const res = await newClient(authorizeId(NEXUS)).postJson(s.url, Buffer.from('{}'));
      expect(res.status).toBe(401);
      expect(res.body.toString()).toBe('{"err":"access_unauthorized"}');
    } finally {
      await s.close();
    }
  });

  it('hands on the Retry-After header of a 429 (absent: no field)', async () => {
    const s = await serve(nexusSvid, (q, r) => {
      r.writeHead(429, q.url === '/v1/x' ? { 'content-type': 'application/json', 'retry-after': '7' } : { 'content-type': 'application/json' });
      r.end('{"err":"api_bad_request"}');
    });
    try {
      const c = newClient(authorizeId(NEXUS));
      const res = await c.postJson(s.url, Buffer.from('{}'));
      expect(res).toMatchObject({ status: 429, retryAfter: '7' });
      const plain = await c.postJson(new URL('/v1/y', s.url), Buffer.from('{}'));
      expect(plain.status).toBe(429);
      expect('retryAfter' in plain).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('an oversized body → decode (declared or streamed)', async () => {
    const big = Buffer.alloc(4096, 0x41);
    const declared = await serve(nexusSvid, (_q, r) => {
      r.writeHead(200, { 'content-length': String(big.length) });
      r.end(big);
    });
    const chunked = await serve(nexusSvid, (_q, r) => {
      r.writeHead(200);
      r.write(big);
      r.end(big);
    });
    try {
      await expectClientError(newClient(authorizeId(NEXUS), 5000, 1024).postJson(declared.url, Buffer.from('{}')), 'decode');
      await expectClientError(newClient(authorizeId(NEXUS), 5000, 1024).postJson(chunked.url, Buffer.from('{}')), 'decode');
    } finally {
      await declared.close();
      await chunked.close();
    }
  });

  it('refuses non-https URLs and calls after close', async () => {
    const c = newClient(authorizeId(NEXUS));
    await expectClientError(c.postJson(new URL('http://127.0.0.1:1/'), Buffer.from('{}')), 'transport');
    c.close();
    await expectClientError(c.postJson(echo.url, Buffer.from('{}')), 'transport');
  });

  it('refuses to be made without a server check', () => {
    const opts = { tlsOptions: () => mtlsClientCredentials(source), timeoutMs: 1000 };
    expect(() => createHttpsJsonClient(opts as unknown as HttpsJsonClientOptions)).toThrow(/verifyServer .* is required/);
  });

  it('no SVID available → identity', async () => {
    const c = createHttpsJsonClient({
      tlsOptions: () => {
        throw new Error('source is closed');
      },
      verifyServer: () => undefined,
      timeoutMs: 1000,
    });
    clients.push(c);
    await expectClientError(c.postJson(echo.url, Buffer.from('{}')), 'identity');
  });
});
