// The lingering close on the real Keeper server over mTLS (startKeeperServer,
// as main.ts starts it): an answer that closes the connection while the
// client is still writing its body (a body past the limit, announced or
// streamed; a peer certificate past its notAfter on a kept-alive connection)
// must always reach the client complete, no TCP reset discarding it. As in
// test/unit/nexus/lingering-close.test.ts the clients run in a child process
// (test/helpers/flood-client.ts).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { X509Source } from '../../../src/spiffe/workloadapi.js';
import { startKeeperServer } from '../../../src/keeper/server.js';
import { keeperPeerPolicy } from '../../../src/keeper/policy.js';
import { ShardStore } from '../../../src/keeper/shard-store.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { flood as floodWith, type FloodOptions } from '../../helpers/flood-client.js';
import { captureLogger } from '../nexus/fixtures.js';

const TD = 'spike.ist';
const KEEPER = `spiffe://${TD}/spike/keeper/1`;
const NEXUS = `spiffe://${TD}/spike/nexus`;
const CONTRIBUTE = '/v1/store/contribute';
const SHARD = '/v1/store/shard';
// upstream's answers (spike-sdk-go api/errors: ErrAccessUnauthorized, ErrAPIBadRequest)
const UNAUTHORIZED = '{"err":"access_unauthorized"}';
const BAD_REQUEST = '{"err":"api_bad_request"}';

let ca: TestCa;
let nexus: TestSvid;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ca = await createTestCa(TD);
  nexus = await ca.issue(NEXUS);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function keeper(): Promise<number> {
  const api = await FakeWorkloadApi.start();
  api.setResponse(svidResponse(ca, await ca.issue(KEEPER)));
  const source = await X509Source.create({ address: api.address, timeoutMs: 5000 });
  source.on('error', () => {});
  const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
  const server = await startKeeperServer({ source, policy: keeperPeerPolicy(roots), store: new ShardStore(), logger: captureLogger().log }, { host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    await server.close();
    await source.close();
    await api.close();
  });
  return server.port;
}

const head = (path: string, length: number): string => `POST ${path} HTTP/1.1\r\nhost: keeper\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
/** A chunked body of one endless chunk: the body limit trips in the middle of it. */
const endlessChunkedHead = `POST ${CONTRIBUTE} HTTP/1.1\r\nhost: keeper\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${(1024 * 1024 * 1024).toString(16)}\r\n`;

/** A header that never ends (the spaces sent after the "a" are part of its value): Node's header size limit (16 KiB) trips in the middle of it. */
const endlessHeaderHead = `POST ${CONTRIBUTE} HTTP/1.1\r\nhost: keeper\r\nx-padding: a`;
/** fastify's default answer to headers too large (test/unit/common/client-error.test.ts checks ours is the same). */
const HEADERS_TOO_LARGE = '{"error":"Request Header Fields Too Large","message":"Exceeded maximum allowed HTTP header size","statusCode":431}';

const flood = (o: Omit<FloodOptions, 'caPem'>): Promise<string[]> => floodWith({ ...o, caPem: ca.certPem });

describe('Keeper: an answer that closes the connection while the client is still sending its body (clients of another process)', () => {
  it('announced body past the limit: every client reads the complete 400', async () => {
    const port = await keeper();
    expect(await flood({ port, svid: nexus, head: head(CONTRIBUTE, 64 * 1024 * 1024), rounds: 5, parallel: 16 })).toEqual(Array(80).fill(`400 ${BAD_REQUEST}`));
  }, 60_000);

  it('chunked body that goes past the limit while it is read: every client reads the complete 400', async () => {
    const port = await keeper();
    expect(await flood({ port, svid: nexus, head: endlessChunkedHead, rounds: 5, parallel: 16 })).toEqual(Array(80).fill(`400 ${BAD_REQUEST}`));
  }, 60_000);

  it('headers past the size limit (the HTTP parser gives up, clientError): every client reads the complete 431', async () => {
    const port = await keeper();
    expect(await flood({ port, svid: nexus, head: endlessHeaderHead, rounds: 5, parallel: 16 })).toEqual(Array(80).fill(`431 ${HEADERS_TOO_LARGE}`));
  }, 60_000);

  it('peer certificate past its notAfter on a kept-alive connection: every client reads the complete 401', async () => {
    const port = await keeper();
    // 48 connections, each answered once while the certificate is valid, then refused from the headers of the next request
    const svid = await ca.issue(NEXUS, { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 4_000) });
    const notAfter = Date.parse(new X509Certificate(svid.leafDer).validTo);
    const warmup = `${head(SHARD, 2)}{}`;
    const answers = await flood({ port, svid, head: head(SHARD, 64 * 1024 * 1024), rounds: 1, parallel: 48, warmup, startAt: notAfter });
    expect(answers).toEqual(Array(48).fill(`401 ${UNAUTHORIZED}`));
  }, 60_000);
});
