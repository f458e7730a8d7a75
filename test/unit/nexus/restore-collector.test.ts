// The restore collection (docs/design.md § Restore): every distinct value per
// id, copies zeroed when dropped, a cap per id, expiry, one call at a time.
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTOR_LIMITS, MAX_VALUES_PER_ID, RestoreCollector } from '../../../src/nexus/restore/collector.js';
import { MAX_CANDIDATE_SETS } from '../../../src/nexus/restore/search.js';

const v = (b: number): Uint8Array => new Uint8Array(32).fill(b);

describe('RestoreCollector', () => {
  it('keeps every distinct value per id; the same value again is a duplicate', () => {
    const c = new RestoreCollector(2, 60_000);
    expect(c.offer(1, v(1))).toBe('new');
    c.add(1, v(1));
    expect(c.offer(1, v(1))).toBe('duplicate');
    expect(c.offer(1, v(2))).toBe('new');
    c.add(1, v(2));
    c.add(3, v(3));
    expect(c.collected()).toBe(2);
    expect(c.ids()).toEqual([1, 3]);
    expect(c.conflicts()).toEqual([1]);
    expect(c.held().get(1)!.map((x) => x[0])).toEqual([1, 2]);
    expect(() => c.add(1, v(1))).toThrow(/not new/);
  });

  it('holds copies: the caller may zero its own buffer', () => {
    const c = new RestoreCollector(2, 60_000);
    const mine = v(7);
    c.add(1, mine);
    mine.fill(0);
    expect([...c.held().get(1)![0]!]).toEqual([...v(7)]);
    expect(c.offer(1, v(7))).toBe('duplicate');
  });

  it(`refuses a value beyond ${MAX_VALUES_PER_ID} per id ('full'), a held one is still a duplicate`, () => {
    expect(MAX_VALUES_PER_ID).toBe(4);
    expect(DEFAULT_COLLECTOR_LIMITS).toEqual({ maxValuesPerId: 4, maxCandidateSets: MAX_CANDIDATE_SETS });
    const c = new RestoreCollector(2, 60_000);
    for (let b = 1; b <= 4; b++) c.add(1, v(b));
    expect(c.offer(1, v(9))).toBe('full');
    expect(() => c.add(1, v(9))).toThrow();
    expect(c.offer(1, v(3))).toBe('duplicate');
    expect(c.offer(2, v(9))).toBe('new');
  });

  it('reset zeroes and drops every value', () => {
    const c = new RestoreCollector(2, 60_000);
    c.add(1, v(1));
    c.add(1, v(2));
    c.add(2, v(3));
    const views = [...c.held().values()].flat();
    expect(c.reset()).toBe(2);
    expect(views.every((x) => x.every((b) => b === 0))).toBe(true);
    expect(c.collected()).toBe(0);
    expect(c.offer(1, v(1))).toBe('new');
  });

  it('undoAdd zeroes and drops the value added last (and the id when it was its only value)', () => {
    const c = new RestoreCollector(2, 60_000);
    c.add(1, v(1));
    c.add(1, v(2));
    const second = c.held().get(1)![1]!;
    c.undoAdd(1);
    expect(second.every((b) => b === 0)).toBe(true);
    expect(c.held().get(1)!.map((x) => x[0])).toEqual([1]);
    const first = c.held().get(1)![0]!;
    c.undoAdd(1);
    expect(first.every((b) => b === 0)).toBe(true);
    expect(c.ids()).toEqual([]);
  });

  it('drops (and zeroes) the collection ttl after the last value added, not after a repeat', () => {
    let now = 0;
    const c = new RestoreCollector(2, 1_000, () => now);
    c.add(1, v(1));
    const view = c.held().get(1)![0]!;
    now = 900;
    expect(c.offer(1, v(1))).toBe('duplicate');
    now = 1_000;
    expect(c.collected()).toBe(1);
    now = 1_001;
    expect(c.collected()).toBe(0);
    expect(view.every((b) => b === 0)).toBe(true);
  });

  it('runs exclusive calls one at a time, in order, a failure not blocking the next', async () => {
    const c = new RestoreCollector(2, 60_000);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = c.exclusive(async () => {
      order.push('a start');
      await gate;
      order.push('a end');
    });
    const b = c.exclusive(async () => {
      order.push('b');
      throw new Error('b failed');
    });
    const d = c.exclusive(async () => {
      order.push('d');
      return 4;
    });
    await Promise.resolve();
    expect(order).toEqual(['a start']);
    release();
    await a;
    await expect(b).rejects.toThrow('b failed');
    expect(await d).toBe(4);
    expect(order).toEqual(['a start', 'a end', 'b', 'd']);
  });

  it('refuses invalid limits', () => {
    expect(() => new RestoreCollector(0, 1)).toThrow(RangeError);
    expect(() => new RestoreCollector(2, 1, Date.now, { maxValuesPerId: 0, maxCandidateSets: 1 })).toThrow(RangeError);
    expect(() => new RestoreCollector(2, 1, Date.now, { maxValuesPerId: 1, maxCandidateSets: 0 })).toThrow(RangeError);
  });
});
