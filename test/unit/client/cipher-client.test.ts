// The cipher calls of src/client/cipher.ts against upstream's request and
// response shapes (spike-sdk-go reqres/cipher.go marshalled by Go's
// encoding/json; net/stream.go posts application/octet-stream): the expected
// request bytes are written out by hand as Go marshals those structs.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../../src/client/errors.js';
import type { CallOptions, SpikeHttpClient } from '../../../src/client/transport.js';
import {
  cipherDecrypt,
  cipherDecryptStream,
  cipherEncrypt,
  cipherEncryptStream,
  cipherErrorCode,
  cipherStreamOf,
} from '../../../src/client/cipher.js';

const NEXUS = new URL('https://localhost:8553/prefix');

function stub(status: number, body: string | Buffer) {
  const calls: { url: string; body: string; bytes: Buffer; opts: CallOptions | undefined }[] = [];
  const sent: Buffer[] = [];
  const client: SpikeHttpClient = {
    postJson: async (url, b, opts) => {
      calls.push({ url: url.href, body: Buffer.from(b).toString(), bytes: Buffer.from(b), opts });
      sent.push(b as Buffer);
      return { status, body: Buffer.from(body) };
    },
    close: () => undefined,
  };
  return { client, calls, sent };
}

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ClientError);
  return e as ClientError;
}

const NONCE_B64 = 'AAECAwQFBgcICQoL'; // bytes 0..11
const NONCE = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
const CT = Buffer.alloc(18, 0xab);

describe('JSON mode', () => {
  it('encrypt sends {"plaintext":b64} (algorithm omitted when empty) as JSON, zeroes it, and decodes version, nonce, ciphertext', async () => {
    const s = stub(200, `{"version":1,"nonce":"${NONCE_B64}","ciphertext":"${CT.toString('base64')}"}`);
    const plain = Buffer.from('hi');
    const got = await cipherEncrypt(s.client, NEXUS, { plaintext: plain });
    expect(s.calls[0]?.url).toBe('https://localhost:8553/prefix/v1/cipher/encrypt');
    expect(s.calls[0]?.body).toBe('{"plaintext":"aGk="}');
    expect(s.calls[0]?.opts?.contentType).toBeUndefined(); // the transport's application/json
    expect(s.sent[0]?.every((b) => b === 0)).toBe(true);
    expect(plain.toString()).toBe('hi'); // the caller's buffer is untouched
    expect(got).toEqual({ version: 1, nonce: NONCE, ciphertext: CT });
    expect(cipherStreamOf(got)).toEqual(Buffer.concat([Buffer.of(1), NONCE, CT]));

    const t = stub(200, `{"version":1,"nonce":"${NONCE_B64}","ciphertext":"${CT.toString('base64')}"}`);
    await cipherEncrypt(t.client, NEXUS, { plaintext: Buffer.alloc(0), algorithm: 'AES-GCM' });
    expect(t.calls[0]?.body).toBe('{"plaintext":"","algorithm":"AES-GCM"}');
  });

  it('decrypt sends {"version","nonce","ciphertext"[,"algorithm"]} and returns the plaintext', async () => {
    const s = stub(200, '{"plaintext":"AP8K"}');
    const got = await cipherDecrypt(s.client, NEXUS, { version: 1, nonce: NONCE, ciphertext: Buffer.from([255]), algorithm: 'x' });
    expect(s.calls[0]?.url).toBe('https://localhost:8553/prefix/v1/cipher/decrypt');
    expect(s.calls[0]?.body).toBe(`{"version":1,"nonce":"${NONCE_B64}","ciphertext":"/w==","algorithm":"x"}`);
    expect(got).toEqual(Buffer.from([0, 255, 10]));
    const n = stub(200, '{"plaintext":null}');
    expect(await cipherDecrypt(n.client, NEXUS, { version: 7, nonce: Buffer.alloc(0), ciphertext: Buffer.alloc(0) })).toEqual(Buffer.alloc(0));
    expect(n.calls[0]?.body).toBe('{"version":7,"nonce":"","ciphertext":""}');
    await expect(cipherDecrypt(n.client, NEXUS, { version: 256, nonce: NONCE, ciphertext: CT })).rejects.toThrow(RangeError);
  });

  it('error answers carry status and code (upstream error bodies)', async () => {
    const e = await rejection(cipherEncrypt(stub(401, '{"version":0,"nonce":null,"ciphertext":null,"err":"access_unauthorized"}').client, NEXUS, { plaintext: Buffer.from('x') }));
    expect([e.kind, e.status, e.code]).toEqual(['status', 401, 'access_unauthorized']);
    const d = await rejection(cipherDecrypt(stub(500, '{"plaintext":null,"err":"api_internal_error"}').client, NEXUS, { version: 1, nonce: NONCE, ciphertext: CT }));
    expect([d.status, d.code]).toEqual([500, 'api_internal_error']);
    const m = await rejection(cipherEncrypt(stub(200, '{"version":1,"nonce":null,"ciphertext":null}').client, NEXUS, { plaintext: Buffer.from('x') }));
    expect(m.kind).toBe('decode');
    const c = await rejection(cipherDecrypt(stub(200, '{"plaintext":"AA==","err":"api_bad_request"}').client, NEXUS, { version: 1, nonce: NONCE, ciphertext: CT }));
    expect([c.status, c.code]).toEqual([200, 'api_bad_request']);
  });
});

describe('stream mode', () => {
  it('encrypt posts the raw bytes as application/octet-stream and returns 0x01 ‖ nonce ‖ ciphertext', async () => {
    const answer = Buffer.concat([Buffer.of(1), NONCE, CT]);
    const s = stub(200, answer);
    const plain = Buffer.from([0, 1, 2, 0xff]);
    expect(await cipherEncryptStream(s.client, NEXUS, plain)).toEqual(answer);
    expect(s.calls[0]?.bytes).toEqual(plain);
    expect(s.calls[0]?.opts?.contentType).toBe('application/octet-stream');
    expect(plain).toEqual(Buffer.from([0, 1, 2, 0xff]));
    // a short answer or another version is malformed
    for (const bad of [Buffer.of(1), Buffer.concat([Buffer.of(2), NONCE, CT])]) {
      expect((await rejection(cipherEncryptStream(stub(200, bad).client, NEXUS, plain))).kind).toBe('decode');
    }
  });

  it('decrypt posts the stream as application/octet-stream and returns the plaintext', async () => {
    const s = stub(200, Buffer.from('plain'));
    const sealed = Buffer.concat([Buffer.of(1), NONCE, CT]);
    expect((await cipherDecryptStream(s.client, NEXUS, sealed)).toString()).toBe('plain');
    expect(s.calls[0]?.bytes).toEqual(sealed);
    expect(s.calls[0]?.opts?.contentType).toBe('application/octet-stream');
  });

  it('Go http.Error texts become codes', async () => {
    for (const [text, code] of [
      ['crypto_failed_to_read_nonce\n', 'crypto_failed_to_read_nonce'],
      ['crypto_unsupported_version\n', 'crypto_unsupported_version'],
      ['crypto_failed_to_read_version\n', 'crypto_failed_to_read_version'],
      ['decryption failed\n', 'crypto_decryption_failed'],
      ['{"plaintext":null,"err":"api_bad_request"}', 'api_bad_request'],
    ] as const) {
      const e = await rejection(cipherDecryptStream(stub(400, text).client, NEXUS, Buffer.of(1)));
      expect([e.status, e.code], text).toEqual([400, code]);
    }
    expect(cipherErrorCode(Buffer.from('<html>oops</html>'))).toBeUndefined();
  });
});
