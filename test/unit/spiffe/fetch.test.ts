// fetch.ts, the one-shot X.509-SVID fetch over node:http2, against the fake
// Workload API (grpc-js server) and the real dev agent (dist/, when built).
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
    const t0 = Date.now();
    const err = await fetchX509Context({ address, timeoutMs: 300, backoff: FAST }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((err as Error).message).toMatch(new RegExp(`at ${address} within 300ms: UNAVAILABLE: .*ENOENT`));
  });

  it.each([
    [grpc.status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [grpc.status.UNIMPLEMENTED, 'UNIMPLEMENTED'],
  ])('status %s is final', async (code, name) => {
    const api = await fake();
    api.setError(code, 'go away');
    const t0 = Date.now();
    const err = await fetchX509Context({ address: api.address, timeoutMs: 5000, backoff: FAST }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
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

// The real development agent (dist/spike-dev-agent.js from `npm run build`).
const AGENT_BIN = resolve('dist/spike-dev-agent.js');
describe.skipIf(!existsSync(AGENT_BIN))('fetchX509Context (real dev agent)', () => {
  let dir: string;
  let agent: ChildProcess;
  let sockets: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/pfa-');
    agent = spawn(process.execPath, [AGENT_BIN, 'run'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, SPIKE_DEV_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    sockets = await new Promise((ok, ko) => {
      const t = setTimeout(() => ko(new Error('dev agent not ready')), 20_000);
      agent.once('exit', (c) => ko(new Error(`dev agent exited ${c}`)));
      createInterface({ input: agent.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        try {
          const rec = JSON.parse(line) as { msg?: string; sockets?: Record<string, string> };
          if (rec.msg === 'agent_ready' && rec.sockets) {
            clearTimeout(t);
            ok(rec.sockets);
          }
        } catch {
          // not a JSON line
        }
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const gone = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets the pilot SVID and the spike.ist bundle', async () => {
    const ctx = await fetchX509Context({ address: `unix://${sockets['pilot']}`, timeoutMs: 10_000 });
    expect(ctx.svids[0]?.id.trustDomain).toBe('spike.ist');
    expect(ctx.svids[0]?.id.path).toMatch(/^\/spike\/pilot\//);
    expect(ctx.bundles.getX509BundleForTrustDomain('spike.ist')?.authorities.length).toBeGreaterThan(0);
  });

  it('gets every workload’s SVID', async () => {
    for (const [name, sock] of Object.entries(sockets)) {
      const ctx = await fetchX509Context({ address: `unix://${sock}`, timeoutMs: 10_000 });
      expect(ctx.svids.length, name).toBeGreaterThan(0);
    }
  });
});
