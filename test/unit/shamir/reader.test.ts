import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GROUP_ORDER } from '../../../src/shamir/field.js';
import { randomScalar } from '../../../src/shamir/random-scalar.js';
import { DeterministicReader } from '../../../src/shamir/reader.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

describe('DeterministicReader', () => {
  it('streams SHA-256(seed) || SHA-256(previous block) ..., across odd read sizes', () => {
    const seed = new Uint8Array(32).fill(7);
    const b1 = sha(seed);
    const b2 = sha(b1);
    const b3 = sha(b2);
    const expected = Buffer.concat([b1, b2, b3]);
    const r = new DeterministicReader(seed);
    const parts = [5, 40, 1, 50].map((n) => {
      const out = new Uint8Array(n);
      r.read(out);
      return Buffer.from(out);
    });
    expect(Buffer.concat(parts).equals(expected)).toBe(true);
  });
});

describe('randomScalar (Go crypto/rand.Int rejection sampling)', () => {
  it('skips 32-byte draws >= n and takes the next one', () => {
    const n = Buffer.from(GROUP_ORDER.toString(16), 'hex');
    const draws = [Buffer.alloc(32, 0xff), n, Buffer.alloc(32, 0x01)];
    let i = 0;
    const reader = { read: (out: Uint8Array) => out.set(draws[i++] as Buffer) };
    expect(randomScalar(reader)).toBe(BigInt('0x' + '01'.repeat(32)));
    expect(i).toBe(3);
  });
  it('accepts n - 1', () => {
    const reader = { read: (out: Uint8Array) => out.set(Buffer.from((GROUP_ORDER - 1n).toString(16), 'hex')) };
    expect(randomScalar(reader)).toBe(GROUP_ORDER - 1n);
  });
});
