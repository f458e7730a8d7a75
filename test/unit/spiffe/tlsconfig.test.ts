import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { authorizeAny, authorizeId, authorizeIf, type Authorizer } from '../../../src/spiffe/authorizer.js';
import { attachMtlsServer, mtlsClientOptions, mtlsServerOptions, peerSpiffeId } from '../../../src/spiffe/tlsconfig.js';
import { X509Source } from '../../../src/spiffe/workloadapi.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';

const SERVER_ID = 'spiffe://example.org/server';
const CLIENT_ID = 'spiffe://example.org/client';

let ca: TestCa;
let otherTd: TestCa; // other.org
let rogue: TestCa; // example.org, but not in the bundle
const apis: FakeWorkloadApi[] = [];
const sources: X509Source[] = [];
const servers: tls.Server[] = [];
const sockets = new Set<tls.TLSSocket>();

beforeAll(async () => {
  ca = await createTestCa('example.org');
  otherTd = await createTestCa('other.org');
  rogue = await createTestCa('example.org');
});

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const s of sources.splice(0)) await s.close();
  for (const a of apis.splice(0)) await a.close();
});
afterAll(() => undefined);

/** An X509Source fed by its own fake Workload API. */
async function sourceWith(svid: TestSvid, issuer: TestCa = ca, federated: TestCa[] = []): Promise<{ api: FakeWorkloadApi; source: X509Source }> {
  const api = await FakeWorkloadApi.start();
  apis.push(api);
  api.setResponse(svidResponse(issuer, svid, federated));
  const source = await X509Source.create({ address: api.address, timeoutMs: 5000 });
  source.on('error', () => {});
  sources.push(source);
  return { api, source };
}

function track(s: tls.TLSSocket): tls.TLSSocket {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
  return s;
}

/** Answers "pong <peer id>" to any data on authorized connections. */
async function listen(server: tls.Server): Promise<number> {
  servers.push(server);
  server.on('secureConnection', (s) => {
    track(s);
    s.on('error', () => {});
    s.on('data', () => {
      if (!s.destroyed) s.write(`pong ${peerSpiffeId(s)?.toString() ?? 'unknown'}`);
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function spiffeServer(source: X509Source, authorize: Authorizer): Promise<{ port: number; rejects: Error[] }> {
  const server = tls.createServer(mtlsServerOptions(source));
  const rejects: Error[] = [];
  attachMtlsServer(server, source, authorize, { onReject: (e) => rejects.push(e) });
  return { port: await listen(server), rejects };
}

/** A plain TLS server presenting `svid` (to test the client side). */
async function plainServer(svid: TestSvid): Promise<number> {
  return listen(tls.createServer({ cert: svid.certPem, key: svid.keyPem, minVersion: 'TLSv1.2' }));
}

type Outcome = { ok: true; reply: string; reused: boolean; session?: Buffer } | { ok: false; error: string };

/** Connects, sends "ping", waits for the reply or the end. */
function exchange(port: number, opts: tls.ConnectionOptions, wantSession = false): Promise<Outcome> {
  return new Promise((resolve) => {
    let session: Buffer | undefined;
    let reply: string | undefined;
    let settled = false;
    const done = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(o);
    };
    const socket = track(tls.connect({ ...opts, host: '127.0.0.1', port }));
    const maybeDone = (): void => {
      if (reply !== undefined && (!wantSession || session !== undefined)) {
        done({ ok: true, reply, reused: socket.isSessionReused(), ...(session ? { session } : {}) });
      }
    };
    socket.on('session', (s: Buffer) => {
      session = s;
      maybeDone();
    });
    socket.on('secureConnect', () => socket.write('ping'));
    socket.on('data', (d: Buffer) => {
      reply = d.toString();
      maybeDone();
    });
    socket.on('error', (e) => done({ ok: false, error: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` }));
    socket.on('close', () => done({ ok: false, error: 'closed' }));
  });
}

describe('mTLS between two X509Sources', () => {
  it('the right IDs connect, and the server records the peer ID', async () => {
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const { port } = await spiffeServer(server.source, authorizeId(CLIENT_ID));
    const o = await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)));
    expect(o).toMatchObject({ ok: true, reply: `pong ${CLIENT_ID}` });
  });

  it('works over TLS 1.2 too', async () => {
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const { port } = await spiffeServer(server.source, authorizeAny());
    const o = await exchange(port, { ...mtlsClientOptions(client.source, authorizeId(SERVER_ID)), maxVersion: 'TLSv1.2' });
    expect(o).toMatchObject({ ok: true, reply: `pong ${CLIENT_ID}` });
  });

  it('a client without a certificate is refused', async () => {
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const { port } = await spiffeServer(server.source, authorizeAny());
    const o = await exchange(port, { ca: [ca.certPem], rejectUnauthorized: false });
    expect(o.ok).toBe(false);
  });
});

describe('client side: the server presents a bad SVID', () => {
  it.each([
    ['a wrong ID', async () => ca.issue('spiffe://example.org/impostor'), /unauthorized SPIFFE ID: 'spiffe:\/\/example.org\/impostor'/],
    ['another trust domain', async () => otherTd.issue('spiffe://other.org/server'), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/],
    ['a cert not from the bundle', async () => rogue.issue(SERVER_ID), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/],
    ['a CA certificate as leaf', async () => ca.issue(SERVER_ID, { ca: true, keyUsage: 1 }), /leaf certificate "spiffe:\/\/example.org\/server" must not be a CA/],
  ])('refuses %s', async (_name, make, why) => {
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const port = await plainServer(await make());
    const o = await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)));
    expect(o).toMatchObject({ ok: false, error: expect.stringMatching(why) });
  });

  it('refuses a federated trust domain signing for ours (per-domain bundle check)', async () => {
    // The client trusts both example.org and other.org; other.org's CA issues a leaf claiming example.org.
    const client = await sourceWith(await ca.issue(CLIENT_ID), ca, [otherTd]);
    const port = await plainServer(await otherTd.issue(SERVER_ID));
    const o = await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)));
    expect(o).toMatchObject({ ok: false, error: expect.stringMatching(/not signed by an authority of the "example.org" bundle/) });
    // control: a genuine other.org server is accepted by the same client
    const good = await plainServer(await otherTd.issue('spiffe://other.org/server'));
    expect(await exchange(good, mtlsClientOptions(client.source, authorizeAny()))).toMatchObject({ ok: true });
  });
});

describe('server side: the client presents a bad SVID', () => {
  async function serverExpecting(authorize: Authorizer, federated: TestCa[] = []) {
    const server = await sourceWith(await ca.issue(SERVER_ID), ca, federated);
    return spiffeServer(server.source, authorize);
  }
  const clientOpts = (svid: TestSvid): tls.ConnectionOptions => ({
    cert: svid.certPem,
    key: svid.keyPem,
    rejectUnauthorized: false, // this test is about the server's decision
  });

  it('refuses a wrong ID (and records nothing)', async () => {
    const { port, rejects } = await serverExpecting(authorizeId(CLIENT_ID));
    const o = await exchange(port, clientOpts(await ca.issue('spiffe://example.org/impostor')));
    expect(o.ok).toBe(false);
    expect(rejects.map((e) => e.message)).toEqual(["unauthorized SPIFFE ID: 'spiffe://example.org/impostor'"]);
    // control
    expect(await exchange(port, clientOpts(await ca.issue(CLIENT_ID)))).toMatchObject({ ok: true, reply: `pong ${CLIENT_ID}` });
  });

  it('refuses another trust domain and a cert not from the bundle', async () => {
    const { port } = await serverExpecting(authorizeAny());
    expect((await exchange(port, clientOpts(await otherTd.issue('spiffe://other.org/c')))).ok).toBe(false);
    expect((await exchange(port, clientOpts(await rogue.issue(CLIENT_ID)))).ok).toBe(false);
  });

  it('refuses a federated trust domain signing for ours', async () => {
    const { port, rejects } = await serverExpecting(authorizeAny(), [otherTd]);
    const o = await exchange(port, clientOpts(await otherTd.issue(CLIENT_ID)));
    expect(o.ok).toBe(false);
    expect(rejects[0]?.message).toMatch(/not signed by an authority of the "example.org" bundle/);
    expect(await exchange(port, clientOpts(await otherTd.issue('spiffe://other.org/c')))).toMatchObject({ ok: true });
  });

  it('a resumed TLS session cannot skip authorization', async () => {
    let allowed = true;
    const { port, rejects } = await serverExpecting(authorizeIf(() => allowed, 'allowed'));
    const svid = await ca.issue(CLIENT_ID);
    const base = { ...clientOpts(svid), maxVersion: 'TLSv1.2' as const };
    for (const opts of [base, { ...clientOpts(svid) }]) {
      allowed = true;
      const first = await exchange(port, opts, true);
      expect(first).toMatchObject({ ok: true });
      const session = first.ok ? first.session : undefined;
      expect(session).toBeInstanceOf(Buffer);
      const resumed = await exchange(port, { ...opts, session });
      expect(resumed).toMatchObject({ ok: true, reused: true, reply: `pong ${CLIENT_ID}` });
      allowed = false;
      const refused = await exchange(port, { ...opts, session });
      expect(refused.ok).toBe(false);
    }
    expect(rejects.length).toBe(2);
  });
});

describe('rotation', () => {
  it('new connections use the new SVID without restarting the server', async () => {
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const { port } = await spiffeServer(server.source, authorizeAny());
    expect(await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)))).toMatchObject({ ok: true });

    const rotated = new Promise((r) => server.source.once('update', r));
    server.api.setResponse(svidResponse(ca, await ca.issue('spiffe://example.org/server2')));
    await rotated;
    expect(await exchange(port, mtlsClientOptions(client.source, authorizeId('spiffe://example.org/server2')))).toMatchObject({ ok: true });
    expect((await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)))).ok).toBe(false);
  });

  it('the client side picks up its own rotated SVID', async () => {
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const { port } = await spiffeServer(server.source, authorizeAny());
    const rotated = new Promise((r) => client.source.once('update', r));
    client.api.setResponse(svidResponse(ca, await ca.issue('spiffe://example.org/client2')));
    await rotated;
    expect(await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)))).toMatchObject({
      ok: true,
      reply: 'pong spiffe://example.org/client2',
    });
  });
});

describe('https with a session-caching agent', () => {
  it('mtlsClientOptions defeat the agent session cache, so every request is verified', async () => {
    const https = await import('node:https');
    const server = await sourceWith(await ca.issue(SERVER_ID));
    const client = await sourceWith(await ca.issue(CLIENT_ID));
    const httpsServer = https.createServer(mtlsServerOptions(server.source), (req, res) => {
      res.end(peerSpiffeId(req.socket as tls.TLSSocket)?.toString() ?? 'none');
    });
    attachMtlsServer(httpsServer, server.source, authorizeAny());
    const port = await listen(httpsServer);
    const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 10 });
    let checks = 0;
    const authorize: Authorizer = (id) => {
      checks++;
      authorizeId(SERVER_ID)(id);
    };
    try {
      for (let i = 0; i < 3; i++) {
        const { body, reused } = await new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
          const req = https.request(
            { ...mtlsClientOptions(client.source, authorize), host: '127.0.0.1', port, path: '/', method: 'GET', agent },
            (res) => {
              let b = '';
              res.on('data', (d: Buffer) => (b += d.toString()));
              res.on('end', () => resolve({ body: b, reused: (res.socket as tls.TLSSocket).isSessionReused() }));
            },
          );
          req.on('error', reject);
          req.end();
        });
        expect(body).toBe(CLIENT_ID);
        expect(reused).toBe(false);
      }
      expect(checks).toBe(3);
    } finally {
      agent.destroy();
    }
  });
});

describe('intermediate CAs', () => {
  it('peers whose SVIDs come from an intermediate are verified on both sides', async () => {
    const inter = await ca.child();
    const server = await sourceWith(await inter.issue(SERVER_ID));
    const client = await sourceWith(await inter.issue(CLIENT_ID));
    expect(client.source.getX509Svid().chain).toHaveLength(2);
    const { port } = await spiffeServer(server.source, authorizeId(CLIENT_ID));
    const o = await exchange(port, mtlsClientOptions(client.source, authorizeId(SERVER_ID)), true);
    expect(o).toMatchObject({ ok: true, reply: `pong ${CLIENT_ID}` });
    // resumption with an intermediate in the client's chain still verifies
    const resumed = await exchange(port, { ...mtlsClientOptions(client.source, authorizeId(SERVER_ID)), session: o.ok ? o.session : undefined });
    expect(resumed).toMatchObject({ ok: true, reused: true, reply: `pong ${CLIENT_ID}` });
  });
});
