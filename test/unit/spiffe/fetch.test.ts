// fetch.ts, the one-shot X.509-SVID fetch over node:http2, against the fake
// Workload API (grpc-js server); against the real dev agent: test/e2e/fetch-devagent.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizeAny } from '../../../src/spiffe/authorizer.js';
import { fetchX509Context, fetchX509Source, type FetchProgress, type FetchX509ContextOptions } from '../../../src/spiffe/fetch.js';
import { mtlsClientOptions } from '../../../src/spiffe/tlsconfig.js';
import { WorkloadApiError } from '../../../src/spiffe/x509context.js';
import { FakeWorkloadApi, silentSocket, staleSocket, statusOnlyApi, type SocketHandle } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';

const ID = 'spiffe://example.org/workload';
const FAST = { stepMs: 20, maxMs: 100 };
let ca: TestCa;
let svid: TestSvid;
let tmp: string;
const apis: FakeWorkloadApi[] = [];
const handles: SocketHandle[] = [];

beforeAll(async () => {
  ca = await createTestCa('example.org');
  svid = await ca.issue(ID);
  tmp = mkdtempSync('/tmp/fwf-');
});

afterEach(async () => {
  vi.useRealTimers();
  for (const a of apis.splice(0)) await a.close();
  for (const h of handles.splice(0)) await h.close();
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** The rejection of `p` (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<WorkloadApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkloadApiError);
  return e as WorkloadApiError;
}

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

  it('times out naming the socket and PERMISSION_DENIED (deadline shorter than the no-identity retry)', async () => {
    const api = await fake();
    api.setResponse(null);
    const err = await failure(fetchX509Context({ address: api.address, timeoutMs: 300, backoff: FAST }));
    expect(err.message).toBe(`no X.509-SVID from the Workload API at ${api.address} within 300ms: PERMISSION_DENIED: no identity issued`);
    expect(err.kind).toBe('permission_denied');
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('times out naming the socket when there is no server (deadline shorter than the unreachable retry)', async () => {
    const address = `unix://${tmp}/none.sock`;
    const err = await failure(fetchX509Context({ address, timeoutMs: 300, backoff: FAST }));
    expect(err.message).toBe(`no X.509-SVID from the Workload API at ${address} within 300ms: connect ENOENT ${tmp}/none.sock`);
    expect(err.kind).toBe('no_socket');
  });

  it.each([
    [grpc.status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [grpc.status.UNIMPLEMENTED, 'UNIMPLEMENTED'],
  ])('status %s is final', async (code, name) => {
    const api = await fake();
    api.setError(code, 'go away');
    // final: one call, refused (a retried status would end as a timeout after 60 s, past the test's own limit)
    const err = await failure(fetchX509Context({ address: api.address, timeoutMs: 60_000, backoff: FAST }));
    expect(err.code).toBe(code);
    expect(err.message).toBe(`Workload API at ${api.address} refused the request: ${name}: go away`);
    expect(err.kind).toBe('rejected');
    expect(err.reason).not.toContain(name);
    expect(api.calls).toBe(1);
  });

  it('an invalid response is retried, then reported at the deadline', async () => {
    const api = await fake();
    api.setResponse({ svids: [{ spiffe_id: ID, x509_svid: svid.chainDer, x509_svid_key: Buffer.from('not a key'), bundle: ca.bundleDer() }] });
    const err = await failure(fetchX509Context({ address: api.address, timeoutMs: 300, backoff: FAST }));
    expect(err.message).toMatch(/within 300ms: invalid X509SVIDResponse: svids\[0\]: .*PKCS#8/);
    expect(err.kind).toBe('bad_response');
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
    const err = await failure(p);
    expect(err.message).toMatch(/was aborted/);
    expect(err.kind).toBe('aborted');
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

/** Runs a fetch recording its progress events. */
async function recorded(opts: FetchX509ContextOptions): Promise<{ err: WorkloadApiError; events: FetchProgress[] }> {
  const events: FetchProgress[] = [];
  const err = await failure(fetchX509Context({ ...opts, onProgress: (p) => events.push(p) }));
  return { err, events };
}

const retries = (events: FetchProgress[]): FetchProgress[] => events.filter((e) => e.type === 'retry');

// A Workload API that is not there is retried briefly (unreachableRetryMs), not
// until the deadline: every test below has a deadline of 60 s, longer than the
// test's own limit, so a test that ends at all shows the fetch did not wait for it.
describe('fetchX509Context: no Workload API there, classified and given up on quickly', () => {
  const QUICK = { timeoutMs: 60_000, backoff: FAST, unreachableRetryMs: 150 };

  it('a socket path that does not exist: no_socket, retried, then final', async () => {
    const address = `unix://${tmp}/missing/agent.sock`;
    const { err, events } = await recorded({ address, ...QUICK });
    expect(err.kind).toBe('no_socket');
    expect(err.reason).toBe('no such socket');
    expect(err.message).toMatch(new RegExp(`^no X.509-SVID from the Workload API at ${address} \\(retried for [0-9.]+m?s\\): connect ENOENT ${tmp}/missing/agent.sock$`));
    expect(retries(events).length).toBeGreaterThan(1);
    for (const e of retries(events)) expect(e.type === 'retry' && e.error.kind).toBe('no_socket');
  });

  it('a stale socket file nobody listens on: refused', async () => {
    const path = join(tmp, 'stale.sock');
    await staleSocket(path);
    const { err, events } = await recorded({ address: `unix://${path}`, ...QUICK });
    expect(err.kind).toBe('refused');
    expect(err.reason).toBe('nothing is listening on the socket');
    expect(err.message).toContain(`ECONNREFUSED ${path}`);
    expect(retries(events).length).toBeGreaterThan(1);
  });

  it.each([
    ['a plain file', (p: string) => writeFileSync(p, 'not a socket')],
    ['a directory', (p: string) => mkdirSync(p)],
  ])('%s at the socket path: not_a_socket', async (_what, make) => {
    const path = join(tmp, `not-a-socket-${Math.random().toString(36).slice(2)}`);
    make(path);
    const { err } = await recorded({ address: `unix://${path}`, ...QUICK });
    expect(err.kind).toBe('not_a_socket');
    expect(err.reason).toBe('the path is not a socket');
  });

  it('an agent that starts within the window is used', async () => {
    const api = await fake();
    await api.stop();
    const events: FetchProgress[] = [];
    const p = fetchX509Context({ address: api.address, timeoutMs: 60_000, backoff: FAST, unreachableRetryMs: 30_000, onProgress: (e) => events.push(e) });
    await vi.waitFor(() => expect(retries(events).length).toBeGreaterThanOrEqual(2)); // a few failed connects
    api.setResponse(svidResponse(ca, svid));
    await api.restart();
    expect((await p).svids[0]?.id.toString()).toBe(ID);
  });

  it('PERMISSION_DENIED (no identity for this workload) is retried for noIdentityRetryMs, then final', async () => {
    const api = await fake();
    api.setResponse(null);
    const { err, events } = await recorded({ address: api.address, timeoutMs: 60_000, backoff: FAST, noIdentityRetryMs: 150 });
    expect(err.kind).toBe('permission_denied');
    expect(err.reason).toBe('no identity issued for this workload');
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.message).toMatch(/\(retried for [0-9.]+m?s\): PERMISSION_DENIED: no identity issued$/);
    expect(api.calls).toBeGreaterThan(1);
    expect(retries(events).length).toBe(api.calls - 1);
  });

  it('other failures are not cut short: a server error is retried until the deadline', async () => {
    const api = await fake();
    api.setError(grpc.status.UNAVAILABLE, 'agent busy');
    const { err } = await recorded({ address: api.address, timeoutMs: 400, backoff: FAST, unreachableRetryMs: 1, noIdentityRetryMs: 1 });
    expect(err.message).toBe(`no X.509-SVID from the Workload API at ${api.address} within 400ms: UNAVAILABLE: agent busy`);
    expect(err.kind).toBe('unavailable');
    expect(err.reason).toBe('the Workload API reported an error (agent busy)');
    expect(api.calls).toBeGreaterThan(2);
  });
});

describe('fetchX509Context: a Workload API that accepts but never answers', () => {
  it('is bounded by the deadline (timeout), with one waiting event', async () => {
    const path = join(tmp, 'silent.sock');
    const silent = await silentSocket(path);
    handles.push(silent);
    const { err, events } = await recorded({ address: `unix://${path}`, timeoutMs: 600, backoff: FAST, waitingNoticeMs: 50 });
    expect(err.kind).toBe('timeout');
    expect(err.reason).toBe('no answer');
    expect(err.message).toBe(`no X.509-SVID from the Workload API at unix://${path} within 600ms: no answer`);
    expect(events.filter((e) => e.type === 'waiting')).toEqual([{ type: 'waiting', address: `unix://${path}`, elapsedMs: 50 }]);
    expect(silent.count).toBe(1); // one call, waiting the whole time
  });

  it('no waiting event when the SVID comes before waitingNoticeMs', async () => {
    const api = await fake();
    api.setResponse(svidResponse(ca, svid));
    const events: FetchProgress[] = [];
    await fetchX509Context({ address: api.address, timeoutMs: 5000, waitingNoticeMs: 60_000, onProgress: (e) => events.push(e) });
    expect(events).toEqual([]);
  });
});

// The default windows, on a fake clock (setTimeout and performance.now): the
// clock moves only by the delays the fetch announces, so the schedule is exact.
describe('fetchX509Context: default retry windows (fake clock)', () => {
  /** Runs a fetch on the fake clock: each announced delay is played once the fetch waits. */
  async function onFakeClock(opts: FetchX509ContextOptions): Promise<{ err: WorkloadApiError; events: FetchProgress[] }> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const events: FetchProgress[] = [];
    const err = await failure(
      fetchX509Context({
        ...opts,
        onProgress: (e) => {
          events.push(e);
          if (e.type === 'retry') setImmediate(() => void vi.advanceTimersByTimeAsync(e.delayMs));
        },
      }),
    );
    return { err, events };
  }

  it('no socket: given up on after 3 s (200, 400, … 1000 ms apart), not at the 120 s deadline; waiting after 1 s', async () => {
    const { err, events } = await onFakeClock({ address: `unix://${tmp}/never.sock`, timeoutMs: 120_000 });
    expect(err.kind).toBe('no_socket');
    expect(err.message).toContain('(retried for 3s)');
    expect(retries(events).map((e) => e.type === 'retry' && e.delayMs)).toEqual([200, 400, 600, 800, 1000]);
    expect(events.filter((e) => e.type === 'waiting')).toEqual([{ type: 'waiting', address: `unix://${tmp}/never.sock`, elapsedMs: 1000 }]);
  });

  it('PERMISSION_DENIED: given up on after the first attempt at or past 5 s', async () => {
    const path = join(tmp, 'denied.sock');
    const denied = await statusOnlyApi(path, grpc.status.PERMISSION_DENIED, 'no identity issued');
    handles.push(denied);
    const { err, events } = await onFakeClock({ address: `unix://${path}`, timeoutMs: 120_000 });
    expect(err.kind).toBe('permission_denied');
    expect(err.message).toContain('(retried for 5.6s)');
    // attempts at 0, 0.2, 0.6, 1.2, 2, 3, 4.2 and 5.6 s
    expect(retries(events).map((e) => e.type === 'retry' && e.delayMs)).toEqual([200, 400, 600, 800, 1000, 1200, 1400]);
    expect(denied.count).toBe(8);
  });
});
