// fetch.ts, the one-shot X.509-SVID fetch over node:http2, against the fake
// Workload API (grpc-js server); against the real dev agent: test/e2e/fetch-devagent.test.ts.
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAny } from '../../../src/spiffe/authorizer.js';
import { fetchX509Context, fetchX509Source } from '../../../src/spiffe/fetch.js';
import { mtlsClientOptions } from '../../../src/spiffe/tlsconfig.js';
import { WorkloadApiError } from '../../../src/spiffe/x509context.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';

const ID = 'spiffe://example.org/workload';
const FAST = { stepMs: 20, maxMs: 100 };
let ca: TestCa;
let svid: TestSvid;
const apis: FakeWorkloadApi[] = [];

beforeAll(async () => {
  ca = await createTestCa('example.org');
  svid = await ca.issue(ID);
});

afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
});

async function fake(opts: { tcp?: boolean } = {}): Promise<FakeWorkloadApi> {
  const api = await FakeWorkloadApi.start(opts);
  apis.push(api);
  return api;
}

describe('fetchX509Context (fake Workload API)', () => {
  it('fetches and verifies the SVID and bundle, sending the security header', async () => {
    const api = await fake();
    api.setResponse(svidResponse(ca, svid));
    const ctx = await fetchX509Context({ address: api.address, timeoutMs: 5000 });
    expect(ctx.svids.map((s) => s.id.toString())).toEqual([ID]);
    expect(ctx.svids[0]?.chainDer[0]?.equals(svid.leafDer)).toBe(true);
    expect(ctx.bundles.getX509BundleForTrustDomain('example.org')?.authorities[0]?.fingerprint256).toBe(ca.root.fingerprint256);
    expect(api.calls).toBe(1);
    expect(api.callsWithoutHeader).toBe(0);
    await api.waitFor(() => api.openStreams === 0); // the stream is closed after the first message
  });

  it('works over tcp:// too', async () => {
    const api = await fake({ tcp: true });
    api.setResponse(svidResponse(ca, svid));
    const ctx = await fetchX509Context({ address: api.address, timeoutMs: 5000 });
    expect(ctx.svids[0]?.id.toString()).toBe(ID);
  });

  it('retries PERMISSION_DENIED until an identity is issued', async () => {
    const api = await fake();
    api.setResponse(null);
    const p = fetchX509Context({ address: api.address, timeoutMs: 5000, backoff: FAST });
    await api.waitFor(() => api.calls >= 2);
    api.setResponse(svidResponse(ca, svid));
    expect((await p).svids[0]?.id.toString()).toBe(ID);
  });

  it('retries UNAVAILABLE and a missing socket until the server shows up', async () => {
    const api = await fake();
    await api.stop();
    const p = fetchX509Context({ address: api.address, timeoutMs: 5000, backoff: FAST });
    await new Promise((r) => setTimeout(r, 100)); // a few failed connects (nothing to wait on: no server)
    api.setResponse(svidResponse(ca, svid));
    await api.restart();
    expect((await p).svids[0]?.id.toString()).toBe(ID);
  });

  it('times out naming the socket and PERMISSION_DENIED', async () => {
    const api = await fake();
    api.setResponse(null);
    const err = await fetchX509Context({ address: api.address, timeoutMs: 300, backoff: FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadApiError);
    expect((err as Error).message).toContain(api.address);
    expect((err as Error).message).toMatch(/within 300ms: PERMISSION_DENIED: no identity issued/);
  });

  it('times out naming the socket when there is no server', async () => {
    const address = `unix:///tmp/perf-none-${process.pid}.sock`;
    const err = await fetchX509Context({ address, timeoutMs: 300, backoff: FAST }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`at ${address} within 300ms: UNAVAILABLE: .*ENOENT`));
  });

  it.each([
    [grpc.status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [grpc.status.UNIMPLEMENTED, 'UNIMPLEMENTED'],
  ])('status %s is final', async (code, name) => {
    const api = await fake();
    api.setError(code, 'go away');
    // final: one call, refused (a retried status would end as a timeout after 60 s, past the test's own limit)
    const err = await fetchX509Context({ address: api.address, timeoutMs: 60_000, backoff: FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadApiError);
    expect((err as WorkloadApiError).code).toBe(code);
    expect((err as Error).message).toBe(`Workload API at ${api.address} refused the request: ${name}: go away`);
    expect(api.calls).toBe(1);
  });

  it('an invalid response is retried, then reported at the deadline', async () => {
    const api = await fake();
    api.setResponse({ svids: [{ spiffe_id: ID, x509_svid: svid.chainDer, x509_svid_key: Buffer.from('not a key'), bundle: ca.bundleDer() }] });
    const err = await fetchX509Context({ address: api.address, timeoutMs: 300, backoff: FAST }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/within 300ms: invalid X509SVIDResponse: svids\[0\]: .*PKCS#8/);
    expect(api.calls).toBeGreaterThan(1);
  });

  it('a message spread over many HTTP/2 DATA frames is reassembled', async () => {
    const api = await fake();
    api.setResponse({ ...svidResponse(ca, svid), crl: [Buffer.alloc(200_000, 0x5a)] });
    const ctx = await fetchX509Context({ address: api.address, timeoutMs: 5000 });
    expect(ctx.svids[0]?.id.toString()).toBe(ID);
  });

  it('a message larger than the limit is refused', async () => {
    const api = await fake();
    api.setResponse(svidResponse(ca, svid));
    const err = await fetchX509Context({ address: api.address, timeoutMs: 200, maxMessageBytes: 100, backoff: FAST }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/limit 100/);
  });

  it('can be aborted', async () => {
    const api = await fake();
    api.setResponse(null);
    const ac = new AbortController();
    const p = fetchX509Context({ address: api.address, timeoutMs: 10_000, signal: ac.signal, backoff: FAST });
    await api.waitFor(() => api.calls >= 1);
    ac.abort();
    await expect(p).rejects.toThrow(/was aborted/);
  });

  it('refuses a malformed address and a bad timeout', async () => {
    await expect(fetchX509Context({ address: 'http://x', timeoutMs: 100 })).rejects.toThrow(/invalid Workload API address/);
    await expect(fetchX509Context({ address: 'unix:///tmp/x.sock', timeoutMs: 0 })).rejects.toThrow(WorkloadApiError);
  });

  it('fetchX509Source gives a static source that mtlsClientOptions takes', async () => {
    const api = await fake();
    api.setResponse(svidResponse(ca, svid));
    const source = await fetchX509Source({ address: api.address, timeoutMs: 5000 });
    expect(source.getX509Svid().id.toString()).toBe(ID);
    const opts = mtlsClientOptions(source, authorizeAny());
    expect(opts.cert).toContain('BEGIN CERTIFICATE');
    expect(opts.ca).toEqual([ca.root.toString()]);
  });
});
