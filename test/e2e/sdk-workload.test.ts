// The client library from a workload's side: examples/read-secret.mjs runs as
// a separate Node process in a consumer directory whose node_modules/spike-ts
// is this package (its `exports`: dist/lib/index.js, `npm run build` first),
// registered with the dev agent as its own workload and granted read by a
// policy. It reads a secret from the real Nexus every 200 ms while the dev
// agent rotates its SVID every 3 s (TTL 6 s): the reads keep working across
// at least two rotations, the serial changes, and reads go on after the
// first SVID has expired (Nexus refuses an expired client certificate, so
// the new one is in use). SIGTERM closes the client and the process ends by
// itself. A workload without a policy gets the typed unauthorized error.
import { randomBytes, createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proc, REPO, Stack, type LogLine } from '../helpers/stack.js';
import { SpikeClient } from '../../src/client/spike-client.js';
import { SpikeBadRequestError, SpikeServerError, SpikeUnauthorizedError } from '../../src/client/sdk-errors.js';

const APP = 'spiffe://spike.ist/workload/sdk-app';
const OTHER = 'spiffe://spike.ist/workload/sdk-other';
const VALUE = randomBytes(24).toString('base64url');
const fingerprint = (v: string): string => createHash('sha256').update(v).digest('hex').slice(0, 8);

let stack: Stack;
let consumer: string;
let pilot: SpikeClient | undefined;

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'lib', 'index.js'))) throw new Error('dist/lib/index.js is missing: run `npm run build` first');
  // memory backend: no Keepers needed (Shamir settings only to pass config validation)
  stack = await Stack.create({
    keepers: 0,
    env: { SPIKE_NEXUS_BACKEND_STORE: 'memory', SPIKE_NEXUS_SHAMIR_SHARES: '3', SPIKE_NEXUS_SHAMIR_THRESHOLD: '2', SPIKE_DEV_AGENT_SVID_TTL: '6s' },
  });
  await stack.startAgent();
  await stack.startNexus();
  await stack.setEntry('sdk-app', APP);
  await stack.setEntry('sdk-other', OTHER);

  // The operator's side, through the library too: a policy for the app, and the secret.
  pilot = await SpikeClient.create({ env: stack.envFor('pilot') });
  await pilot.createPolicy({ name: 'sdk-app-read', spiffeIdPattern: '^spiffe://spike\\.ist/workload/sdk-app$', pathPattern: '^sdk/', permissions: ['read'] });
  await pilot.putSecret('sdk/db', { password: VALUE });

  // A consumer project: the example and node_modules/spike-ts -> this package.
  consumer = mkdtempSync('/tmp/sdk-consumer-');
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(REPO, join(consumer, 'node_modules', 'spike-ts'));
  writeFileSync(join(consumer, 'package.json'), '{"name":"sdk-consumer","private":true,"type":"module"}\n');
  copyFileSync(join(REPO, 'examples', 'read-secret.mjs'), join(consumer, 'read-secret.mjs'));
}, 90_000);

afterAll(async () => {
  await pilot?.close();
  await stack?.cleanup();
  if (consumer !== undefined) rmSync(consumer, { recursive: true, force: true });
});

function runExample(workload: string, args: string[]): Proc {
  const env = stack.envFor(workload);
  const p = new Proc(`example-${workload}`, spawn(process.execPath, [join(consumer, 'read-secret.mjs'), ...args], { cwd: consumer, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  stack.all.push(p);
  return p;
}

type ReadEvent = LogLine & {
  time?: string;
  serial?: string;
  notAfter?: string;
  spiffeId?: string;
  nexusId?: string;
  keys?: string[];
  bytes?: Record<string, number>;
  fingerprint?: Record<string, string>;
  kind?: string;
};

describe('a workload using the library', () => {
  it('reads a secret through the library while its SVID rotates at least twice; SIGTERM closes it and it exits by itself', async () => {
    const app = runExample('sdk-app', ['sdk/db', '--interval', '200', '--fingerprint']);
    const ready = (await app.waitForEvent('ready', { timeoutMs: 30_000 })) as ReadEvent;
    expect(ready.spiffeId).toBe(APP);
    const firstNotAfter = Date.parse(ready.notAfter ?? '');
    expect(Number.isNaN(firstNotAfter)).toBe(false);

    const reads = (): ReadEvent[] => (app.lines as ReadEvent[]).filter((l) => l.msg === 'read');
    const serials = (): Set<string> => new Set(reads().map((r) => r.serial ?? ''));
    // ≥ 3 serials (2 rotations) with a successful read each, and a read after the first SVID expired.
    await app.waitForEvent('read', {
      where: (l) => serials().size >= 3 && Date.parse(String(l.time)) > firstNotAfter + 500,
      timeoutMs: 60_000,
    });
    // SIGKILL only if it has not ended 20 s after SIGTERM (then the code is null and the test fails)
    const code = await app.stop('SIGTERM', 20_000);

    expect(app.raw.join('\n')).toBe('');
    const errors = (app.lines as ReadEvent[]).filter((l) => l.msg === 'error');
    expect(errors).toEqual([]);
    const all = reads();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const r of all) {
      expect(r).toMatchObject({ spiffeId: APP, nexusId: stack.ids.nexus, keys: ['password'], bytes: { password: VALUE.length }, fingerprint: { password: fingerprint(VALUE) } });
    }
    expect(serials().size).toBeGreaterThanOrEqual(3);
    expect(all.some((r) => Date.parse(r.time ?? '') > firstNotAfter)).toBe(true);
    // close() released everything: the process ended on its own, with 0, after saying so.
    expect(app.lines.at(-1)).toMatchObject({ msg: 'closed' });
    expect(code).toBe(0);
  }, 120_000);

  it('encrypt / decrypt through the real Nexus (both modes); a workload without execute is unauthorized', async () => {
    const c = pilot as SpikeClient;
    const plain = randomBytes(100);
    const enc = await c.encrypt(plain);
    expect(enc.version).toBe(1);
    expect(enc.nonce).toHaveLength(12);
    expect(enc.ciphertext).toHaveLength(plain.length + 16);
    expect((await c.decrypt(enc)).equals(plain)).toBe(true);
    const sealed = await c.encryptStream(plain);
    expect(sealed).toHaveLength(1 + 12 + plain.length + 16);
    expect((await c.decryptStream(sealed)).equals(plain)).toBe(true);
    // a tampered ciphertext does not open: upstream's answers (stream: 400 "decryption failed"; JSON: 500 api_internal_error)
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
    const streamErr = await c.decryptStream(sealed).catch((e: unknown) => e);
    expect(streamErr).toBeInstanceOf(SpikeBadRequestError);
    expect(streamErr).toMatchObject({ status: 400, code: 'crypto_decryption_failed' });
    enc.ciphertext[0] = (enc.ciphertext[0] as number) ^ 1;
    const jsonErr = await c.decrypt(enc).catch((e: unknown) => e);
    expect(jsonErr).toBeInstanceOf(SpikeServerError);
    expect(jsonErr).toMatchObject({ status: 500, code: 'api_internal_error' });

    const app = await SpikeClient.create({ env: stack.envFor('sdk-app') });
    try {
      await expect(app.encrypt(plain)).rejects.toBeInstanceOf(SpikeUnauthorizedError);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('a workload without a policy: the typed unauthorized error, exit 1', async () => {
    const other = runExample('sdk-other', ['sdk/db', '--count', '1']);
    const code = await other.exited;
    const err = (other.lines as ReadEvent[]).find((l) => l.msg === 'error');
    expect(err).toMatchObject({ kind: 'unauthorized' });
    expect(other.lines.some((l) => l.msg === 'closed')).toBe(true);
    expect(code).toBe(1);
  }, 60_000);
});
