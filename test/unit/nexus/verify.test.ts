import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const V = '/v1/bootstrap/verify';

function seal(key: Uint8Array, nonce: Buffer, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

describe('POST /v1/bootstrap/verify', () => {
  it('decrypts the probe with the root key and returns hex(sha256(plaintext))', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const plain = Buffer.from(randomBytes(32).toString('hex'));
    const nonce = randomBytes(12);
    const body = JSON.stringify({ nonce: nonce.toString('base64'), ciphertext: seal(key, nonce, plain).toString('base64') });
    const r = await h.post(V, body, IDS.bootstrap);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`{"hash":"${createHash('sha256').update(plain).digest('hex')}"}`);
  });

  it('503 before the key is known; 401 for other roles; 400 for bad nonce/size/body; 500 for a wrong key', async () => {
    h = await makeHarness();
    expect((await h.post(V, '{}', IDS.bootstrap)).status).toBe(503);
    await h.close();
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const nonce = randomBytes(12);
    const good = JSON.stringify({ nonce: nonce.toString('base64'), ciphertext: seal(key, nonce, Buffer.from('x')).toString('base64') });
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
      expect(r.body).toBe('{"hash":"","err":"api_bad_request"}');
    }
    const wrong = JSON.stringify({ nonce: nonce.toString('base64'), ciphertext: seal(keyOf(4), nonce, Buffer.from('x')).toString('base64') });
    const r500 = await h.post(V, wrong, IDS.bootstrap);
    expect(r500.status).toBe(500);
    expect(r500.body).toBe('{"hash":"","err":"api_internal_error"}');
  });
});
