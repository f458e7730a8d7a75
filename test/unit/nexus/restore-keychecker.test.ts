// The check-only key checker restore's search uses on the SQLite store
// (docs/design.md § Restore): many candidate keys against one read-only
// snapshot; nothing on disk changes, a missing store is 'empty'.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, withKeyChecker } from '../../../src/nexus/store/index.js';
import { sqliteGate } from '../../../src/nexus/state/store-gate.js';
import { tempDir, testKey } from './store/helpers.js';

const RIGHT = testKey(1);
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));

describe('withKeyChecker', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()?.();
  });
  const dataDir = (): string => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return join(t.dir, 'data');
  };

  it('checks many keys against one snapshot, read-only', async () => {
    const dir = dataDir();
    const s = openSqliteStore({ dataDir: dir, rootKey: RIGHT, maxVersions: 10 });
    s.putSecret('a', { k: 'v' });
    s.close();
    const before = snapshot(dir);
    const verdicts = withKeyChecker(dir, (check) => [check(testKey(2)), check(RIGHT), check(testKey(3))]);
    expect(verdicts).toEqual(['mismatch', 'match', 'mismatch']);
    expect(await sqliteGate(dir, 10).withKeyCheck((check) => check(RIGHT))).toBe('match');
    expect(snapshot(dir)).toEqual(before);
    expect(() => withKeyChecker(dir, (check) => check(new Uint8Array(31)))).toThrow(/32 bytes/);
  });

  it("is 'empty' for every key of a missing store, and creates nothing", () => {
    const dir = dataDir();
    expect(withKeyChecker(dir, (check) => [check(RIGHT), check(testKey(2))])).toEqual(['empty', 'empty']);
    expect(existsSync(dir)).toBe(false);
  });
});
