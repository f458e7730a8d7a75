// Adversarial, Keeper side (slow connections): a Keeper holds
// a shard Nexus needs to recover after a crash, so connections that never
// finish TLS or never finish their headers must neither block Nexus's calls
// nor be held open for minutes. Real processes from dist/ (npm run build
// first): the dev agent and one Keeper; the test calls it as Nexus.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  closed: Promise<number>;
  data: () => string;
}

function watch(socket: Socket, t0: number): Watched {
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  return { closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - t0))), data: () => text };
}

/** Resolves with the close time, or Infinity if still open at `deadline` (epoch ms). */
function closedBy(w: Watched, deadline: number): Promise<number> {
  return Promise.race([w.closed, new Promise<number>((r) => setTimeout(() => r(Infinity), Math.max(1_000, deadline - Date.now())))]);
}

describe('Keeper under slow connections', () => {
  let t0 = 0;
  let idle: Watched[] = [];
  let slowHeaders: Watched[] = [];

  it('with idle pre-TLS and slow-header connections open, Nexus can still contribute and fetch at once', async () => {
    t0 = Date.now();
    const port = stack.keeperPorts[0]!;
    idle = await Promise.all(
      Array.from({ length: 30 }, () => new Promise<Watched>((resolve, reject) => {
        const s = netConnect(port, '127.0.0.1', () => resolve(watch(s, t0)));
        s.once('error', reject);
      })),
    );
    const { cert, key } = svidToTlsCredentials(asNexus.source.getX509Svid());
    slowHeaders = await Promise.all(
      Array.from({ length: 10 }, () => new Promise<Watched>((resolve, reject) => {
        // The test talks to its own Keeper; the Keeper's SVID is checked by the real client below.
        const s: TLSSocket = tlsConnect({ host: '127.0.0.1', port, cert, key, rejectUnauthorized: false }, () => {
          s.write('POST /v1/store/contribute HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le');
          resolve(watch(s, t0));
        });
        s.once('error', reject);
      })),
    );
    const shard = new Uint8Array(32).fill(9);
    const t1 = Date.now();
    await contributeShard(asNexus.http, stack.keeperUrls[0]!, shard);
    expect([...(await fetchShard(asNexus.http, stack.keeperUrls[0]!))]).toEqual([...shard]);
    measured.contributeAndFetchUnderSlowConnectionsMs = Date.now() - t1;
    expect(measured.contributeAndFetchUnderSlowConnectionsMs).toBeLessThan(5_000);
  });

  it(`slow headers are cut off by SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT (${READ_HEADER_TIMEOUT_MS} ms here), give or take 2 s`, async () => {
    const bound = READ_HEADER_TIMEOUT_MS + 2_000;
    const closed = await Promise.all(slowHeaders.map((w) => closedBy(w, t0 + bound + 5_000)));
    measured.slowHeadersClosedAfterMs = Math.max(...closed) === Infinity ? `still open after ${Date.now() - t0} ms` : Math.max(...closed);
    for (const w of slowHeaders) expect(w.data()).not.toMatch(/^HTTP\/1\.1 200 /);
    expect(Math.max(...closed)).toBeLessThan(bound);
  }, 60_000);

  it('TCP connections that never start TLS are closed within the header deadline, give or take 2 s', async () => {
    const bound = READ_HEADER_TIMEOUT_MS + 2_000;
    const closed = await Promise.all(idle.map((w) => closedBy(w, t0 + bound + 5_000)));
    measured.idlePreTlsClosedAfterMs = Math.max(...closed) === Infinity ? `still open after ${Date.now() - t0} ms` : Math.max(...closed);
    expect(Math.max(...closed)).toBeLessThan(bound);
  }, 60_000);
});
