import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../../src/nexus/auth/bounded-cache.js';

describe('BoundedCache', () => {
  it('evicts the least recently used entry past the entry limit', () => {
    const c = new BoundedCache<number>(2, 100);
    c.set('a', 1, 1);
    c.set('b', 2, 1);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 1);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('evicts past the weight budget, and never keeps an entry heavier than the budget', () => {
    const c = new BoundedCache<string>(10, 10);
    c.set('a', 'A', 4);
    c.set('b', 'B', 4);
    c.set('c', 'C', 4); // 12 > 10: a goes
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 'B', 'C']);
    expect(c.weight).toBe(8);
    c.set('huge', 'H', 11);
    expect(c.get('huge')).toBeUndefined();
    expect(c.weight).toBe(8);
    c.set('b', 'B2', 1); // replacing an entry replaces its weight
    expect(c.weight).toBe(5);
    c.clear();
    expect([c.size, c.weight]).toEqual([0, 0]);
  });
});
