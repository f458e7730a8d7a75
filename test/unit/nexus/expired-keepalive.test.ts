// A peer certificate that expires while its kept-alive connection stays open
// is not honoured afterwards: on real TLS servers (the Nexus app wired as
// nexus.ts wires it, and the Keeper server), a request before the client
// certificate's notAfter is answered, the next one on the same socket after
// it gets 401 and the connection is closed. Also: the per-peer connection cap.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { attachMtlsServer, ConnectionLimitError, mtlsServerOptions, peerCertificateState, peerSpiffeId } from '../../../src/spiffe/tlsconfig.js';
import { authorizeAny } from '../../../src/spiffe/authorizer.js';
import { X509Source } from '../../../src/spiffe/workloadapi.js';
import { buildNexusApp } from '../../../src/nexus/server/app.js';
import type { NexusRoute } from '../../../src/nexus/routes/route.js';
import type { NexusRouteName } from '../../../src/protocol/paths.js';
import { startKeeperServer, type RunningKeeperServer } from '../../../src/keeper/server.js';
import { keeperPeerPolicy } from '../../../src/keeper/policy.js';
import { ShardStore } from '../../../src/keeper/shard-store.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { RawHttpsConnection, waitUntilPast } from '../../helpers/raw-https.js';
import { captureLogger } from './fixtures.js';

const TD = 'spike.ist';
const NEXUS = `spiffe://${TD}/spike/nexus`;
const KEEPER = `spiffe://${TD}/spike/keeper/1`;
const SUPERUSER = `spiffe://${TD}/spike/pilot/role/superuser`;
const GET = '/v1/store/secrets?action=get';

let ca: TestCa;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ca = await createTestCa(TD);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sourceFor(id: string): Promise<X509Source> {
  const api = await FakeWorkloadApi.start();
  api.setResponse(svidResponse(ca, await ca.issue(id)));
  const source = await X509Source.create({ address: api.address, timeoutMs: 5000 });
  source.on('error', () => {});
  cleanups.push(async () => {
    await source.close();
    await api.close();
  });
  return source;
}

/** The exact notAfter the certificate carries (X.509 times have whole seconds). */
const notAfterOf = (svid: TestSvid): Date => new Date(Date.parse(new X509Certificate(svid.leafDer).validTo));

async function shortLived(id: string, ms: number): Promise<TestSvid> {
  return ca.issue(id, { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + ms) });
}

async function connect(port: number, svid: TestSvid): Promise<RawHttpsConnection> {
  const c = await RawHttpsConnection.open({ port, certPem: svid.certPem, keyPem: svid.keyPem, caPem: ca.certPem });
  cleanups.push(() => c.destroy());
  return c;
}

/** A route that answers 200 to anyone (the expiry check must come before any route). */
const okRoute = (name: NexusRouteName): NexusRoute => ({
  name,
  badRequest: () => '{"err":"api_bad_request"}',
  handle: async () => ({ status: 200, body: '{"data":{}}' }),
});

async function nexusApp(perPeer?: number): Promise<{ app: FastifyInstance; port: number; rejects: Error[] }> {
  const source = await sourceFor(NEXUS);
  const app = buildNexusApp({
    routes: new Map([['secretGet', okRoute('secretGet')]]),
    backend: 'memory',
    isReady: () => true,
    log: captureLogger().log,
    peerIdOf: (req) => peerSpiffeId(req.raw.socket as TLSSocket)?.toString(),
    peerCertificateState: (req) => peerCertificateState(req.raw.socket as TLSSocket),
    https: mtlsServerOptions(source),
  });
  const rejects: Error[] = [];
  const detach = attachMtlsServer(app.server as unknown as TlsServer, source, authorizeAny(), {
    ...(perPeer !== undefined ? { maxConnectionsPerPeer: perPeer } : {}),
    onReject: (e) => rejects.push(e),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    detach();
    await app.close();
  });
  return { app, port: (app.server.address() as AddressInfo).port, rejects };
}

describe('Nexus: a kept-alive connection does not outlive the client certificate', () => {
  it('200 before notAfter; after it, on the same socket: 401 with the route body and the connection closed', async () => {
    const { port } = await nexusApp();
    const svid = await shortLived(SUPERUSER, 3_000);
    const c = await connect(port, svid);
    const first = await c.request(GET, '{"path":"a"}');
    expect(first.status).toBe(200);
    await waitUntilPast(notAfterOf(svid));
    const second = await c.request(GET, '{"path":"a"}');
    expect(second.status).toBe(401);
    expect(second.body).toBe('{"data":null,"err":"access_unauthorized"}');
    expect(second.headers.connection).toBe('close');
    await c.closed;
    expect(c.isClosed).toBe(true);
  });

  it('a long-lived certificate keeps being served on the same socket', async () => {
    const { port } = await nexusApp();
    const c = await connect(port, await ca.issue(SUPERUSER));
    for (let i = 0; i < 3; i++) expect((await c.request(GET, '{"path":"a"}')).status).toBe(200);
    expect(c.isClosed).toBe(false);
  });
});

describe('Keeper: a kept-alive connection does not outlive the client certificate', () => {
  it('answered before notAfter; 401 and closed after it, on the same socket', async () => {
    const source = await sourceFor(KEEPER);
    const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
    const server: RunningKeeperServer = await startKeeperServer(
      { source, policy: keeperPeerPolicy(roots), store: new ShardStore(), logger: captureLogger().log },
      { host: '127.0.0.1', port: 0 },
    );
    cleanups.push(() => server.close());
    const svid = await shortLived(NEXUS, 3_000);
    const c = await connect(server.port, svid);
    const first = await c.request('/v1/store/shard', '{}');
    expect(first.status).not.toBe(401);
    await waitUntilPast(notAfterOf(svid));
    const second = await c.request('/v1/store/shard', '{}');
    expect(second.status).toBe(401);
    expect(second.body).toBe('{"err":"access_unauthorized"}');
    await c.closed;
  });
});

describe('per-peer connection cap', () => {
  it('the N+1-th connection of one peer is closed after the handshake; another peer still connects', async () => {
    const { port, rejects } = await nexusApp(2);
    const a = await ca.issue(SUPERUSER);
    const b = await ca.issue(`spiffe://${TD}/workload/other`);
    const a1 = await connect(port, a);
    const a2 = await connect(port, a);
    expect((await a1.request(GET, '{}')).status).toBe(200);
    expect((await a2.request(GET, '{}')).status).toBe(200);
    const a3 = await connect(port, a);
    await a3.closed;
    expect(rejects.some((e) => e instanceof ConnectionLimitError && e.peerId === SUPERUSER)).toBe(true);
    const b1 = await connect(port, b);
    expect((await b1.request(GET, '{}')).status).toBe(200);
    // closing one of A's connections frees a slot
    a1.destroy();
    await a1.closed;
    // the server learns of the close asynchronously: retry until a connection is admitted
    let r: Awaited<ReturnType<RawHttpsConnection['response']>> | undefined;
    while (r === undefined) {
      const a4 = await connect(port, a);
      a4.send(GET, '{}');
      r = await a4.response().catch(() => undefined);
    }
    expect(r.status).toBe(200);
  });
});
