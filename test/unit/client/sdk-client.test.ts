// SpikeClient against a fake Workload API and a fake mTLS Nexus: upstream's
// request shapes, values as Buffers, typed errors, deadlines, Nexus's ID
// pinned, failover, and close() releasing the Workload API stream and the
// connections.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNexus, MemoryNexus, type FakeHandler } from '../../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa } from '../../helpers/testca.js';
import { SpikeClient } from '../../../src/client/spike-client.js';
import {
  SpikeClosedError,
  SpikeIdentityError,
  SpikeNotFoundError,
  SpikeNotReadyError,
  SpikeTimeoutError,
  SpikeTransportError,
  SpikeUnauthorizedError,
  SpikeWorkloadApiError,
} from '../../../src/client/sdk-errors.js';
import { secretValuesToStrings } from '../../../src/client/sdk-values.js';
import { X509Source } from '../../../src/spiffe/workloadapi.js';

const TD = 'spike.ist';
const WORKLOAD = `spiffe://${TD}/workload/app`;

let ca: TestCa;
let wl: FakeWorkloadApi;
let nexus: FakeNexus;
let mem: MemoryNexus;
const clients: SpikeClient[] = [];
const release: (() => void)[] = [];

beforeAll(async () => {
  ca = await createTestCa(TD);
  wl = await FakeWorkloadApi.start();
  wl.setResponse(svidResponse(ca, await ca.issue(WORKLOAD)));
  nexus = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/nexus`) });
});
afterEach(async () => {
  for (const r of release.splice(0)) r();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await nexus?.close();
  await wl?.close();
});

async function open(extra: Parameters<typeof SpikeClient.create>[0] = {}): Promise<SpikeClient> {
  const c = await SpikeClient.create({ env: {}, endpointSocket: wl.address, nexusUrl: nexus.url, sourceTimeoutMs: 10_000, ...extra });
  clients.push(c);
  return c;
}

function serve(handler: FakeHandler): void {
  nexus.respond(handler);
}

/** Resolves once Nexus received a request for `url`. */
async function requestArrived(url: string): Promise<void> {
  while (!nexus.requests.some((q) => q.url === url)) await new Promise((r) => setTimeout(r, 5));
}

/** A handler that answers only when the test ends. */
function never(): FakeHandler {
  return () =>
    new Promise((resolve) => {
      release.push(() => resolve({ status: 500, json: {} }));
    });
}

describe('SpikeClient: secrets', () => {
  it('putSecret sends upstream request; getSecret gives each value as its own Buffer, zero() wipes them', async () => {
    mem = new MemoryNexus();
    serve(mem.handler);
    const c = await open();
    await c.putSecret('app/db', { user: 'admin', pass: Buffer.from('hunter2') });
    const put = nexus.requests.at(-1);
    expect(put?.url).toBe('/v1/store/secrets');
    expect(put?.peerId).toBe(WORKLOAD);
    expect(JSON.parse(put?.body.toString() ?? '')).toEqual({ path: 'app/db', values: { user: 'admin', pass: 'hunter2' } });

    const s = await c.getSecret('app/db');
    expect(nexus.requests.at(-1)?.url).toBe('/v1/store/secrets?action=get');
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ path: 'app/db' });
    expect(s.path).toBe('app/db');
    const pass = s.values.get('pass');
    expect(Buffer.isBuffer(pass)).toBe(true);
    expect(pass?.toString()).toBe('hunter2');
    expect(s.values.get('user')?.toString()).toBe('admin');
    s.zero();
    expect(pass?.equals(Buffer.alloc(7))).toBe(true);
    expect(s.values.size).toBe(0);
    // a second read gives fresh Buffers
    expect((await c.getSecret('app/db')).values.get('pass')?.toString()).toBe('hunter2');
  });

  it('versions, list, delete, undelete, metadata', async () => {
    mem = new MemoryNexus();
    serve(mem.handler);
    const c = await open();
    await c.putSecret('a/x', new Map([['k', 'v1']]));
    await c.putSecret('a/x', { k: 'v2' });
    await c.putSecret('b/y', { k: 'z' });
    expect(await c.listSecrets()).toEqual(['a/x', 'b/y']);
    expect((await c.getSecret('a/x', { version: 1 })).values.get('k')?.toString()).toBe('v1');
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ path: 'a/x', version: 1 });

    await c.deleteSecret('a/x');
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ path: 'a/x', versions: [] });
    expect((await c.getSecret('a/x')).values.get('k')?.toString()).toBe('v1');
    const md = await c.getSecretMetadata('a/x');
    expect(md.currentVersion).toBe(1);
    expect(md.versions.get(2)?.deletedTime).toBeInstanceOf(Date);
    expect(md.versions.get(1)?.deletedTime).toBeNull();
    expect(md.createdTime).toBeInstanceOf(Date);
    expect(Number.isNaN(md.createdTime.getTime())).toBe(false);

    await c.undeleteSecret('a/x', { versions: [2] });
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ path: 'a/x', versions: [2] });
    expect((await c.getSecret('a/x')).values.get('k')?.toString()).toBe('v2');
    await expect(c.deleteSecret('nope')).rejects.toBeInstanceOf(SpikeNotFoundError);
  });

  it('refuses bad arguments before sending anything', async () => {
    serve(new MemoryNexus().handler);
    const c = await open();
    const before = nexus.requests.length;
    await expect(c.getSecret('')).rejects.toThrow(RangeError);
    await expect(c.getSecret('a', { version: -1 })).rejects.toThrow(RangeError);
    await expect(c.putSecret('a', { k: Buffer.from([0xff, 0xfe]) })).rejects.toThrow(/not valid UTF-8/);
    await expect(c.getSecret('a', { timeoutMs: 0 })).rejects.toThrow(RangeError);
    expect(nexus.requests.length).toBe(before);
  });
});

describe('SpikeClient: policies', () => {
  it('createPolicy / getPolicy / listPolicies / deletePolicy with upstream field names', async () => {
    mem = new MemoryNexus();
    serve(mem.handler);
    const c = await open();
    await c.createPolicy({ name: 'app-read', spiffeIdPattern: '^spiffe://spike\\.ist/workload/app$', pathPattern: '^app/', permissions: ['read', 'list'] });
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({
      name: 'app-read',
      spiffeidPattern: '^spiffe://spike\\.ist/workload/app$',
      pathPattern: '^app/',
      permissions: ['read', 'list'],
    });
    expect(await c.listPolicies()).toEqual(['app-read']);
    expect(await c.listPolicies({ pathPattern: '^other/' })).toEqual([]);
    const p = await c.getPolicy('app-read');
    expect(p).toMatchObject({ name: 'app-read', pathPattern: '^app/', permissions: ['read', 'list'] });
    expect(p.createdAt).toBeInstanceOf(Date);
    await c.deletePolicy('app-read');
    expect(await c.listPolicies()).toEqual([]);
  });
});

describe('SpikeClient: encrypt / decrypt', () => {
  const NONCE = Buffer.alloc(12, 7);
  const SEALED = Buffer.alloc(20, 9); // ciphertext ‖ 16-byte tag, as Nexus sends it

  it('JSON mode: upstream request shapes; the plaintext comes back as a Buffer', async () => {
    serve((req) => {
      if (req.url === '/v1/cipher/encrypt') return { status: 200, json: { version: 1, nonce: NONCE.toString('base64'), ciphertext: SEALED.toString('base64') } };
      if (req.url === '/v1/cipher/decrypt') return { status: 200, json: { plaintext: Buffer.from('attack at dawn').toString('base64') } };
      return { status: 400, json: { err: 'api_bad_request' } };
    });
    const c = await open();
    const mine = Buffer.from('attack at dawn');
    const enc = await c.encrypt(mine, { algorithm: 'AES-GCM' });
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ plaintext: mine.toString('base64'), algorithm: 'AES-GCM' });
    expect(mine.toString()).toBe('attack at dawn'); // the caller's bytes are left alone
    expect(enc).toEqual({ version: 1, nonce: NONCE, ciphertext: SEALED });
    await c.encrypt('text');
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ plaintext: Buffer.from('text').toString('base64') });

    const plain = await c.decrypt(enc);
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ version: 1, nonce: NONCE.toString('base64'), ciphertext: SEALED.toString('base64') });
    expect(Buffer.isBuffer(plain)).toBe(true);
    expect(plain.toString()).toBe('attack at dawn');
  });

  it('stream mode: the body is the plaintext, the answer version ‖ nonce ‖ ciphertext', async () => {
    const stream = Buffer.concat([Buffer.of(1), NONCE, SEALED]);
    serve((req) => (req.url === '/v1/cipher/encrypt' ? { status: 200, raw: stream } : { status: 200, raw: 'plain bytes' }));
    const c = await open();
    expect(await c.encryptStream('plain bytes')).toEqual(stream);
    expect(nexus.requests.at(-1)?.body.toString()).toBe('plain bytes');
    expect((await c.decryptStream(stream)).toString()).toBe('plain bytes');
    expect(nexus.requests.at(-1)?.body.equals(stream)).toBe(true);
  });

  it('errors are typed; bad input is refused before sending', async () => {
    serve(() => ({ status: 401, json: { err: 'access_unauthorized' } }));
    const c = await open();
    await expect(c.encrypt('x')).rejects.toBeInstanceOf(SpikeUnauthorizedError);
    const before = nexus.requests.length;
    await expect(c.decrypt({ version: 1, nonce: 'x' as unknown as Buffer, ciphertext: SEALED })).rejects.toThrow(RangeError);
    await expect(c.decryptStream('x' as unknown as Buffer)).rejects.toThrow(RangeError);
    expect(nexus.requests.length).toBe(before);
  });
});

describe('SpikeClient: typed errors', () => {
  it.each([
    [404, 'api_not_found', SpikeNotFoundError],
    [401, 'access_unauthorized', SpikeUnauthorizedError],
    [503, 'state_not_ready', SpikeNotReadyError],
  ] as const)('HTTP %i %s → a typed error', async (status, err, cls) => {
    serve(() => ({ status, json: { data: null, err } }));
    const c = await open();
    const e = await c.getSecret('app/db').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(cls);
    expect(e).toMatchObject({ status, code: err });
  });

  it('list calls answered 404 give []', async () => {
    serve(() => ({ status: 404, json: { err: 'api_not_found' } }));
    const c = await open();
    expect(await c.listSecrets()).toEqual([]);
    expect(await c.listPolicies()).toEqual([]);
  });

  it('a 200 answer carrying api_not_found is an error, not [] (as upstream\'s list calls: only a 404 means none)', async () => {
    serve(() => ({ status: 200, json: { keys: null, err: 'api_not_found' } }));
    const c = await open();
    await expect(c.listSecrets()).rejects.toBeInstanceOf(SpikeNotFoundError);
    await expect(c.listPolicies()).rejects.toBeInstanceOf(SpikeNotFoundError);
  });

  it('a server that is not SPIKE Nexus (pinned ID) is refused: SpikeIdentityError, nothing sent', async () => {
    const keeper = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/keeper/1`) });
    try {
      const c = await open({ nexusUrl: keeper.url });
      await expect(c.getSecret('app/db')).rejects.toBeInstanceOf(SpikeIdentityError);
      expect(keeper.requests).toHaveLength(0);
    } finally {
      await keeper.close();
    }
  });

  it('no Workload API: SpikeWorkloadApiError within sourceTimeoutMs', async () => {
    const e = await SpikeClient.create({ env: {}, endpointSocket: 'unix:///nonexistent/sdk-test.sock', nexusUrl: nexus.url, sourceTimeoutMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SpikeWorkloadApiError);
  });

  it('create() can be aborted while it waits for the first SVID', async () => {
    const silent = await FakeWorkloadApi.start();
    try {
      silent.setResponse(null); // no identity (PERMISSION_DENIED): the source keeps retrying
      const ac = new AbortController();
      const p = SpikeClient.create({ env: {}, endpointSocket: silent.address, nexusUrl: nexus.url, sourceTimeoutMs: 60_000, signal: ac.signal });
      await silent.waitFor(() => silent.calls > 0);
      ac.abort();
      await expect(p).rejects.toBeInstanceOf(SpikeWorkloadApiError);
    } finally {
      await silent.close();
    }
  });

  it('invalid options: RangeError naming the option', async () => {
    await expect(open({ nexusUrl: 'http://x' })).rejects.toThrow(/nexusUrl/);
    await expect(open({ nexusUrl: [] })).rejects.toThrow(/nexusUrl/);
    await expect(open({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(open({ nexusTrustRoots: ['Bad Domain'] })).rejects.toThrow(/nexusTrustRoots/);
    await expect(SpikeClient.create({ env: { SPIKE_NEXUS_API_URL: 'ftp://x' }, endpointSocket: wl.address })).rejects.toThrow(/SPIKE_NEXUS_API_URL/);
  });

  it('defaults come from the env option', async () => {
    serve(new MemoryNexus().handler);
    const c = await SpikeClient.create({ env: { SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: `${nexus.url}, https://127.0.0.1:9` } });
    clients.push(c);
    expect(c.nexusUrls.map((u) => u.origin)).toEqual([nexus.url, 'https://127.0.0.1:9']);
    expect(c.identity().spiffeId).toBe(WORKLOAD);
    expect(await c.listSecrets()).toEqual([]);
    expect(c.nexusId).toBe(`spiffe://${TD}/spike/nexus`);
  });
});

describe('SpikeClient: deadlines, failover, close', () => {
  it('a call past its deadline rejects with SpikeTimeoutError (per call and per client)', async () => {
    serve(never());
    const c = await open({ timeoutMs: 30_000 });
    await expect(c.getSecret('app/db', { timeoutMs: 150 })).rejects.toBeInstanceOf(SpikeTimeoutError);
    const short = await open({ timeoutMs: 150 });
    const e = await short.getSecret('app/db', { timeoutMs: 60_000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SpikeTimeoutError);
    expect(e).toBeInstanceOf(SpikeTransportError);
  });

  it('an AbortSignal ends the call', async () => {
    serve(never());
    const c = await open();
    const ac = new AbortController();
    const p = c.getSecret('app/db', { signal: ac.signal });
    await requestArrived('/v1/store/secrets?action=get');
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(SpikeTimeoutError);
    await expect(c.getSecret('app/db', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(SpikeTimeoutError);
  });

  it('several URLs: a refused first URL moves a read on to the next', async () => {
    serve(new MemoryNexus().handler);
    const c = await open({ nexusUrl: ['https://127.0.0.1:9', nexus.url] });
    expect(await c.listSecrets()).toEqual([]);
  });

  it('close(): calls in flight reject with SpikeClosedError, later calls too; the stream and connections are released', async () => {
    serve(never());
    // the streams of the clients of earlier tests are gone first (closed in afterEach)
    await wl.waitFor(() => wl.openStreams === 0);
    const c = await open();
    expect(wl.openStreams).toBe(1);
    const inFlight = c.getSecret('app/db');
    await requestArrived('/v1/store/secrets?action=get');
    await c.close();
    await expect(inFlight).rejects.toBeInstanceOf(SpikeClosedError);
    await expect(c.listSecrets()).rejects.toBeInstanceOf(SpikeClosedError);
    expect(() => c.identity()).toThrow(SpikeClosedError);
    expect(c.closed).toBe(true);
    await c.close(); // idempotent
    await wl.waitFor(() => wl.openStreams === 0);
  });

  it('a source passed in is used and left open by close()', async () => {
    serve(new MemoryNexus().handler);
    const source = await X509Source.create({ address: wl.address, timeoutMs: 10_000 });
    try {
      const c = await open({ source });
      expect(await c.listSecrets()).toEqual([]);
      await c.close();
      expect(source.closed).toBe(false);
      expect(source.getX509Svid().id.toString()).toBe(WORKLOAD);
    } finally {
      await source.close();
    }
  });
});

describe('SpikeClient: a refused value names its key escaped', () => {
  // Escaped forms written by hand: a line separator, a bidi override and DEL
  // in a key show as \uXXXX in the one-line RangeError.
  const KEY = 'k\u2028\u202e\u007f';
  it('a byte value that is not UTF-8', () => {
    expect(() => secretValuesToStrings({ [KEY]: Buffer.from([0xff]) })).toThrow(
      new RangeError(String.raw`SpikeClient: the value of key "k\u2028\u202e\u007f" is not valid UTF-8 (SPIKE stores text values)`),
    );
  });
  it('a value that is neither a string nor bytes', () => {
    expect(() => secretValuesToStrings(new Map([[KEY, 1 as unknown as string]]))).toThrow(
      new RangeError(String.raw`SpikeClient: the value of key "k\u2028\u202e\u007f" must be a string or bytes`),
    );
  });
});
