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
import { openMemoryStore } from '../../../src/nexus/store/index.js';
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

describe('PolicyIndex', () => {
  it('compiles once per store until invalidated; skips stored policies that do not compile', () => {
    const { log, lines } = captureLogger();
    const store = openMemoryStore({ maxVersions: 10 });
    store.putPolicy({ name: 'good', spiffeIdPattern: 'app', pathPattern: 'x', permissions: ['read'] });
    store.putPolicy({ name: 'bad', spiffeIdPattern: '(?=app)', pathPattern: 'x', permissions: ['read'] }); // lookahead: Go refuses
    const idx = new PolicyIndex(log);
    const first = idx.policies(store);
    expect(first.map((p) => p.name)).toEqual(['good']);
    expect(lines.some((l) => l.policy === 'bad')).toBe(true);
    expect(idx.policies(store)).toBe(first);
    store.putPolicy({ name: 'more', spiffeIdPattern: 'app', pathPattern: 'y', permissions: ['read'] });
    expect(idx.policies(store)).toBe(first);
    idx.invalidate();
    expect(idx.policies(store).map((p) => p.name)).toEqual(['good', 'more']);
    const other = openMemoryStore({ maxVersions: 10 });
    expect(idx.policies(other)).toEqual([]);
    store.close();
    other.close();
  });

  it('policiesFor: per caller, the policies whose ID pattern matches it, as a full scan finds them; dropped with the rest', () => {
    const { log } = captureLogger();
    const store = openMemoryStore({ maxVersions: 10 });
    store.putPolicy({ name: 'a-app1', spiffeIdPattern: '^spiffe://spike\\.ist/workload/app-1$', pathPattern: 'x', permissions: ['read'] });
    store.putPolicy({ name: 'b-apps', spiffeIdPattern: '/workload/app-', pathPattern: 'y', permissions: ['read'] });
    store.putPolicy({ name: 'c-other', spiffeIdPattern: '/workload/other$', pathPattern: 'x', permissions: ['read'] });
    const idx = new PolicyIndex(log);
    const forApp = idx.policiesFor(store, APP);
    expect(forApp.map((p) => p.name)).toEqual(['a-app1', 'b-apps']);
    expect(idx.policiesFor(store, APP)).toBe(forApp);
    expect(idx.policiesFor(store, 'spiffe://spike.ist/workload/app-2').map((p) => p.name)).toEqual(['b-apps']);
    expect(idx.policiesFor(store, 'spiffe://spike.ist/workload/nobody')).toEqual([]);
    // A deleted policy no longer grants once the routes invalidate.
    store.deletePolicy('a-app1');
    idx.invalidate();
    expect(idx.policiesFor(store, APP).map((p) => p.name)).toEqual(['b-apps']);
    expect(checkPolicyAccess(idx.policiesFor(store, APP), APP, 'x', ['read'])).toBe(false);
    // Another store object (a new root key installed): nothing carried over.
    const other = openMemoryStore({ maxVersions: 10 });
    other.putPolicy({ name: 'z', spiffeIdPattern: 'app-1', pathPattern: 'x', permissions: ['read'] });
    expect(idx.policiesFor(other, APP).map((p) => p.name)).toEqual(['z']);
    store.close();
    other.close();
  });
});
