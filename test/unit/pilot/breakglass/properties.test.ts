// Properties of the offline checks, over random root keys and set shapes:
// every threshold subset of a set proves the whole set; any changed byte in
// any share is caught and named; a whole set of another key is called foreign.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeShares } from '../../../../src/shamir/index.js';
import { buildManifest } from '../../../../src/pilot/breakglass/manifest.js';
import { verifyShards } from '../../../../src/pilot/breakglass/verify.js';
import { deduceThreshold } from '../../../../src/pilot/breakglass/polynomial.js';
import { formatShardFile } from '../../../../src/pilot/breakglass/shard.js';

const shape = fc
  .record({ key: fc.uint8Array({ minLength: 32, maxLength: 32 }), n: fc.integer({ min: 2, max: 6 }) })
  .chain(({ key, n }) => fc.record({ key: fc.constant(key), n: fc.constant(n), t: fc.integer({ min: 1, max: n }) }))
  .filter(({ key }) => key.some((b) => b !== 0));

function setup(key: Uint8Array, t: number, n: number) {
  const shares = computeShares(key, t, n);
  const manifest = buildManifest({
    shares: new Map(shares.map((s) => [s.id, s.value])),
    threshold: deduceThreshold(shares),
    nexusId: 'spiffe://spike.ist/spike/nexus',
    exportedAt: new Date(0),
    encryption: 'none',
    fileOf: (id) => `spike.recovery.${id}.txt`,
  });
  return { shares, manifest };
}

describe('offline verification properties', () => {
  it('finds the threshold, and any threshold subset proves the whole set', () => {
    fc.assert(
      fc.property(shape, fc.nat(), ({ key, t, n }, seed) => {
        const { shares, manifest } = setup(key, t, n);
        expect(manifest.threshold).toBe(t);
        const subset = [...shares].sort((a, b) => ((a.id * 7919 + seed) % 13) - ((b.id * 7919 + seed) % 13)).slice(0, t);
        const r = verifyShards(manifest, subset.map((s) => ({ file: `spike.recovery.${s.id}.txt`, content: formatShardFile(s.id, s.value) })));
        expect(r.ok).toBe(true);
        expect(r.set.kind).toBe('complete_match');
      }),
      { numRuns: 40 },
    );
  });

  it('any changed byte of any share is caught and names that file', () => {
    fc.assert(
      fc.property(shape, fc.nat(), fc.integer({ min: 1, max: 255 }), ({ key, t, n }, pick, delta) => {
        const { shares, manifest } = setup(key, t, n);
        const victim = pick % n;
        const inputs = shares.map((s, i) => {
          const v = Buffer.from(s.value);
          if (i === victim) v[pick % 32] = ((v[pick % 32] as number) + delta) % 256;
          return { file: `spike.recovery.${s.id}.txt`, content: formatShardFile(s.id, v) };
        });
        const r = verifyShards(manifest, inputs);
        expect(r.ok).toBe(false);
        expect(r.files.filter((f) => !f.ok).map((f) => f.file)).toEqual([`spike.recovery.${victim + 1}.txt`]);
      }),
      { numRuns: 40 },
    );
  });

  it('a whole set of another root key is a foreign set', () => {
    fc.assert(
      fc.property(shape, ({ key, t, n }) => {
        const { manifest } = setup(key, t, n);
        const other = Uint8Array.from(key, (b, i) => (i === 0 ? b ^ 0x80 : b));
        const foreign = computeShares(other, t, n);
        const r = verifyShards(manifest, foreign.map((s) => ({ file: `spike.recovery.${s.id}.txt`, content: formatShardFile(s.id, s.value) })));
        expect(r.ok).toBe(false);
        expect(r.set.kind).toBe('foreign_set');
        expect(r.files.every((f) => f.problem === 'mismatch')).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
