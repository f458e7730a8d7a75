// sealFields (src/nexus/store/crypto.ts): AES-256-GCM by hand over one
// AES-256-ECB cipher for several fields. Expected values: the AES-256 test
// cases 13–15 of the GCM specification (McGrew & Viega, "The Galois/Counter
// Mode of Operation", as in NIST's GCM validation vectors), and Node's own
// (OpenSSL's) aes-256-gcm on random keys, nonces and lengths.
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, sealFields } from '../../../../src/nexus/store/crypto.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** OpenSSL's AES-256-GCM: ciphertext ‖ tag. */
function opensslSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

describe('sealFields', () => {
  it('gives the GCM specification test cases 13, 14 and 15 (AES-256, 96-bit IV, no AAD)', () => {
    const zeroKey = Buffer.alloc(32);
    const k15 = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const p15 = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255',
    );
    expect(sealFields(zeroKey, [{ nonce: Buffer.alloc(12), plaintext: Buffer.alloc(0) }])[0]?.toString('hex')).toBe('530f8afbc74536b9a963b4f1c4cb738b');
    expect(sealFields(zeroKey, [{ nonce: Buffer.alloc(12), plaintext: Buffer.alloc(16) }])[0]?.toString('hex')).toBe(
      'cea7403d4d606b6e074ec5d3baf39d18' + 'd0d1c8a799996bf0265b98b5d48ab919',
    );
    expect(sealFields(k15, [{ nonce: hex('cafebabefacedbaddecaf888'), plaintext: p15 }])[0]?.toString('hex')).toBe(
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad' +
        'b094dac5d93471bdec1a502270e3cc6c',
    );
  });

  it('equals OpenSSL field by field, for every length up to past the hand-sealed limit, several fields at once', () => {
    for (let round = 0; round < 20; round++) {
      const key = randomBytes(32);
      const fields = Array.from({ length: 1 + (round % 6) }, (_, i) => ({ nonce: randomBytes(12), plaintext: randomBytes((round * 37 + i * 61) % 300) }));
      const sealed = sealFields(key, fields);
      expect(sealed).toHaveLength(fields.length);
      fields.forEach((f, i) => {
        expect(sealed[i]?.toString('hex')).toBe(opensslSeal(key, f.nonce, f.plaintext).toString('hex'));
        expect(open(key, f.nonce, sealed[i] as Buffer).equals(f.plaintext)).toBe(true);
      });
    }
    const key = randomBytes(32);
    for (let len = 0; len <= 260; len++) {
      const f = { nonce: randomBytes(12), plaintext: randomBytes(len) };
      expect(sealFields(key, [f])[0]?.equals(opensslSeal(key, f.nonce, f.plaintext))).toBe(true);
    }
  });

  it('refuses a nonce that is not 12 bytes', () => {
    expect(() => sealFields(randomBytes(32), [{ nonce: randomBytes(16), plaintext: Buffer.from('x') }])).toThrow(/12 bytes/);
  });
});
