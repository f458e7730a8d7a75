// The slow-body flood against the real Nexus (from dist/; npm run build
// first): a workload of the trust domain with no permission at all opens many
// connections, each announcing a 1 MiB secret put and streaming it slowly.
// Nexus refuses each one from its headers alone (401, Connection: close) and
// closes it while the client has sent a small part of the body; meanwhile the
// superuser's get answers 200. Then the per-peer connection cap: the N+1-th
// connection of one peer is closed after the handshake, another peer still
// connects, and the refusal is logged; and the total cap (SPIKE_NEXUS_MAX_CONNECTIONS):
// past it a connection is dropped at accept. No latency bounds: behaviour only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecret, putSecret } from '../../src/client/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { devCaSvid, type PemSvid } from '../helpers/dev-ca-svid.js';
import { RawHttpsConnection } from '../helpers/raw-https.js';

const PER_PEER = 16;
const FLOOD = PER_PEER; // the flood uses every connection its peer is allowed
const BODY = 1024 * 1024;
const CHUNK = 1024;

let stack: Stack;
let pilot: StackClient;
let flooder: PemSvid;
const conns: RawHttpsConnection[] = [];

beforeAll(async () => {
  // memory backend: no Keepers needed (Shamir settings only to pass config validation)
  stack = await Stack.create({
    keepers: 0,
    env: {
      SPIKE_NEXUS_BACKEND_STORE: 'memory',
      SPIKE_NEXUS_SHAMIR_SHARES: '3',
      SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
      SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER: String(PER_PEER),
    },
  });
  await stack.startAgent();
  await stack.startNexus();
  pilot = await stack.client('pilot');
  await putSecret(pilot.http, stack.nexusUrl, 'app/db', { pass: 'hunter2' });
  flooder = await devCaSvid(stack.devDir, stack.trustDomain, `spiffe://${stack.trustDomain}/workload/flooder`, 3_600_000);
}, 60_000);

afterAll(async () => {
  for (const c of conns) c.destroy();
  await stack?.cleanup();
});

async function open(svid: PemSvid): Promise<RawHttpsConnection> {
  const c = await RawHttpsConnection.open({ port: stack.nexusPort, ...svid });
  conns.push(c);
  return c;
}

/** Yields to the event loop between chunks (the flood is slow, not a fixed sleep per test). */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe('slow-body flood from a workload with no permission', () => {
  it('every flood connection gets 401 and is closed long before its body is sent; the superuser reads meanwhile', async () => {
    const nexus = stack.proc('nexus');
    const mark = nexus.mark();
    const flood = await Promise.all(Array.from({ length: FLOOD }, () => open(flooder)));
    const sending = flood.map((c) => c.sendSlowly('/v1/store/secrets', BODY, CHUNK, tick));
    const answers = flood.map((c) => c.response());

    // the superuser's read is answered while the flood is on
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ pass: 'hunter2' });

    for (const a of await Promise.all(answers)) {
      expect(a.status).toBe(401);
      expect(a.body).toBe('{"err":"access_unauthorized"}');
      expect(a.headers.connection).toBe('close');
    }
    await Promise.all(flood.map((c) => c.closed));
    await Promise.all(sending);
    // closed by Nexus while the client had sent a small part of the body (it stops only when the socket closes)
    for (const c of flood) expect(c.bodyBytesWritten).toBeLessThan(BODY / 4);
    // audited as the guard would (secret_put, unauthorized), marked as decided before the body was read
    const refusals = await nexus.waitForCount('secret_put', FLOOD, {
      where: (l) => l.early === true && l.outcome === 'unauthorized' && (l.caller as string | undefined)?.endsWith('/workload/flooder') === true,
    });
    expect(refusals.length).toBeGreaterThanOrEqual(FLOOD);
    expect(nexus.lines.slice(mark).filter((l) => l.msg === 'bad request body')).toEqual([]);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ pass: 'hunter2' });
  }, 60_000);
});

describe('per-peer connection cap', () => {
  it(`the ${PER_PEER + 1}-th open connection of one peer is closed after the handshake; another peer still connects; logged`, async () => {
    const nexus = stack.proc('nexus');
    const mark = nexus.mark();
    // a recover-role ID: operator status answers it without closing the connection
    const a = await devCaSvid(stack.devDir, stack.trustDomain, `${stack.ids.recover}/capped`, 3_600_000);
    const b = await devCaSvid(stack.devDir, stack.trustDomain, `${stack.ids.recover}/other`, 3_600_000);
    const held: RawHttpsConnection[] = [];
    for (let i = 0; i < PER_PEER; i++) held.push(await open(a));
    // each one admitted (answered on the same kept-alive socket)
    for (const c of held) expect((await c.request('/v1/operator/status', '{}')).status).toBe(200);
    expect(held.filter((c) => c.isClosed)).toEqual([]);

    const extra = await open(a);
    extra.send('/v1/operator/status', '{}');
    await expect(extra.response()).rejects.toThrow(/closed before a complete response/);
    const line = await nexus.waitForEvent('connection refused: too many open connections from one peer', { after: mark });
    expect(line).toMatchObject({ caller: a.id, limit: PER_PEER });

    // another peer still gets in, and so does the first one once a connection is freed
    const other = await open(b);
    expect((await other.request('/v1/operator/status', '{}')).status).toBe(200);
    held[0]!.destroy();
    await held[0]!.closed;
    let answered: number | undefined;
    while (answered === undefined) {
      const again = await open(a);
      again.send('/v1/operator/status', '{}');
      answered = (await again.response().catch(() => undefined))?.status;
    }
    expect(answered).toBe(200);
  }, 60_000);
});

describe('total connection cap', () => {
  it('past SPIKE_NEXUS_MAX_CONNECTIONS a new connection is dropped at accept (logged); a freed slot is usable again', async () => {
    const TOTAL = 4;
    await stack.kill('nexus');
    const nexus = await stack.startNexus({ SPIKE_NEXUS_MAX_CONNECTIONS: String(TOTAL) });
    const mark = nexus.mark();
    // distinct IDs, so that only the total cap can refuse
    const svids = await Promise.all(
      Array.from({ length: TOTAL + 1 }, (_, i) => devCaSvid(stack.devDir, stack.trustDomain, `${stack.ids.recover}/total-${i}`, 3_600_000)),
    );
    const held: RawHttpsConnection[] = [];
    for (const svid of svids.slice(0, TOTAL)) {
      const c = await open(svid);
      expect((await c.request('/v1/operator/status', '{}')).status).toBe(200);
      held.push(c);
    }
    // dropped before TLS: the handshake itself fails
    await expect(open(svids[TOTAL]!)).rejects.toThrow();
    const line = await nexus.waitForEvent('connection refused: too many open connections', { after: mark });
    expect(line).toMatchObject({ limit: TOTAL });
    expect(held.filter((c) => c.isClosed)).toEqual([]);

    held[0]!.destroy();
    await held[0]!.closed;
    let answered: number | undefined;
    while (answered === undefined) {
      const again = await open(svids[TOTAL]!).catch(() => undefined);
      if (again === undefined) continue;
      again.send('/v1/operator/status', '{}');
      answered = (await again.response().catch(() => undefined))?.status;
    }
    expect(answered).toBe(200);
  }, 60_000);
});
