// /v1/bootstrap/verify through the Nexus app (docs/design.md § Bootstrap):
// upstream Bootstrap's probe (64 random hex characters sealed with the root
// key) is answered with hex(SHA-256(plaintext)) once, in the window after the
// key was rebuilt from the Keepers into a store with no secrets; anything
// else is refused with no hash. The probes are built here with node:crypto,
// as upstream's Go code builds them, not with our Bootstrap's code.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeVerificationProbe } from '../../../src/bootstrap/probe.js';
import { VERIFY_WINDOW_MS } from '../../../src/nexus/routes/bootstrap/verify-window.js';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  h = undefined;
});

const V = '/v1/bootstrap/verify';
const REFUSED = '{"hash":"","err":"api_bad_request"}';

function seal(key: Uint8Array, nonce: Buffer, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** The JSON body for `plain` sealed with `key` under a random nonce. */
function bodyFor(key: Uint8Array, plain: Buffer, nonce = randomBytes(12)): string {
  return JSON.stringify({ nonce: nonce.toString('base64'), ciphertext: seal(key, nonce, plain).toString('base64') });
}

/** Upstream Bootstrap's probe plaintext: hex.EncodeToString of 32 random bytes. */
const upstreamPlaintext = (): Buffer => Buffer.from(randomBytes(32).toString('hex'), 'ascii');
const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('POST /v1/bootstrap/verify: the probe', () => {
  it('answers upstream Bootstrap\'s probe with hex(sha256(plaintext)) right after the key came from the Keepers', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const plain = upstreamPlaintext();
    const r = await h.post(V, bodyFor(key, plain), IDS.bootstrap);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`{"hash":"${sha256Hex(plain)}"}`);
    expect(h.logs.audits.filter((a) => a.action === 'bootstrap_verify').map((a) => a['outcome'])).toEqual(['ok']);
    // nothing logged holds the plaintext or the answer
    const logged = JSON.stringify([h.logs.lines, h.logs.audits]);
    expect(logged).not.toContain(plain.toString('ascii'));
    expect(logged).not.toContain(sha256Hex(plain));
  });

  it('answers our Bootstrap\'s probe (src/bootstrap/probe.ts) with the hash it expects', async () => {
    const key = keyOf(5);
    h = await makeHarness({ installed: key });
    const p = makeVerificationProbe(key);
    const r = await h.post(V, JSON.stringify({ nonce: p.nonce.toString('base64'), ciphertext: p.ciphertext.toString('base64') }), IDS.bootstrap);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`{"hash":"${p.expectedHash}"}`);
  });

  it('answers after a Nexus restart between the push and the verify (key-check value written, no secret stored yet)', async () => {
    const key = keyOf(3);
    h = await makeHarness({ storedKey: key, installed: key });
    const plain = upstreamPlaintext();
    const r = await h.post(V, bodyFor(key, plain), IDS.bootstrap);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`{"hash":"${sha256Hex(plain)}"}`);
  });

  it('refuses on the memory backend (no root key: nothing to verify)', async () => {
    h = await makeHarness({ backend: 'memory' });
    const r = await h.post(V, bodyFor(keyOf(3), upstreamPlaintext()), IDS.bootstrap);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
  });

  it('of two probes that wait for the store together, only one is answered', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const store = h.state.store();
    if (store === undefined) throw new Error('no store');
    // The store answers "does it hold secrets?" only once both probes asked it.
    const held: (() => void)[] = [];
    const real = store.listSecretPaths.bind(store);
    store.listSecretPaths = () => new Promise<string[]>((resolve) => held.push(() => resolve(real())));
    const first = h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    const second = h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    await vi.waitFor(() => expect(held).toHaveLength(2));
    for (const release of held) release();
    const answers = await Promise.all([first, second]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(answers.find((r) => r.status === 400)?.body).toBe(REFUSED);
    expect(h.logs.audits.filter((a) => a['reason'] === 'already_verified')).toHaveLength(1);
  });

  it('answers the same probe sent again with the same hash (a retry after a lost answer), but no second probe', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const plain = upstreamPlaintext();
    const body = bodyFor(key, plain);
    expect((await h.post(V, body, IDS.bootstrap)).body).toBe(`{"hash":"${sha256Hex(plain)}"}`);
    const again = await h.post(V, body, IDS.bootstrap);
    expect(again.status).toBe(200);
    expect(again.body).toBe(`{"hash":"${sha256Hex(plain)}"}`);
    const other = await h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    expect(other.status).toBe(400);
    expect(other.body).toBe(REFUSED);
  });
});

describe('POST /v1/bootstrap/verify: not a decryption oracle', () => {
  it('refuses, with no hash, a ciphertext whose plaintext is not 64 lower-case hex characters (a stored secret, a policy field)', async () => {
    const key = keyOf(3);
    const hex = randomBytes(32).toString('hex');
    const plaintexts = [
      Buffer.from('{"password":"hunter2"}'), // a secret version, as the store seals it
      Buffer.from(hex.toUpperCase()), // 64 characters, not lower-case hex
      Buffer.from(hex.slice(0, 63) + 'g'), // 64 characters, one not hex
      Buffer.from(hex.slice(0, 63)), // 63 hex characters
      Buffer.from(hex + '0'), // 65 hex characters
      Buffer.alloc(0),
    ];
    for (const plain of plaintexts) {
      // one harness per plaintext: the rate limit (5 a minute) is tested on its own
      await h?.close();
      h = await makeHarness({ installed: key });
      const r = await h.post(V, bodyFor(key, plain), IDS.bootstrap);
      expect(r.status, plain.toString()).toBe(400);
      expect(r.body).toBe(REFUSED);
      // a refused plaintext does not close the window: the real probe still works
      const good = upstreamPlaintext();
      expect((await h.post(V, bodyFor(key, good), IDS.bootstrap)).body).toBe(`{"hash":"${sha256Hex(good)}"}`);
    }
  });

  it('does not even try to open a ciphertext that is not a probe\'s length (80 bytes): 400, not 500, for one sealed with another key', async () => {
    h = await makeHarness({ installed: keyOf(3) });
    const r = await h.post(V, bodyFor(keyOf(4), Buffer.from('{"password":"hunter2"}')), IDS.bootstrap);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
    expect(h.logs.audits.some((a) => a['outcome'] === 'decrypt_failed')).toBe(false);
  });

  it('refuses a genuine probe once the store holds a secret (even a deleted one)', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const store = h.state.store();
    if (store === undefined) throw new Error('no store');
    await store.grouped.putSecret('apps/db', { pass: 'x' });
    await store.grouped.deleteSecretVersions('apps/db', [1]);
    const r = await h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
    expect(h.logs.audits.some((a) => a['reason'] === 'store_holds_secrets')).toBe(true);
  });

  it('refuses a genuine probe when the key was restored by operators, not rebuilt from the Keepers', async () => {
    const key = keyOf(3);
    h = await makeHarness();
    expect((await h.state.install(key, 'restore')).ok).toBe(true);
    const r = await h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
  });

  it(`answers until ${VERIFY_WINDOW_MS / 60_000} minutes after the key was rebuilt, and refuses after`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = new Date('2026-01-01T00:00:00Z').getTime();
    vi.setSystemTime(t0);
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    vi.setSystemTime(t0 + VERIFY_WINDOW_MS);
    const late = await h.post(V, bodyFor(key, upstreamPlaintext()), IDS.bootstrap);
    expect(late.status).toBe(400);
    expect(late.body).toBe(REFUSED);
    vi.setSystemTime(t0 + VERIFY_WINDOW_MS - 1000);
    const plain = upstreamPlaintext();
    const inTime = await h.post(V, bodyFor(key, plain), IDS.bootstrap);
    expect(inTime.status).toBe(200);
    expect(inTime.body).toBe(`{"hash":"${sha256Hex(plain)}"}`);
  });

  it('rate-limits a caller: 5 calls, then 429 with Retry-After and no hash', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    for (let i = 0; i < 5; i++) {
      const r = await h.post(V, bodyFor(key, Buffer.from(`not a probe ${i}`)), IDS.bootstrap);
      expect(r.status).toBe(400);
    }
    const plain = upstreamPlaintext();
    const r = await h.post(V, bodyFor(key, plain), IDS.bootstrap);
    expect(r.status).toBe(429);
    expect(r.body).toBe(REFUSED);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('POST /v1/bootstrap/verify: as upstream', () => {
  it('503 before the key is known; 401 for other roles; 400 for bad nonce/size/body; 500 for a probe sealed with another key', async () => {
    h = await makeHarness();
    expect((await h.post(V, '{}', IDS.bootstrap)).status).toBe(503);
    await h.close();
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const nonce = randomBytes(12);
    const good = bodyFor(key, upstreamPlaintext(), nonce);
    const r401 = await h.post(V, good, IDS.superuser);
    expect(r401.status).toBe(401);
    expect(r401.body).toBe('{"hash":"","err":"access_unauthorized"}');
    for (const b of [
      '',
      '[]',
      JSON.stringify({ nonce: 'not base64!', ciphertext: '' }),
      JSON.stringify({ nonce: randomBytes(11).toString('base64'), ciphertext: 'AAAA' }),
      JSON.stringify({ nonce: nonce.toString('base64'), ciphertext: Buffer.alloc(65537).toString('base64') }),
    ]) {
      const r = await h.post(V, b, IDS.bootstrap);
      expect(r.status).toBe(400);
      expect(r.body).toBe(REFUSED);
    }
    const r500 = await h.post(V, bodyFor(keyOf(4), upstreamPlaintext()), IDS.bootstrap);
    expect(r500.status).toBe(500);
    expect(r500.body).toBe('{"hash":"","err":"api_internal_error"}');
  });
});
