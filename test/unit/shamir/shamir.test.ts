import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GROUP_ORDER, ShamirError, computeShares, interpolateShare, isValidScalar, recoverSecret, type Share } from '../../../src/shamir/index.js';
import { sayingNothingOf } from '../../helpers/expect.js';
import { p256 } from '@noble/curves/nist.js';
import { Fn } from '../../../src/shamir/field.js';

const here = dirname(fileURLToPath(import.meta.url));
// Upstream SPIKE's shares (spike-sdk-go v0.19.9 + circl v1.6.3); origin and how
// to regenerate: test/fixtures/README.md.
const vectorsPath = resolve(here, '../../fixtures/shamir-p256.json');

interface Vector {
  rootKey: string;
  threshold: number;
  shares: number;
  out: { id: number; value: string }[];
}
const vectors = (JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] }).vectors;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const nBytes = (): Uint8Array => unhex(GROUP_ORDER.toString(16).padStart(64, '0'));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ShamirError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

describe('computeShares: test/fixtures/shamir-p256.json', () => {
  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThan(5);
  });
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i matches byte for byte and recovers', (_i, v) => {
    const shares = computeShares(unhex(v.rootKey), v.threshold, v.shares);
    expect(shares.map((s) => ({ id: s.id, value: hex(s.value) }))).toEqual(v.out);
    const back = recoverSecret(shares.slice(-v.threshold), v.threshold);
    expect(hex(back)).toBe(v.rootKey);
  });
});

// Three more vectors in recovery-file form (spike:<id>:<hex>), computed outside
// this project from upstream's rules (spike-sdk-go v0.19.9 crypto.ComputeShares:
// a Python re-implementation cross-checked with Go's crypto/rand.Int + SHA-256).
const spec67: { rootKey: string; threshold: number; lines: string[] }[] = [
  {
    rootKey: '01'.repeat(32),
    threshold: 2,
    lines: [
      'spike:1:73ce6f8523c508fc6e0a8791f2140c7eee7fc3f8f6e2d40cdad622f116373894',
      'spike:2:e69bde09468910f7db140e22e32717fcdbfe86f0ecc4a718b4ab44e12b6d7027',
      'spike:3:59694c8e694d18f2481d94b3d43a237b0c964f3b3b8edb9f9ac69c0e44408269',
    ],
  },
  {
    rootKey: Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(''),
    threshold: 2,
    lines: [
      'spike:1:630ecf2c6ac9396d991b5e53c7bf695f0423b6af8742c8dfc3dad27337f42efc',
      'spike:2:c61c9c55d18d6cd42a2db29c8371c4aef8365b4bfa707ba86f9c8acb53cb3fd9',
      'spike:3:292a69803851a039bb4006e53f241fff2f62053ac6868fec27a47860733f2b65',
    ],
  },
  {
    rootKey: 'a5'.repeat(32),
    threshold: 3,
    lines: [
      'spike:1:b5dd344e5cef2883c2f94780677e99d4e06cdfcfa24cee57aebcbe4565277c36',
      'spike:2:ed6d18464a0bf701bc723640f7402596c5050979dfa517ca060a86b86cacdc5d',
      'spike:3:4c55518e6cfc111e921071e754ea48eb968727f6b6968377b7d5343bbfd2a0c9',
      'spike:4:d295e024c5bf76dc43d3fa73807d03d2cec130a175506e6aab905c55575f141c',
      'spike:5:802ec40b54562838d1bccfe579f8564cf3e52e1ecda39b98f9c8697f3a8bebb4',
    ],
  },
];

describe('computeShares: upstream recovery-file vectors', () => {
  it.each(spec67.map((v, i) => [i + 1, v] as const))('vector %i', (_i, v) => {
    const shares = computeShares(unhex(v.rootKey), v.threshold, v.lines.length);
    expect(shares.map((s) => `spike:${s.id}:${hex(s.value)}`)).toEqual(v.lines);
  });
});

describe('interpolateShare: the other shares of upstream vectors from any threshold of them', () => {
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i', (_i, v) => {
    const given = v.out.map((o) => ({ id: o.id, value: unhex(o.value) }));
    // the last `threshold` shares give every share, the first ones included
    const base = given.slice(-v.threshold);
    for (const o of v.out) expect(hex(interpolateShare(base, o.id))).toBe(o.value);
    // and one share beyond the set agrees whichever threshold subset computes it
    const next = v.shares + 1;
    expect(hex(interpolateShare(given.slice(0, v.threshold), next))).toBe(hex(interpolateShare(base, next)));
  });

  it.each(spec67.map((v, i) => [i + 1, v] as const))('recovery-file vector %i', (_i, v) => {
    const given = v.lines.map((l) => {
      const [, id, value] = l.split(':');
      return { id: Number(id), value: unhex(value as string) };
    });
    const base = given.slice(0, v.threshold);
    for (const s of given.slice(v.threshold)) expect(hex(interpolateShare(base, s.id))).toBe(hex(s.value));
  });

  it('refuses id 0 (the secret), bad ids, bad or duplicate shares, no shares', () => {
    const good = computeShares(unhex('01'.repeat(32)), 2, 3);
    expect(code(() => interpolateShare(good, 0))).toBe('invalid_id');
    expect(() => interpolateShare(good, 0)).toThrow(/root key/);
    expect(code(() => interpolateShare(good, 1.5))).toBe('invalid_id');
    expect(code(() => interpolateShare([good[0] as Share, { id: 2, value: nBytes() }], 3))).toBe('value_out_of_range');
    expect(code(() => interpolateShare([good[0] as Share, good[0] as Share], 3))).toBe('duplicate_id');
    expect(code(() => interpolateShare([], 1))).toBe('not_enough_shares');
  });
});

const rootKeyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((b) => isValidScalar(b) && b.some((x) => x !== 0));
const paramsArb = fc
  .record({ key: rootKeyArb, threshold: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 4 }) })
  .chain((p) => {
    const n = p.threshold + p.extra;
    return fc.record({
      key: fc.constant(p.key),
      threshold: fc.constant(p.threshold),
      n: fc.constant(n),
      pick: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: p.threshold, maxLength: p.threshold },
      ),
    });
  });

describe('properties', () => {
  it('any t of n shares, in any order, recover the key', () => {
    fc.assert(
      fc.property(paramsArb, ({ key, threshold, n, pick }) => {
        const shares = computeShares(key, threshold, n);
        const chosen = pick.map((i) => shares[i] as Share);
        expect(hex(recoverSecret(chosen, threshold))).toBe(hex(key));
      }),
      { numRuns: 60 },
    );
  });

  it('t-1 shares interpolated as if they were enough do not give the key', () => {
    fc.assert(
      fc.property(
        paramsArb.filter((p) => p.threshold >= 2),
        ({ key, threshold, n, pick }) => {
          const shares = computeShares(key, threshold, n);
          const chosen = pick.slice(0, threshold - 1).map((i) => shares[i] as Share);
          expect(code(() => recoverSecret(chosen, threshold))).toBe('not_enough_shares');
          let got: string;
          try {
            got = hex(recoverSecret(chosen, threshold - 1));
          } catch (e) {
            got = (e as ShamirError).code; // a zero result is also "not the key"
          }
          expect(got).not.toBe(hex(key));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is deterministic and ids are 1..n', () => {
    fc.assert(
      fc.property(rootKeyArb, fc.integer({ min: 1, max: 5 }), (key, t) => {
        const a = computeShares(key, t, t + 2);
        const b = computeShares(key, t, t + 2);
        expect(a.map((s) => s.id)).toEqual(Array.from({ length: t + 2 }, (_, i) => i + 1));
        expect(a.map((s) => hex(s.value))).toEqual(b.map((s) => hex(s.value)));
        for (const s of a) expect(isValidScalar(s.value)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('shares do not depend on the share count', () => {
    const key = unhex('42'.repeat(32));
    const a = computeShares(key, 3, 3);
    const b = computeShares(key, 3, 9);
    expect(b.slice(0, 3).map((s) => hex(s.value))).toEqual(a.map((s) => hex(s.value)));
  });
});

describe('the scalar field without the curve', () => {
  it('is the field of P-256 scalars: same order, same results as the curve\'s own Fn', () => {
    const curveFn = p256.Point.Fn;
    expect(Fn.ORDER).toBe(curveFn.ORDER);
    expect(Fn.BYTES).toBe(curveFn.BYTES);
    const scalar = fc.bigInt({ min: 0n, max: GROUP_ORDER - 1n });
    const nonZero = fc.bigInt({ min: 1n, max: GROUP_ORDER - 1n });
    fc.assert(
      fc.property(scalar, nonZero, (a, b) => {
        expect(Fn.add(a, b)).toBe(curveFn.add(a, b));
        expect(Fn.sub(a, b)).toBe(curveFn.sub(a, b));
        expect(Fn.mul(a, b)).toBe(curveFn.mul(a, b));
        expect(Fn.div(a, b)).toBe(curveFn.div(a, b));
        expect(hex(Fn.toBytes(a))).toBe(hex(curveFn.toBytes(a)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('refusals', () => {
  const key = unhex('01'.repeat(32));
  const good = computeShares(key, 2, 3);

  it('isValidScalar and GROUP_ORDER', () => {
    expect(GROUP_ORDER).toBe(0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n);
    expect(isValidScalar(nBytes())).toBe(false);
    const nMinus1 = nBytes();
    nMinus1[31] = (nMinus1[31] as number) - 1;
    expect(isValidScalar(nMinus1)).toBe(true);
    expect(isValidScalar(new Uint8Array(31))).toBe(false);
    expect(isValidScalar(new Uint8Array(32))).toBe(true);
  });

  it('root key zero, >= n, wrong length', () => {
    expect(code(() => computeShares(new Uint8Array(32), 2, 3))).toBe('root_key_invalid');
    expect(code(() => computeShares(nBytes(), 2, 3))).toBe('root_key_invalid');
    expect(code(() => computeShares(new Uint8Array(32).fill(0xff), 2, 3))).toBe('root_key_invalid');
    expect(code(() => computeShares(new Uint8Array(31).fill(1), 2, 3))).toBe('root_key_invalid');
  });

  it('threshold < 1, shares < threshold, non-integers', () => {
    expect(code(() => computeShares(key, 0, 3))).toBe('invalid_threshold');
    expect(code(() => computeShares(key, 3, 2))).toBe('invalid_threshold');
    expect(code(() => computeShares(key, 1.5, 3))).toBe('invalid_threshold');
    expect(code(() => computeShares(key, 2, Number.NaN))).toBe('invalid_threshold');
    expect(code(() => recoverSecret(good, 0))).toBe('invalid_threshold');
  });

  it('share values >= n or of the wrong length', () => {
    expect(code(() => recoverSecret([good[0] as Share, { id: 2, value: nBytes() }], 2))).toBe('value_out_of_range');
    expect(code(() => recoverSecret([good[0] as Share, { id: 2, value: new Uint8Array(33) }], 2))).toBe('value_out_of_range');
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('id %s', (id) => {
    expect(code(() => recoverSecret([good[0] as Share, { id, value: (good[1] as Share).value }], 2))).toBe('invalid_id');
  });

  it('duplicate ids and too few shares', () => {
    expect(code(() => recoverSecret([good[0] as Share, good[0] as Share], 2))).toBe('duplicate_id');
    expect(code(() => recoverSecret([good[0] as Share], 2))).toBe('not_enough_shares');
    expect(code(() => recoverSecret([], 1))).toBe('not_enough_shares');
  });

  it('a zero result', () => {
    // A constant polynomial 0: shares (1, 0) and (2, 0).
    const zero = [
      { id: 1, value: new Uint8Array(32) },
      { id: 2, value: new Uint8Array(32) },
    ];
    expect(code(() => recoverSecret(zero, 2))).toBe('zero_result');
  });

  it('error messages never contain share or key bytes', () => {
    const bad = { id: 2, value: new Uint8Array(32).fill(0xff) };
    const recover = () => recoverSecret([good[0] as Share, bad], 2);
    expect(recover).toThrow(ShamirError);
    expect(recover).toThrow(sayingNothingOf('ff'.repeat(4), hex((good[0] as Share).value).slice(0, 8)));
  });
});
