// The shard manifest and offline verification: tampered manifests, shards of
// another set, wrong index, typos, missing files, the threshold-subset check.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { computeShares } from '../../../../src/shamir/index.js';
import {
  buildManifest,
  displayFingerprint,
  normalizeFingerprint,
  parseManifest,
  serializeManifest,
  shareDigest,
  setFingerprint,
  type Manifest,
} from '../../../../src/pilot/breakglass/manifest.js';
import { consistentWithDegree, deduceThreshold } from '../../../../src/pilot/breakglass/polynomial.js';
import { checkSet, idFromFileName, verifyShards, type ShardInput } from '../../../../src/pilot/breakglass/verify.js';
import { formatShardFile } from '../../../../src/pilot/breakglass/shard.js';

const key = (b: number): Uint8Array => new Uint8Array(32).fill(b);

function setOf(rootKey: Uint8Array, t: number, n: number): Map<number, Uint8Array> {
  return new Map(computeShares(rootKey, t, n).map((s) => [s.id, s.value]));
}

function manifestOf(shares: Map<number, Uint8Array>, t: number): Manifest {
  return buildManifest({
    shares,
    threshold: t,
    nexusId: 'spiffe://spike.ist/spike/nexus',
    exportedAt: new Date('2026-01-02T03:04:05.678Z'),
    encryption: 'none',
    fileOf: (id) => `spike.recovery.${id}.txt`,
  });
}

const input = (id: number, value: Uint8Array, file = `spike.recovery.${id}.txt`): ShardInput => ({ file, content: formatShardFile(id, value) });

describe('manifest', () => {
  const shares = setOf(key(7), 2, 3);
  const m = manifestOf(shares, 2);

  it('holds no share value, only domain-separated digests', () => {
    const text = serializeManifest(m);
    for (const v of shares.values()) expect(text).not.toContain(Buffer.from(v).toString('hex'));
    expect(m.entries.map((e) => e.digest)).toEqual([1, 2, 3].map((id) => shareDigest(id, shares.get(id)!).toString('hex')));
    // The id is part of the digest: the same value under another id hashes differently.
    expect(shareDigest(1, shares.get(1)!).equals(shareDigest(2, shares.get(1)!))).toBe(false);
    expect(m).toMatchObject({ shares: 3, threshold: 2, exportedAt: '2026-01-02T03:04:05Z', encryption: 'none' });
  });

  it('round-trips through JSON and checks its own fingerprint', () => {
    expect(parseManifest(Buffer.from(serializeManifest(m)))).toEqual(m);
  });

  it('is stable for one root key and differs for another', () => {
    expect(manifestOf(setOf(key(7), 2, 3), 2).fingerprint).toBe(m.fingerprint);
    expect(manifestOf(setOf(key(8), 2, 3), 2).fingerprint).not.toBe(m.fingerprint);
  });

  it('refuses a tampered manifest (digest, id, threshold, count edited)', () => {
    const edits: ((j: Record<string, unknown> & { entries: Record<string, unknown>[] }) => void)[] = [
      (j) => (j.entries[1]!.digest = '0'.repeat(64)),
      (j) => (j.entries[0]!.id = 4),
      (j) => (j.threshold = 3),
      (j) => {
        j.entries.pop();
        j.shares = 2;
      },
      (j) => (j.fingerprint = 'f'.repeat(64)),
    ];
    for (const edit of edits) {
      const j = JSON.parse(serializeManifest(m)) as Record<string, unknown> & { entries: Record<string, unknown>[] };
      edit(j);
      expect(() => parseManifest(Buffer.from(JSON.stringify(j)))).toThrow(/fingerprint|edited|corrupted/);
    }
  });

  it('refuses malformed manifests with one line', () => {
    for (const bad of ['', 'null', '[]', '{}', JSON.stringify({ ...m, format: 'x' }), JSON.stringify({ ...m, entries: [] }), JSON.stringify({ ...m, threshold: 9 })]) {
      expect(() => parseManifest(Buffer.from(bad))).toThrow(/^Invalid manifest: [^\n]+$/);
    }
    const dup = { ...m, entries: [m.entries[0], m.entries[0], m.entries[2]] };
    expect(() => parseManifest(Buffer.from(JSON.stringify(dup)))).toThrow(/listed twice/);
    const path = { ...m, entries: m.entries.map((e, i) => (i === 0 ? { ...e, file: '../x' } : e)) };
    expect(() => parseManifest(Buffer.from(JSON.stringify(path)))).toThrow(/plain file name/);
  });

  it('reads fingerprints as people type them', () => {
    expect(normalizeFingerprint(displayFingerprint(m.fingerprint).toUpperCase())).toBe(m.fingerprint);
    expect(normalizeFingerprint('abc')).toBeUndefined();
    expect(setFingerprint(2, new Map())).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('polynomial checks', () => {
  it('finds the threshold of a full set', () => {
    for (const [t, n] of [
      [1, 3],
      [2, 3],
      [3, 5],
      [5, 5],
    ] as const) {
      expect(deduceThreshold(computeShares(randomBytes(32), t, n))).toBe(t);
    }
  });

  it('a value that is no scalar (>= the group order) lies on no polynomial', () => {
    const s = computeShares(key(3), 2, 3);
    const over = { id: 2, value: new Uint8Array(32).fill(0xff) };
    expect(consistentWithDegree(s, 2)).toBe(true);
    expect(consistentWithDegree([s[0]!, over], 2)).toBe(false);
    expect(deduceThreshold([s[0]!, over, s[2]!])).toBe(3);
    // exactly `threshold` shares, one of them no scalar: not a set at all (no fingerprint of a "foreign" set)
    expect(checkSet(manifestOf(setOf(key(3), 2, 3), 2), [s[0]!, over])).toEqual({ kind: 'inconsistent' });
  });
});

describe('verifyShards', () => {
  const A = setOf(key(7), 2, 3);
  const B = setOf(key(9), 2, 3); // another (or a stale) set
  const m = manifestOf(A, 2);

  it('passes a good full set, with the set check', () => {
    const r = verifyShards(m, [1, 2, 3].map((id) => input(id, A.get(id)!)));
    expect(r.ok).toBe(true);
    expect(r.files.every((f) => f.ok)).toBe(true);
    expect(r.set.kind).toBe('complete_match');
  });

  it('passes a single good shard (no set check possible) and a threshold subset', () => {
    expect(verifyShards(m, [input(2, A.get(2)!)])).toMatchObject({ ok: true, set: { kind: 'not_enough', have: 1, threshold: 2 } });
    expect(verifyShards(m, [input(1, A.get(1)!), input(3, A.get(3)!)])).toMatchObject({ ok: true, set: { kind: 'complete_match' } });
  });

  it('names a shard of another set', () => {
    const r = verifyShards(m, [input(1, A.get(1)!), input(2, B.get(2)!), input(3, A.get(3)!)]);
    expect(r.ok).toBe(false);
    expect(r.files[1]).toMatchObject({ ok: false, problem: 'mismatch', id: 2, file: 'spike.recovery.2.txt' });
    expect(r.files[0]!.ok && r.files[2]!.ok).toBe(true);
  });

  it('recognises a whole stale set', () => {
    const r = verifyShards(m, [1, 2, 3].map((id) => input(id, B.get(id)!)));
    expect(r.ok).toBe(false);
    expect(r.set).toMatchObject({ kind: 'foreign_set', fingerprint: manifestOf(B, 2).fingerprint });
  });

  it('names a typo: malformed text, or a changed hex digit', () => {
    const good = formatShardFile(3, A.get(3)!);
    const short = good.subarray(0, good.length - 1);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] = flipped[flipped.length - 1] === 0x30 ? 0x31 : 0x30;
    const r = verifyShards(m, [
      { file: 'a/spike.recovery.3.txt', content: short },
      { file: 'b/spike.recovery.3.txt', content: flipped },
    ]);
    expect(r.files[0]).toMatchObject({ ok: false, problem: 'malformed' });
    expect(r.files[0]!.detail).toMatch(/Invalid hex shard length: 63/);
    expect(r.files[1]).toMatchObject({ ok: false, problem: 'mismatch', id: 3 });
  });

  it('names a wrong index: an id outside the set, a file renamed, an edited index', () => {
    const four = setOf(key(7), 2, 4).get(4)!;
    const r = verifyShards(m, [input(4, four), input(1, A.get(1)!, 'spike.recovery.2.txt'), input(3, A.get(2)!)]);
    expect(r.files[0]).toMatchObject({ ok: false, problem: 'unknown_id', id: 4 });
    expect(r.files[1]).toMatchObject({ ok: false, problem: 'wrong_name', id: 1 });
    expect(r.files[1]!.detail).toMatch(/file name says shard 2, the content is shard 1/);
    expect(r.files[2]).toMatchObject({ ok: false, problem: 'mismatch', id: 3 });
  });

  it('reports missing, unreadable and duplicate inputs', () => {
    const r = verifyShards(m, [
      { file: 'spike.recovery.1.txt', problem: 'missing', detail: 'missing' },
      input(2, A.get(2)!),
      input(2, A.get(2)!, 'copy.txt'),
    ]);
    expect(r.files.map((f) => f.problem)).toEqual(['missing', undefined, 'duplicate_id']);
    expect(r.ok).toBe(false);
  });

  it('never puts a value in a verdict', () => {
    const r = verifyShards(m, [input(1, B.get(1)!), input(2, A.get(2)!)]);
    const text = JSON.stringify(r);
    for (const v of [...A.values(), ...B.values()]) expect(text).not.toContain(Buffer.from(v).toString('hex'));
  });

  it('reads ids from file names', () => {
    expect(idFromFileName('/x/spike.recovery.12.txt')).toBe(12);
    expect(idFromFileName('spike.recovery.3.txt.age')).toBe(3);
    expect(idFromFileName('spike.recovery.03.txt')).toBeUndefined();
    expect(idFromFileName('shard.txt')).toBeUndefined();
  });
});
