import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { build } from 'esbuild';
import { WorkloadApiError, X509Source, formatDuration, parseX509SvidResponse } from '../../../src/spiffe/workloadapi.js';
import type { X509Svid } from '../../../src/spiffe/x509svid.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidMessage, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';

const ID = 'spiffe://example.org/workload';
const FAST = { stepMs: 30, maxMs: 200 };
let ca: TestCa;
let fed: TestCa;
let svid1: TestSvid;
let svid2: TestSvid;

beforeAll(async () => {
  ca = await createTestCa('example.org');
  fed = await createTestCa('other.org');
  svid1 = await ca.issue(ID);
  svid2 = await ca.issue('spiffe://example.org/rotated');
});

/** The next 'update' ('error' events in between are expected and ignored, unlike events.once). */
function nextUpdate(source: X509Source): Promise<X509Svid> {
  return new Promise((resolve) => source.once('update', resolve));
}

describe('parseX509SvidResponse', () => {
  it('parses SVIDs and bundles, zeroes key bytes', () => {
    const resp = svidResponse(ca, svid1, [fed]);
    const key = resp.svids![0]!.x509_svid_key!;
    const ctx = parseX509SvidResponse(resp);
    expect(ctx.svids[0]!.id.toString()).toBe(ID);
    expect(ctx.bundles.trustDomains().sort()).toEqual(['example.org', 'other.org']);
    expect(key.every((b) => b === 0)).toBe(true);
  });

  it('accepts bare trust-domain names as federated keys', () => {
    const ctx = parseX509SvidResponse({ svids: [svidMessage(ca, svid1)], federated_bundles: { 'other.org': fed.bundleDer() } });
    expect(ctx.bundles.has('other.org')).toBe(true);
  });

  it('keeps the first of two SVIDs with the same hint', () => {
    const ctx = parseX509SvidResponse({ svids: [svidMessage(ca, svid1, 'h'), svidMessage(ca, svid2, 'h')] });
    expect(ctx.svids.map((s) => s.id.toString())).toEqual([ID]);
  });

  it.each([
    ['no SVIDs', () => ({ svids: [] }), /no SVIDs in response/],
    ['missing spiffe_id', () => ({ svids: [{ ...svidMessage(ca, svid1), spiffe_id: '' }] }), /spiffe_id is missing/],
    ['missing x509_svid', () => ({ svids: [{ ...svidMessage(ca, svid1), x509_svid: Buffer.alloc(0) }] }), /x509_svid is missing/],
    ['missing key', () => ({ svids: [{ ...svidMessage(ca, svid1), x509_svid_key: Buffer.alloc(0) }] }), /x509_svid_key is missing/],
    ['key mismatch', () => ({ svids: [{ ...svidMessage(ca, svid1), x509_svid_key: Buffer.from(svid2.keyPkcs8Der) }] }), /does not match/],
    ['bad bundle', () => ({ svids: [{ ...svidMessage(ca, svid1), bundle: Buffer.from([0x30, 0x80]) }] }), /invalid X.509 bundle/],
    ['bad federated key', () => ({ svids: [svidMessage(ca, svid1)], federated_bundles: { 'spiffe://X.org': fed.bundleDer() } }), /federated bundle key/],
  ])('rejects %s', (_n, make, why) => {
    expect(() => parseX509SvidResponse(make())).toThrow(WorkloadApiError);
    expect(() => parseX509SvidResponse(make())).toThrow(why);
  });

  it('formatDuration', () => {
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(1500)).toBe('1.5s');
  });
});

describe('X509Source', () => {
  let api: FakeWorkloadApi;
  const sources: X509Source[] = [];
  async function open(opts: Partial<Parameters<typeof X509Source.create>[0]> = {}): Promise<X509Source> {
    const s = await X509Source.create({ address: api.address, timeoutMs: 5000, backoff: FAST, ...opts });
    sources.push(s);
    return s;
  }

  beforeEach(async () => {
    api = await FakeWorkloadApi.start();
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.close();
    await api.close();
  });

  it('resolves with the first SVID, sending the security header', async () => {
    api.setResponse(svidResponse(ca, svid1, [fed]));
    const source = await open();
    expect(source.getX509Svid().id.toString()).toBe(ID);
    expect(source.getX509BundleForTrustDomain('example.org')?.hasAuthority(ca.root)).toBe(true);
    expect(source.getBundles().has('other.org')).toBe(true);
    expect(api.callsWithoutHeader).toBe(0);
    expect(api.openStreams).toBe(1);
  });

  it('applies rotations as full state and emits update', async () => {
    api.setResponse(svidResponse(ca, svid1, [fed]));
    const source = await open();
    const updated = nextUpdate(source);
    api.setResponse(svidResponse(ca, svid2)); // federated bundle removed
    const s = await updated;
    expect(s.id.toString()).toBe('spiffe://example.org/rotated');
    expect(source.getX509Svid().id.toString()).toBe('spiffe://example.org/rotated');
    expect(source.getBundles().has('other.org')).toBe(false);
    expect(api.calls).toBe(1); // same stream
  });

  it('reports an invalid message and keeps the last good SVID', async () => {
    api.setResponse(svidResponse(ca, svid1));
    const source = await open();
    const errored = once(source, 'error');
    api.setResponse({ svids: [{ ...svidMessage(ca, svid2), x509_svid_key: Buffer.from(svid1.keyPkcs8Der) }] });
    const [err] = await errored;
    expect((err as Error).message).toMatch(/does not match/);
    expect(source.getX509Svid().id.toString()).toBe(ID);
    // and a later good message is applied on the same stream
    const updated = nextUpdate(source);
    api.setResponse(svidResponse(ca, svid2));
    expect((await updated).id.toString()).toBe('spiffe://example.org/rotated');
  });

  it('an invalid first message does not resolve create; a later valid one does', async () => {
    api.setResponse({ svids: [] });
    const pending = open();
    await api.waitFor(() => api.openStreams === 1);
    api.setResponse(svidResponse(ca, svid1));
    expect((await pending).getX509Svid().id.toString()).toBe(ID);
  });

  it('INVALID_ARGUMENT at start rejects at once and is not retried', async () => {
    api.setError(grpc.status.INVALID_ARGUMENT, 'security header missing from request');
    // a retried status would end as a timeout after 60 s, past the test's own limit
    const err = await open({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadApiError);
    expect((err as WorkloadApiError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as Error).message).toContain(api.address);
    expect((err as Error).message).toContain('INVALID_ARGUMENT: security header missing from request');
    expect((err as Error).message).not.toContain('within');
    expect(api.calls).toBe(1);
  });

  it('INVALID_ARGUMENT and UNIMPLEMENTED on a running stream stop the watch; the last SVID stays', async () => {
    // A control source on a second API, same backoff, gets a retryable status at the same moment:
    // once it has retried three times, the stopped source would have retried too.
    const control = await FakeWorkloadApi.start();
    try {
      for (const code of [grpc.status.INVALID_ARGUMENT, grpc.status.UNIMPLEMENTED]) {
        api.setResponse(svidResponse(ca, svid1));
        control.setResponse(svidResponse(ca, svid1));
        const source = await open();
        const retrying = await open({ address: control.address });
        const callsBefore = api.calls;
        const controlBefore = control.calls;
        const errored = once(source, 'error');
        retrying.on('error', () => undefined);
        api.setError(code, 'stop');
        control.setError(grpc.status.UNAVAILABLE, 'later');
        expect(((await errored)[0] as WorkloadApiError).code).toBe(code);
        api.setResponse(svidResponse(ca, svid2));
        await control.waitFor(() => control.calls >= controlBefore + 3);
        expect(api.calls).toBe(callsBefore);
        expect(source.getX509Svid().id.toString()).toBe(ID);
        await source.close();
        await retrying.close();
      }
    } finally {
      await control.close();
    }
  });

  it('PERMISSION_DENIED is retried with backoff until an identity is issued', async () => {
    api.setResponse(null);
    const pending = open({ timeoutMs: 10_000 });
    await api.waitFor(() => api.calls >= 3);
    api.setResponse(svidResponse(ca, svid1));
    const source = await pending;
    expect(source.getX509Svid().id.toString()).toBe(ID);
  });

  it('recovers after the server restarts, keeping the last SVID meanwhile', async () => {
    api.setResponse(svidResponse(ca, svid1));
    const source = await open();
    const errors: Error[] = [];
    source.on('error', (e: Error) => errors.push(e));
    await api.stop();
    await api.waitFor(() => api.openStreams === 0);
    expect(source.getX509Svid().id.toString()).toBe(ID);
    const updated = nextUpdate(source);
    await api.restart();
    api.setResponse(svidResponse(ca, svid2));
    expect((await updated).id.toString()).toMatch(/example.org/);
    await api.waitFor(() => api.openStreams === 1);
    expect(source.getX509Svid().id.toString()).toBe('spiffe://example.org/rotated');
  });

  it('re-opens at once after the server ends the stream cleanly', async () => {
    api.setResponse(svidResponse(ca, svid1));
    await open({ backoff: { stepMs: 60_000, maxMs: 60_000 } });
    api.endStreams();
    await api.waitFor(() => api.calls === 2 && api.openStreams === 1, 3000);
  });

  it('with no server: a clear error naming the socket within the deadline', async () => {
    const dir = mkdtempSync('/tmp/nwl-');
    try {
      const address = `unix://${join(dir, 'none.sock')}`;
      const t0 = Date.now();
      const err = await X509Source.create({ address, timeoutMs: 700, backoff: FAST }).catch((e: unknown) => e);
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(WorkloadApiError);
      // the message names the deadline; it is not cut short (an upper bound is left to `npm run bench`)
      expect((err as Error).message).toMatch(new RegExp(`^no X.509-SVID from the Workload API at ${address} within 700ms: UNAVAILABLE`));
      expect((err as Error).message).not.toContain('\n');
      expect(took).toBeGreaterThanOrEqual(650);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('times out naming PERMISSION_DENIED when no identity is issued', async () => {
    api.setResponse(null);
    await expect(open({ timeoutMs: 300 })).rejects.toThrow(/within 300ms: PERMISSION_DENIED: no identity issued/);
  });

  it('rejects a bad address and a bad timeout before connecting', async () => {
    await expect(X509Source.create({ address: 'unix:///tmp/x.sock?q=1', timeoutMs: 100 })).rejects.toThrow(/a query is not allowed/);
    await expect(X509Source.create({ address: api.address, timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });

  it('honours an AbortSignal', async () => {
    api.setResponse(null);
    const ac = new AbortController();
    const pending = open({ timeoutMs: 10_000, signal: ac.signal });
    await api.waitFor(() => api.calls >= 1);
    ac.abort();
    await expect(pending).rejects.toThrow(/aborted/);
  });

  it('close() is idempotent, cancels the stream and makes getters throw', async () => {
    api.setResponse(svidResponse(ca, svid1));
    const source = await open();
    await source.close();
    await source.close();
    expect(source.closed).toBe(true);
    expect(() => source.getX509Svid()).toThrow(/source is closed/);
    await api.waitFor(() => api.openStreams === 0);
  });
});

describe('X509Source over tcp://', () => {
  it('fetches and rotates through a tcp://IP:PORT address', async () => {
    const api = await FakeWorkloadApi.start({ tcp: true });
    let source: X509Source | undefined;
    try {
      expect(api.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      api.setResponse(svidResponse(ca, svid1));
      source = await X509Source.create({ address: api.address, timeoutMs: 5000, backoff: FAST });
      expect(source.getX509Svid().id.toString()).toBe(ID);
      const updated = nextUpdate(source);
      api.setResponse(svidResponse(ca, svid2));
      expect((await updated).id.toString()).toBe('spiffe://example.org/rotated');
    } finally {
      await source?.close();
      await api.close();
    }
  });
});

describe('X509Source leaves no handle open after close()', () => {
  it('a process using it exits by itself', async () => {
    const dir = mkdtempSync('/tmp/xsh-');
    const api = await FakeWorkloadApi.start();
    try {
      api.setResponse(svidResponse(ca, svid1));
      const entry = join(dir, 'main.ts');
      writeFileSync(
        entry,
        `import { X509Source } from ${JSON.stringify(resolve('src/spiffe/workloadapi.ts'))};
         const s = await X509Source.create({ address: process.argv[2]!, timeoutMs: 5000 });
         s.on('error', () => {});
         console.log(s.getX509Svid().id.toString());
         await s.close();`,
      );
      await build({ entryPoints: [entry], outfile: join(dir, 'main.mjs'), bundle: true, format: 'esm', platform: 'node', logLevel: 'silent',
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
      const child = spawn(process.execPath, [join(dir, 'main.mjs'), api.address], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(killer);
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(out.trim()).toBe(ID);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
