// Model-based check: random operation sequences give identical results on the
// memory and SQLite backends (also after reopening SQLite), and the versioning
// invariants always hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreError, type SecretStore } from '../../../../src/nexus/store/index.js';
import { BACKENDS, steppingClock } from './helpers.js';

type Op =
  | { kind: 'put'; path: string; v: string }
  | { kind: 'get'; path: string; version: number }
  | { kind: 'delete'; path: string; versions: number[] }
  | { kind: 'undelete'; path: string; versions: number[] }
  | { kind: 'meta'; path: string; version: number };

const path = fc.constantFrom('a', 'b/c');
const version = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(-1, 2 ** 40));
const versions = fc.array(version, { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), path, v: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('get' as const), path, version }),
  fc.record({ kind: fc.constant('delete' as const), path, versions }),
  fc.record({ kind: fc.constant('undelete' as const), path, versions }),
  fc.record({ kind: fc.constant('meta' as const), path, version }),
);

function apply(s: SecretStore, o: Op): unknown {
  try {
    switch (o.kind) {
      case 'put':
        return s.putSecret(o.path, { v: o.v });
      case 'get':
        return s.getSecret(o.path, o.version);
      case 'delete':
        return s.deleteSecretVersions(o.path, o.versions);
      case 'undelete':
        return s.undeleteSecretVersions(o.path, o.versions);
      case 'meta':
        return s.getSecretMetadata(o.path, o.version);
    }
  } catch (e) {
    if (e instanceof StoreError) return `error:${e.code}`;
    throw e;
  }
}

/** Everything observable about a path, without requiring a live version. */
function dump(s: SecretStore): unknown {
  return s.listSecretPaths().map((p) => {
    const out: Record<string, unknown> = { p };
    for (let v = 1; v <= 40; v++) {
      const r = apply(s, { kind: 'get', path: p, version: v });
      if (r !== 'error:not_found') out[v] = r;
    }
    out['meta'] = apply(s, { kind: 'meta', path: p, version: 0 });
    return out;
  });
}

function checkInvariants(s: SecretStore, maxVersions: number): void {
  for (const p of s.listSecretPaths()) {
    const current = (() => {
      const r = apply(s, { kind: 'meta', path: p, version: 0 });
      return typeof r === 'string' ? undefined : (r as ReturnType<SecretStore['getSecretMetadata']>);
    })();
    if (current === undefined) {
      // No live version: get of current fails.
      expect(apply(s, { kind: 'get', path: p, version: 0 })).toBe('error:not_found');
      continue;
    }
    const { versions: vs, metadata } = current;
    expect(vs.size).toBeLessThanOrEqual(maxVersions);
    const live = [...vs.values()].filter((v) => v.deletedTime === null).map((v) => v.version);
    expect(metadata.currentVersion).toBe(Math.max(...live));
    expect(metadata.oldestVersion).toBe(Math.min(...live));
    for (const [n, v] of vs) expect(v.version).toBe(n);
  }
}

describe('memory and SQLite backends agree', () => {
  it('on random operation sequences', () => {
    const [memoryCase, sqliteCase] = BACKENDS;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 4 }), (ops, maxVersions) => {
        const mem = memoryCase!.make({ maxVersions, now: steppingClock().now });
        const sql = sqliteCase!.make({ maxVersions, now: steppingClock().now });
        try {
          for (const o of ops) {
            expect(apply(sql.store, o)).toEqual(apply(mem.store, o));
            checkInvariants(mem.store, maxVersions);
          }
          const before = dump(mem.store);
          expect(dump(sql.store)).toEqual(before);
          expect(dump(sql.reopen())).toEqual(before);
        } finally {
          mem.dispose();
          sql.dispose();
        }
      }),
      { numRuns: 40 },
    );
  });
});
