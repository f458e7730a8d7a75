// AES-256-GCM open (src/nexus/cipher/aead.ts openWith): the plaintext is
// built once — the buffer the decipher's update() gives is the one returned,
// not copied into another — and that buffer is zeroed when the tag does not
// match. Ciphertexts are made with node:crypto as Go's AES-256-GCM Seal does.
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

/** Every buffer a decipher's update() returned. */
const updates: Buffer[] = [];

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createDecipheriv: (...args: Parameters<typeof real.createDecipheriv>) => {
      const d = real.createDecipheriv(...args);
      const update = d.update.bind(d) as (data: Buffer) => Buffer;
      (d as unknown as { update: (data: Buffer) => Buffer }).update = (data: Buffer) => {
        const out = update(data);
        updates.push(out);
        return out;
      };
      return d;
    },
  };
});

const { openWith, sealWith } = await import('../../../src/nexus/cipher/aead.js');
const KEY = Buffer.alloc(32, 9);

function goSeal(plain: string): { nonce: Buffer; sealed: Buffer } {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', KEY, nonce);
  return { nonce, sealed: Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]) };
}

describe('openWith', () => {
  it('returns the decipher\'s own output buffer: no second copy of the plaintext', () => {
    updates.length = 0;
    const { nonce, sealed } = goSeal('a secret value');
    const plain = openWith(KEY, nonce, sealed)!;
    expect(plain.toString()).toBe('a secret value');
    expect(updates).toHaveLength(1);
    expect(plain.buffer).toBe(updates[0]!.buffer);
    expect(plain.byteOffset).toBe(updates[0]!.byteOffset);
  });

  it('a changed tag or ciphertext: undefined, and what update() produced is zeroed', () => {
    for (const at of ['tag', 'body'] as const) {
      updates.length = 0;
      const { nonce, sealed } = goSeal('another secret');
      sealed[at === 'tag' ? sealed.length - 1 : 0]! ^= 1;
      expect(openWith(KEY, nonce, sealed)).toBeUndefined();
      expect(updates).toHaveLength(1);
      expect(updates[0]!.length).toBe('another secret'.length);
      expect(updates[0]!.every((b) => b === 0)).toBe(true);
    }
  });

  it('opens what sealWith made; a wrong key or a short input does not open', () => {
    const s = sealWith(KEY, Buffer.from('round trip'));
    expect(openWith(KEY, s.nonce, s.ciphertext)?.toString()).toBe('round trip');
    expect(openWith(Buffer.alloc(32, 1), s.nonce, s.ciphertext)).toBeUndefined();
    expect(openWith(KEY, s.nonce, s.ciphertext.subarray(0, 15))).toBeUndefined();
    expect(openWith(KEY, s.nonce.subarray(0, 11), s.ciphertext)).toBeUndefined();
    expect(openWith(KEY, s.nonce, sealWith(KEY, Buffer.alloc(0)).ciphertext)).toBeUndefined();
    const empty = sealWith(KEY, Buffer.alloc(0));
    expect(openWith(KEY, empty.nonce, empty.ciphertext)?.length).toBe(0);
  });
});
