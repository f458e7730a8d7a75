import { describe, expect, it } from 'vitest';
import {
  checkPolicyAccess,
  compileFullMatch,
  compilePattern,
  compilePolicy,
  grants,
  mayReachReserved,
  PatternError,
  PolicyIndex,
  reservedViolation,
} from '../../../src/nexus/auth/index.js';
import { asNexusStore, openMemoryStore, StoreError, type NexusStore, type Policy } from '../../../src/nexus/store/index.js';
import { captureLogger } from './fixtures.js';

const APP = 'spiffe://spike.ist/workload/app-1';

describe('permissions', () => {
  it('super grants everything, otherwise every wanted permission is needed', () => {
    expect(grants(['super'], ['read', 'write', 'list', 'execute'])).toBe(true);
    expect(grants(['read'], ['read'])).toBe(true);
    expect(grants(['read'], ['write'])).toBe(false);
    expect(grants(['read', 'write'], ['read', 'write'])).toBe(true);
    expect(grants(['read'], ['read', 'write'])).toBe(false);
    expect(grants([], ['list'])).toBe(false);
  });
});

describe('patterns', () => {
  it('match unanchored (Go MatchString) unless anchored', () => {
    expect(compilePattern('app').test('my/app/db')).toBe(true);
    expect(compilePattern('^app').test('my/app/db')).toBe(false);
    expect(compilePattern('^secrets/app/.*$').test('secrets/app/db')).toBe(true);
    expect(compilePattern('^secrets/app/.*$').test('x/secrets/app/db')).toBe(false);
    expect(compilePattern('db$').test('a/db')).toBe(true);
    expect(compilePattern('db$').test('a/db\n')).toBe(false); // Go: $ is end of text without (?m)
    expect(compilePattern('a{2,3}b\\d\\w\\s?[^x]').test('aab1_ y')).toBe(true);
  });

  it('takes Go syntax (flags also mid-pattern, \\z, named groups, Unicode and POSIX classes, \\Q…\\E)', () => {
    // Expected values: Go's regexp (test/fixtures/go-regexp.json has the full table).
    expect(compilePattern('^spiffe://spike\\.ist/workload/(?i)APP$').test('spiffe://spike.ist/workload/app')).toBe(true);
    expect(compilePattern('^spiffe://spike\\.ist/workload/(?i)APP$').test('spiffe://SPIKE.ist/workload/app')).toBe(false);
    expect(compilePattern('(?s)^a.b$').test('a\nb')).toBe(true);
    expect(compilePattern('a\\z').test('a\n')).toBe(false);
    expect(compilePattern('^(?P<app>[a-z]+)/db$').test('web/db')).toBe(true);
    expect(compilePattern('^\\pL+$').test('héllo')).toBe(true);
    expect(compilePattern('^[[:alpha:]]+$').test('ab1')).toBe(false);
    expect(compilePattern('\\Qa.b\\E').test('axb')).toBe(false);
    expect(compilePattern('^[]a]+$').test(']a')).toBe(true); // `]` first in a class is a literal in Go
  });

  it('refuses what Go refuses, and what our length rule refuses', () => {
    for (const p of ['', 'x'.repeat(2049), '(a)\\1', '(?=a)', '(?<=a)b', 'a++', '\\Z', '*', '*a', 'a{1001}', 'a{3,2}', '(', 'a)', '[a', 'a\\', '[[:foo:]]']) {
      expect(() => compilePattern(p), p).toThrow(PatternError);
    }
    expect(() => compilePattern('x'.repeat(2048))).not.toThrow();
    expect(() => compilePattern('a{2}\\.\\-\\/\\(\\)')).not.toThrow();
  });

  it('answers for patterns that make backtracking engines explode (RE2 is linear)', () => {
    const long = 'a'.repeat(20000);
    for (const p of ['.*.*.*.*z', '(a+)+z', '(a|a)*z', 'a*a*a*a*a*z', '(.*)*z', '(a*)*b']) expect(compilePattern(p).test(long), p).toBe(false);
    expect(compilePattern('(a*)*b').test(`${long}b`)).toBe(true);
    expect(compilePattern('^(a|aa)+$').test(`${long}b`)).toBe(false);
  });
});

describe('reserved spike/system/* rule (upstream reserved.go)', () => {
  const pair = (spiffeIdPattern: string, pathPattern: string) => ({
    spiffeIdPattern,
    pathPattern,
    pathFull: compileFullMatch(pathPattern),
    spiffeIdFull: compileFullMatch(spiffeIdPattern),
  });
  it('the path pattern must describe the whole reserved path', () => {
    const anchoredId = `^${APP}$`;
    for (const p of ['^spike/system/acl$', 'spike/system/acl', '^spike/system/.*$', '.*']) expect(mayReachReserved(pair(anchoredId, p), 'spike/system/acl'), p).toBe(true);
    for (const p of ['acl', 'system', 'spike', 'spike/system/a']) expect(mayReachReserved(pair(anchoredId, p), 'spike/system/acl'), p).toBe(false);
  });
  it('the SPIFFE ID pattern must be precise: ^…$ or a catch-all', () => {
    expect(mayReachReserved(pair(`^${APP}$`, 'spike/system/acl'), 'spike/system/acl')).toBe(true);
    expect(mayReachReserved(pair('.*', 'spike/system/acl'), 'spike/system/acl')).toBe(true);
    expect(mayReachReserved(pair(APP, 'spike/system/acl'), 'spike/system/acl')).toBe(false);
    expect(mayReachReserved(pair(`^${APP}`, 'spike/system/acl'), 'spike/system/acl')).toBe(false);
  });
  it('names the first reserved path reached only by substring match (acl, secret, cipher/exec)', () => {
    const v = (id: string, path: string) => reservedViolation(pair(id, path), compilePattern(path));
    expect(v(APP, 'system')).toBe('spike/system/acl');
    expect(v(`^${APP}$`, 'secret')).toBe('spike/system/secret');
    expect(v(`^${APP}$`, 'exec')).toBe('spike/system/cipher/exec');
    expect(v(APP, '^secrets/app/.*$')).toBeUndefined();
    expect(v(`^${APP}$`, 'spike/system/secret')).toBeUndefined();
    expect(v(APP, 'spike/system/secret')).toBe('spike/system/secret');
  });
});

describe('checkPolicyAccess', () => {
  const pol = (spiffeIdPattern: string, pathPattern: string, permissions: string[], name = 'p') => compilePolicy({ name, spiffeIdPattern, pathPattern, permissions });
  it('grants by SPIFFE ID and path regex and permission', () => {
    const ps = [pol('^spiffe://spike\\.ist/workload/app-1$', '^secrets/app/', ['read'])];
    expect(checkPolicyAccess(ps, APP, 'secrets/app/db', ['read'])).toBe(true);
    expect(checkPolicyAccess(ps, APP, 'secrets/app/db', ['write'])).toBe(false);
    expect(checkPolicyAccess(ps, APP, 'secrets/other', ['read'])).toBe(false);
    expect(checkPolicyAccess(ps, 'spiffe://spike.ist/workload/app-10', 'secrets/app/db', ['read'])).toBe(false);
    expect(checkPolicyAccess([], APP, 'secrets/app/db', ['read'])).toBe(false);
  });
  it('a flag mid-pattern applies from there on, as in Go (upstream grants this)', () => {
    const ps = [pol('^spiffe://spike\\.ist/workload/(?i)APP$', '^secrets/app/', ['read'])];
    expect(checkPolicyAccess(ps, 'spiffe://spike.ist/workload/app', 'secrets/app/db', ['read'])).toBe(true);
    expect(checkPolicyAccess(ps, 'spiffe://spike.ist/workload/App', 'secrets/app/db', ['read'])).toBe(true);
    expect(checkPolicyAccess(ps, 'spiffe://Spike.ist/workload/app', 'secrets/app/db', ['read'])).toBe(false);
  });
  it('any policy may grant; super is a joker', () => {
    const ps = [pol('app-1', 'nothing-here', ['read'], 'a'), pol('app-1', 'secrets', ['super'], 'b')];
    expect(checkPolicyAccess(ps, APP, 'secrets/x', ['write'])).toBe(true);
  });
  it('on a reserved path, policies reaching it by substring only are ignored', () => {
    const log = captureLogger();
    const loose = [pol('app-1', 'spike/system/secret', ['list'])];
    expect(checkPolicyAccess(loose, APP, 'spike/system/secret', ['list'], log.log)).toBe(false);
    expect(log.lines.some((l) => l.msg?.includes('reserved'))).toBe(true);
    const precise = [pol(`^${APP}$`, 'spike/system/secret', ['list'])];
    expect(checkPolicyAccess(precise, APP, 'spike/system/secret', ['list'])).toBe(true);
    // an ordinary path that merely contains the reserved words is not reserved
    expect(checkPolicyAccess(loose, APP, 'x/spike/system/secret/y', ['list'])).toBe(true);
  });
});

/** A memory store and its NexusStore view (what Nexus holds). */
function memory(): { sync: ReturnType<typeof openMemoryStore>; store: NexusStore } {
  const sync = openMemoryStore({ maxVersions: 10 });
  return { sync, store: asNexusStore(sync) };
}

/** A NexusStore whose listPolicies() answers only when the test releases it. */
function heldStore(): { store: NexusStore; calls: () => number; release: (i: number, policies: Policy[]) => void; fail: (i: number, e: Error) => void } {
  const pending: Array<{ resolve: (p: Policy[]) => void; reject: (e: Error) => void }> = [];
  const base = asNexusStore(openMemoryStore({ maxVersions: 10 }));
  const store: NexusStore = {
    ...base,
    listPolicies: () => new Promise<Policy[]>((resolve, reject) => pending.push({ resolve, reject })),
  };
  return {
    store,
    calls: () => pending.length,
    release: (i, policies) => pending[i]!.resolve(policies),
    fail: (i, e) => pending[i]!.reject(e),
  };
}

function stored(name: string, spiffeIdPattern: string, pathPattern = 'x'): Policy {
  return { name, spiffeIdPattern, pathPattern, permissions: ['read'], createdAt: new Date(0), updatedAt: new Date(0) };
}

describe('PolicyIndex', () => {
  it('compiles once per store until invalidated; skips stored policies that do not compile', async () => {
    const { log, lines } = captureLogger();
    const { sync, store } = memory();
    sync.putPolicy({ name: 'good', spiffeIdPattern: 'app', pathPattern: 'x', permissions: ['read'] });
    sync.putPolicy({ name: 'bad', spiffeIdPattern: '(?=app)', pathPattern: 'x', permissions: ['read'] }); // lookahead: Go refuses
    const idx = new PolicyIndex(log);
    expect(idx.loaded(store)).toBeUndefined();
    const first = await idx.policies(store);
    expect(first.map((p) => p.name)).toEqual(['good']);
    expect(lines.some((l) => l.policy === 'bad')).toBe(true);
    expect(idx.loaded(store)).toBe(first);
    expect(await idx.policies(store)).toBe(first);
    sync.putPolicy({ name: 'more', spiffeIdPattern: 'app', pathPattern: 'y', permissions: ['read'] });
    expect(await idx.policies(store)).toBe(first);
    idx.invalidate();
    expect(idx.loaded(store)).toBeUndefined();
    expect((await idx.policies(store)).map((p) => p.name)).toEqual(['good', 'more']);
    const other = memory();
    expect(idx.loaded(other.store)).toBeUndefined();
    expect(await idx.policies(other.store)).toEqual([]);
    sync.close();
    other.sync.close();
  });

  it('policiesFor: per caller, the policies whose ID pattern matches it, as a full scan finds them; dropped with the rest', async () => {
    const { log } = captureLogger();
    const { sync, store } = memory();
    sync.putPolicy({ name: 'a-app1', spiffeIdPattern: '^spiffe://spike\\.ist/workload/app-1$', pathPattern: 'x', permissions: ['read'] });
    sync.putPolicy({ name: 'b-apps', spiffeIdPattern: '/workload/app-', pathPattern: 'y', permissions: ['read'] });
    sync.putPolicy({ name: 'c-other', spiffeIdPattern: '/workload/other$', pathPattern: 'x', permissions: ['read'] });
    const idx = new PolicyIndex(log);
    const forApp = await idx.policiesFor(store, APP);
    expect(forApp.map((p) => p.name)).toEqual(['a-app1', 'b-apps']);
    expect(await idx.policiesFor(store, APP)).toBe(forApp);
    expect((await idx.policiesFor(store, 'spiffe://spike.ist/workload/app-2')).map((p) => p.name)).toEqual(['b-apps']);
    expect(await idx.policiesFor(store, 'spiffe://spike.ist/workload/nobody')).toEqual([]);
    // A deleted policy no longer grants once the routes invalidate.
    sync.deletePolicy('a-app1');
    idx.invalidate();
    expect((await idx.policiesFor(store, APP)).map((p) => p.name)).toEqual(['b-apps']);
    expect(checkPolicyAccess(await idx.policiesFor(store, APP), APP, 'x', ['read'])).toBe(false);
    // Another store object (a new root key installed): nothing carried over.
    const other = memory();
    other.sync.putPolicy({ name: 'z', spiffeIdPattern: 'app-1', pathPattern: 'x', permissions: ['read'] });
    expect((await idx.policiesFor(other.store, APP)).map((p) => p.name)).toEqual(['z']);
    sync.close();
    other.sync.close();
  });

  it('concurrent callers share one load; nothing is served before it is complete', async () => {
    const { log } = captureLogger();
    const held = heldStore();
    const idx = new PolicyIndex(log);
    const a = idx.policies(held.store);
    const b = idx.policiesFor(held.store, APP);
    const c = idx.policiesFor(held.store, 'spiffe://spike.ist/workload/other');
    await Promise.resolve();
    expect(held.calls()).toBe(1);
    expect(idx.loaded(held.store)).toBeUndefined();
    held.release(0, [stored('p1', 'app-1'), stored('p2', 'other')]);
    expect((await a).map((p) => p.name)).toEqual(['p1', 'p2']);
    expect((await b).map((p) => p.name)).toEqual(['p1']);
    expect((await c).map((p) => p.name)).toEqual(['p2']);
    expect(idx.loaded(held.store)).toBe(await a);
    expect(held.calls()).toBe(1);
  });

  it('a load under way when a policy write invalidates is not installed: later callers load again', async () => {
    const { log } = captureLogger();
    const held = heldStore();
    const idx = new PolicyIndex(log);
    const before = idx.policiesFor(held.store, APP);
    await Promise.resolve();
    idx.invalidate(); // a policy write finished while the first load was reading
    const after = idx.policiesFor(held.store, APP);
    await Promise.resolve();
    expect(held.calls()).toBe(2);
    held.release(0, [stored('old', 'app-1')]);
    // The caller that asked before the write gets what its load read; nothing is kept of it.
    expect((await before).map((p) => p.name)).toEqual(['old']);
    expect(idx.loaded(held.store)).toBeUndefined();
    held.release(1, [stored('new', 'app-1')]);
    expect((await after).map((p) => p.name)).toEqual(['new']);
    expect((await idx.policiesFor(held.store, APP)).map((p) => p.name)).toEqual(['new']);
    expect(held.calls()).toBe(2);
  });

  it('a load under way when a policy write invalidates is not installed, even when nobody asked since', async () => {
    const { log } = captureLogger();
    const held = heldStore();
    const idx = new PolicyIndex(log);
    const before = idx.policies(held.store);
    await Promise.resolve();
    idx.invalidate();
    held.release(0, [stored('old', 'app-1')]);
    await before;
    expect(idx.loaded(held.store)).toBeUndefined();
  });

  it('a stale load that answers after the fresh one never feeds the per-caller cache', async () => {
    const { log } = captureLogger();
    const held = heldStore();
    const idx = new PolicyIndex(log);
    const before = idx.policiesFor(held.store, APP);
    await Promise.resolve();
    idx.invalidate();
    const after = idx.policiesFor(held.store, APP);
    await Promise.resolve();
    held.release(1, [stored('new', 'app-1')]);
    expect((await after).map((p) => p.name)).toEqual(['new']);
    held.release(0, [stored('old', 'app-1')]);
    expect((await before).map((p) => p.name)).toEqual(['old']);
    expect((await idx.policiesFor(held.store, APP)).map((p) => p.name)).toEqual(['new']);
  });

  it('a load overtaken by a load for another store (a new root key) is not installed', async () => {
    const { log } = captureLogger();
    const first = heldStore();
    const second = heldStore();
    const idx = new PolicyIndex(log);
    const a = idx.policies(first.store);
    const b = idx.policies(second.store);
    await Promise.resolve();
    second.release(0, [stored('second', 'app-1')]);
    await b;
    first.release(0, [stored('first', 'app-1')]);
    expect((await a).map((p) => p.name)).toEqual(['first']);
    expect(idx.loaded(first.store)).toBeUndefined();
    expect(idx.loaded(second.store)?.map((p) => p.name)).toEqual(['second']);
  });

  it('a failed load rejects its callers with the store\'s error, installs nothing, and the next call reads again', async () => {
    const { log } = captureLogger();
    const held = heldStore();
    const idx = new PolicyIndex(log);
    const a = idx.policiesFor(held.store, APP);
    await Promise.resolve();
    const err = new StoreError('io', 'database unreachable');
    held.fail(0, err);
    await expect(a).rejects.toBe(err);
    expect(idx.loaded(held.store)).toBeUndefined();
    const again = idx.policies(held.store);
    await Promise.resolve();
    expect(held.calls()).toBe(2);
    held.release(1, [stored('p', 'app-1')]);
    expect((await again).map((p) => p.name)).toEqual(['p']);
  });
});
