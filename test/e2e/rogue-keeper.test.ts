// The rogue-keeper attack, end to end on real processes from dist/ (npm run
// build first). Three Keepers, threshold 2. The attacker owns Keeper 1 (its
// SVID, fetched from keeper-1's Workload API socket), kills Keeper 2 and
// serves Keeper 1's SVID on Keeper 2's port. Nexus then crashes and recovers
// from the Keepers, and pushes shares to every Keeper (after the recovery,
// then every second).
// - Pinned (SPIKE_NEXUS_KEEPER_PEERS=URL=spiffe://td/spike/keeper/<i>, the
//   default of the stack helpers): every connection Nexus opens to the rogue
//   ends in the TLS handshake; the rogue receives no request byte (no share
//   2), and Nexus logs keeper_identity_mismatch with the URL and the
//   presented ID. With share 1 only, the attacker is below the threshold.
//   Bootstrap, run while the rogue sits on Keeper 2's port, refuses it the
//   same way and fails naming Keeper 2.
// - Plain URLs (upstream's form): Nexus and Bootstrap warn at start, and the
//   same rogue receives share 2: the control showing that the first case
//   tests the pinning, not some other failure.
import tls from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { svidToTlsCredentials } from '../../src/spiffe/x509svid.js';
import { Stack, type LogLine } from '../helpers/stack.js';

const UPDATE_INTERVAL = '1s';
const WARNING = /^keeper shares are not pinned to keeper identities: /;

interface Rogue {
  /** TCP connections made to the rogue. */
  connections: () => number;
  /** Decrypted application bytes received (HTTP request bytes). */
  received: () => Buffer;
  close: () => Promise<void>;
}

/** A fake Keeper on `port` with `cred` (keeper-1's SVID): records what it receives, answers 400 (no shard). */
async function startRogue(port: number, cred: { cert: string; key: string; ca: string[] }): Promise<Rogue> {
  let connections = 0;
  const chunks: Buffer[] = [];
  const server = tls.createServer({ ...cred, requestCert: true, rejectUnauthorized: true }, (s) => {
    s.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      if (Buffer.concat(chunks).includes('\r\n\r\n')) s.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
    s.on('error', () => undefined);
  });
  server.on('connection', () => connections++);
  server.on('tlsClientError', () => undefined);
  // Keeper 2 was just killed: its port may be held for a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 40) throw e;
      await delay(250);
    }
  }
  return {
    connections: () => connections,
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let stack: Stack | undefined;
let rogue: Rogue | undefined;
afterEach(async () => {
  await rogue?.close();
  rogue = undefined;
  await stack?.cleanup();
  stack = undefined;
});

/** Starts the stack, then replaces keeper 2 by a rogue serving keeper-1's SVID, and makes Nexus recover and push. */
async function replayAttack(pinKeepers: boolean): Promise<{ stack: Stack; rogue: Rogue }> {
  stack = await Stack.create({ keepers: 3, threshold: 2, pinKeepers, env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: UPDATE_INTERVAL, SPIKE_HTTP_CLIENT_TIMEOUT: '5s' } });
  await stack.startAll();
  // The attacker: keeper-1's own SVID (and the trust bundle) from keeper-1's Workload API socket.
  const asKeeper1 = await stack.client('keeper-1');
  expect(asKeeper1.id()).toBe(stack.ids.keepers[0]);
  const cred = { ...svidToTlsCredentials(asKeeper1.source.getX509Svid()), ca: asKeeper1.source.getBundles().allPems() };

  const keeper2Port = stack.keeperPorts[1]!;
  await stack.kill('keeper-2');
  rogue = await startRogue(keeper2Port, cred);

  // Nexus crashes and recovers from the keepers (1 and 3 suffice), then pushes.
  await stack.kill('nexus');
  const nexus = await stack.startNexus();
  await nexus.waitForEvent('root_key_ready');
  return { stack, rogue };
}

describe('rogue keeper: keeper-1 SVID served on keeper-2 port', () => {
  it('pinned: the rogue gets no request byte (no share) through recovery and push cycles; Nexus logs the mismatch', async () => {
    const { stack: s, rogue: r } = await replayAttack(true);
    const nexus = s.proc('nexus');
    const url = s.keeperUrls[1]!.origin;
    // Refused during recovery, then on the push after it and the retries / periodic pushes that follow.
    const readyAt = nexus.events('root_key_ready').at(-1)?.['_at'] as number;
    // `_at`: when the test read the line (proc.ts), so lines read after root_key_ready came from pushes.
    const afterReady = (l: LogLine): boolean => typeof l['_at'] === 'number' && l['_at'] > readyAt;
    await nexus.waitForCount('keeper_identity_mismatch', 4, { where: (l) => l['url'] === url && afterReady(l), timeoutMs: 30_000 });
    const mismatches = nexus.events('keeper_identity_mismatch');
    expect(r.connections()).toBeGreaterThan(0); // Nexus did reach the rogue...
    expect(r.received().length).toBe(0); // ...and sent it nothing: no request, no share
    for (const m of mismatches) {
      expect(m).toMatchObject({ level: 'ERROR', url, expected: s.ids.keepers[1], presented: s.ids.keepers[0] });
      expect(JSON.stringify(m)).not.toMatch(/shard/i);
    }
    // Keepers 1 and 3 are served as usual, and no start-up warning: every keeper is pinned.
    expect(nexus.lines.some((l) => typeof l.msg === 'string' && WARNING.test(l.msg))).toBe(false);
    expect(s.proc('bootstrap').lines.some((l) => typeof l.msg === 'string' && WARNING.test(l.msg))).toBe(false);
  }, 120_000);

  it('pinned: Bootstrap hands the rogue no share either; it fails naming keeper 2 and logs the mismatch', async () => {
    stack = await Stack.create({ keepers: 3, threshold: 2 });
    const s = stack;
    await s.startAgent();
    await s.startKeepers();
    await s.startNexus();
    const asKeeper1 = await s.client('keeper-1');
    const cred = { ...svidToTlsCredentials(asKeeper1.source.getX509Svid()), ca: asKeeper1.source.getBundles().allPems() };
    const keeper2Port = s.keeperPorts[1]!;
    await s.kill('keeper-2');
    rogue = await startRogue(keeper2Port, cred);
    const r = rogue;
    const b = await s.bootstrap({ SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES: '2', SPIKE_BOOTSTRAP_KEEPER_RETRY_INITIAL_INTERVAL: '100ms' });
    expect(b.code).not.toBe(0);
    expect(b.proc.stderr() + b.proc.stdout()).toContain(`failed to reach keeper 2 at ${s.keeperUrls[1]!.origin}`);
    const m = b.proc.events('keeper_identity_mismatch');
    expect(m.length).toBeGreaterThan(0);
    expect(m[0]).toMatchObject({ url: s.keeperUrls[1]!.origin, expected: s.ids.keepers[1], presented: s.ids.keepers[0] });
    expect(r.connections()).toBeGreaterThan(0);
    expect(r.received().length).toBe(0);
  }, 120_000);

  it('plain URLs (upstream form): Nexus and Bootstrap warn at start, and the same rogue receives share 2', async () => {
    const { stack: s, rogue: r } = await replayAttack(false);
    expect(s.proc('bootstrap').lines.filter((l) => typeof l.msg === 'string' && WARNING.test(l.msg))).toHaveLength(1);
    const nexus = s.proc('nexus');
    expect(nexus.lines.filter((l) => typeof l.msg === 'string' && WARNING.test(l.msg))).toHaveLength(1);
    expect(nexus.lines.find((l) => typeof l.msg === 'string' && WARNING.test(l.msg))?.['level']).toBe('WARN');
    const deadline = Date.now() + 30_000;
    while (!r.received().includes('/v1/store/contribute') && Date.now() < deadline) await delay(100);
    const got = r.received().toString('latin1');
    expect(got).toContain('POST /v1/store/contribute');
    expect(got).toMatch(/"shard":\[(\d+,){31}\d+\]|"shard":"/);
    expect(nexus.events('keeper_identity_mismatch')).toHaveLength(0);
  }, 120_000);
});
