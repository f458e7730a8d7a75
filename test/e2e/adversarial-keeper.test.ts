// Adversarial, Keeper side (slow connections): a Keeper holds
// a shard Nexus needs to recover after a crash, so connections that never
// finish TLS or never finish their headers must neither block Nexus's calls
// nor be held open for minutes. Real processes from dist/ (npm run build
// first): the dev agent and one Keeper; the test calls it as Nexus.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contributeShard, fetchShard } from '../../src/client/index.js';
import { svidToTlsCredentials } from '../../src/spiffe/x509svid.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { reportMeasurements } from '../helpers/measurements.js';

const READ_HEADER_TIMEOUT_MS = 2_000;

let stack: Stack;
let asNexus: StackClient;
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3, env: { SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT: `${READ_HEADER_TIMEOUT_MS}ms` } });
  await stack.startAgent();
  await stack.startKeeper(1);
  asNexus = await stack.client('nexus', stack.ids.keeper);
}, 60_000);

afterAll(async () => {
  reportMeasurements('adversarial-keeper', measured);
  await stack?.cleanup();
});

interface Watched {
  socket: Socket;
  closed: Promise<void>;
  data: () => string;
}

function watch(socket: Socket): Watched {
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve())), data: () => text };
}

const opened: Socket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
});

/** `n` TCP connections to keeper 1 that never start TLS. */
function idleConnections(n: number): Promise<Watched[]> {
  const port = stack.keeperPorts[0]!;
  return Promise.all(
    Array.from({ length: n }, () => new Promise<Watched>((resolve, reject) => {
      const s = netConnect(port, '127.0.0.1', () => resolve(watch(s)));
      opened.push(s);
      s.once('error', reject);
    })),
  );
}

/** `n` mTLS connections to keeper 1 (as Nexus) that send half a request line and stop. */
function slowHeaderConnections(n: number): Promise<Watched[]> {
  const port = stack.keeperPorts[0]!;
  const { cert, key } = svidToTlsCredentials(asNexus.source.getX509Svid());
  return Promise.all(
    Array.from({ length: n }, () => new Promise<Watched>((resolve, reject) => {
      // The test talks to its own Keeper; the Keeper's SVID is checked by the real client elsewhere.
      const s: TLSSocket = tlsConnect({ host: '127.0.0.1', port, cert, key, rejectUnauthorized: false }, () => {
        s.write('POST /v1/store/contribute HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le');
        resolve(watch(s));
      });
      opened.push(s);
      s.once('error', reject);
    })),
  );
}

// Node's own defaults would hold these connections 60 s or more, past each test's limit (30 s):
// a close within the test shows SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT at work. How fast is for `npm run bench`.
describe('Keeper under slow connections', () => {
  it('with idle pre-TLS and slow-header connections open, Nexus can still contribute and fetch', async () => {
    const idle = await idleConnections(30);
    const slow = await slowHeaderConnections(10);
    const shard = new Uint8Array(32).fill(9);
    const t1 = Date.now();
    await contributeShard(asNexus.http, stack.keeperUrls[0]!, shard);
    expect([...(await fetchShard(asNexus.http, stack.keeperUrls[0]!))]).toEqual([...shard]);
    measured.contributeAndFetchUnderSlowConnectionsMs = Date.now() - t1;
    // the slow ones were still waiting: Nexus's calls did not queue behind them
    expect([...idle, ...slow].filter((w) => w.socket.closed)).toHaveLength(0);
  });

  it(`slow headers are cut off by SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT (${READ_HEADER_TIMEOUT_MS} ms here), with no answer`, async () => {
    const t0 = Date.now();
    const slow = await slowHeaderConnections(10);
    await Promise.all(slow.map((w) => w.closed));
    measured.slowHeadersClosedAfterMs = Date.now() - t0;
    for (const w of slow) expect(w.data()).not.toMatch(/^HTTP\/1\.1 200 /);
  }, 30_000);

  it('TCP connections that never start TLS are closed by the header deadline', async () => {
    const t0 = Date.now();
    const idle = await idleConnections(30);
    await Promise.all(idle.map((w) => w.closed));
    measured.idlePreTlsClosedAfterMs = Date.now() - t0;
    expect(idle.every((w) => w.data() === '')).toBe(true);
  }, 30_000);
});
