// The app on a real socket (plain HTTP: the TLS layer is src/spiffe's):
// a slow body cannot block other callers and is cut off by the request
// deadline; an oversized body gets 400 and the connection is closed, not left hanging.
import { PolicyIndex } from '../../../src/nexus/auth/policy-index.js';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildNexusApp } from '../../../src/nexus/server/app.js';
import { buildRoutes } from '../../../src/nexus/routes/index.js';
import { NexusState } from '../../../src/nexus/state/nexus-state.js';
import { RestoreCollector } from '../../../src/nexus/restore/collector.js';
import { RotationEngine } from '../../../src/nexus/rotation/engine.js';
import { RateLimiter } from '../../../src/nexus/restore/rate-limit.js';
import { captureLogger, FakeGate, IDS, keyOf, TD } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listening(opts: { requestTimeoutMs: number; bodyLimit: number }): Promise<number> {
  const logs = captureLogger();
  const state = new NexusState({ gate: new FakeGate(), log: logs.log });
  await state.install(keyOf(1), 'keepers');
  const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
  const app = buildNexusApp({
    routes: buildRoutes({
      state,
      backend: 'sqlite',
      roots,
      shamir: { threshold: 2, shares: 3, maxShareCount: 1000 },
      log: logs.log,
      collector: new RestoreCollector(2, 60_000),
      restoreLimiter: new RateLimiter({ capacity: 10, refillMs: 1000 }),
      maxCiphertextSize: 65536,
      policies: new PolicyIndex(logs.log),
      rotation: new RotationEngine({ host: state, threshold: 2, shares: 3, log: logs.log, retryMaxMs: 50 }),
    }),
    backend: 'sqlite',
    isReady: () => state.ready(),
    log: logs.log,
    peerIdOf: () => IDS.superuser,
    ...opts,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await state.close();
  });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

function open(port: number): Promise<Socket> {
  return new Promise((ok, ko) => {
    const s = connect(port, '127.0.0.1', () => ok(s));
    s.once('error', ko);
    cleanups.push(() => {
      s.destroy();
    });
  });
}

/** Everything the server sends until it closes the connection. */
function readAll(s: Socket): Promise<string> {
  return new Promise((ok) => {
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString()));
    s.on('close', () => ok(out));
    s.on('error', () => undefined);
  });
}

describe('nexus listener', () => {
  it('a slow body does not block other callers, and is cut off by the request deadline', async () => {
    const port = await listening({ requestTimeoutMs: 1500, bodyLimit: 1 << 20 });
    const slow = await open(port);
    let slowClosed = false;
    const slowDone = readAll(slow).then((out) => {
      slowClosed = true;
      return out;
    });
    slow.write('POST /v1/store/secrets HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"path":');
    const res = await fetch(`http://127.0.0.1:${port}/v1/store/secrets`, { method: 'POST', body: '{"path":"a","values":{"k":"v"}}' });
    expect(res.status).toBe(200);
    // the other caller was answered while the slow request was still pending
    expect(slowClosed).toBe(false);
    // the deadline closes the slow connection without an answer (as Go's ReadTimeout does)
    expect(await slowDone).toBe('');
  });

  it('an oversized body gets the route BadRequest and the connection is closed', async () => {
    const port = await listening({ requestTimeoutMs: 10_000, bodyLimit: 1024 });
    const s = await open(port);
    const done = readAll(s);
    s.write(`POST /v1/operator/restore HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(4096)}`);
    const out = await done;
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request"}');
    expect(out.toLowerCase()).toContain('connection: close');
  });
});
