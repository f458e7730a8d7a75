import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withUniqueGroupNames } from '../../../../src/nexus/auth/group-names.js';
import {
  clearPatternCache,
  compileFullMatch,
  compilePattern,
  MAX_PATTERN_LENGTH,
  PATTERN_CACHE_ENTRIES,
  PatternError,
  patternCacheUsage,
} from '../../../../src/nexus/auth/pattern.js';
import { compilePolicy } from '../../../../src/nexus/auth/compiled-policy.js';

// What Go's regexp answers, recorded by tools/regexp-fixtures/main.go (see
// test/fixtures/README.md): compile error, MatchString, and the match of the
// full-match form ^(?:p)$ (null when that form does not compile).
interface GoCase {
  pattern: string;
  input?: string;
  matched?: boolean;
  full: boolean | null;
  error?: string;
}
const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(resolve(here, '../../../fixtures/go-regexp.json'), 'utf8')) as { go: string; cases: GoCase[] };
const label = (c: GoCase) => `${JSON.stringify(c.pattern.slice(0, 60))} on ${JSON.stringify((c.input ?? '').slice(0, 30))}`;

describe(`policy patterns answer as Go's regexp (test/fixtures/go-regexp.json, ${fixture.go})`, () => {
  it('the fixture holds refusals, matches and non-matches', () => {
    expect(fixture.cases.length).toBeGreaterThan(150);
    expect(fixture.cases.some((c) => c.error !== undefined)).toBe(true);
    expect(fixture.cases.some((c) => c.matched === true)).toBe(true);
    expect(fixture.cases.some((c) => c.matched === false)).toBe(true);
  });

  it('refuses exactly what Go refuses, in Go\'s words', () => {
    for (const c of fixture.cases.filter((x) => x.error !== undefined)) {
      let thrown: unknown;
      try {
        compilePattern(c.pattern);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, label(c)).toBeInstanceOf(PatternError);
      // Go's messages quote the offending text after a colon: compare the kind. Go 1.22 reworded `(?<` (see below).
      const kind = (m: string) => (c.pattern.startsWith('(?<') ? 'error parsing regexp' : m.split(': ').slice(0, 2).join(': '));
      expect(kind((thrown as PatternError).reason), label(c)).toBe(kind(c.error as string));
      expect((thrown as PatternError).message, label(c)).toContain(JSON.stringify(c.pattern.slice(0, 100)).slice(0, -1));
    }
  });

  it('matches (unanchored) and full-matches exactly where Go does', () => {
    for (const c of fixture.cases.filter((x) => x.error === undefined)) {
      const input = c.input as string;
      expect(compilePattern(c.pattern).test(input), label(c)).toBe(c.matched);
      expect(compileFullMatch(c.pattern)?.test(input) ?? null, `full ${label(c)}`).toBe(c.full);
    }
  });

  it('includes the cases this module exists for', () => {
    const has = (p: string, input: string, matched: boolean) =>
      expect(fixture.cases.some((c) => c.pattern === p && c.input === input && c.matched === matched), `${p} ${input}`).toBe(true);
    has('^spiffe://spike\\.ist/workload/(?i)APP$', 'spiffe://spike.ist/workload/app', true);
    has('a\\z', 'a\n', false);
    has('^(?P<app>[a-z]+)/db$', 'web/db', true);
    has('^\\pL+$', 'héllo', true);
    has('^[[:alpha:]]+$', 'abc', true);
    has('\\Qa.b\\E', 'axb', false);
    has('^.$', '😀', true);
    has('(a*)*b', 'a'.repeat(5000), false);
  });
});

describe('Go 1.22+ syntax (upstream builds with a newer Go than the fixture generator may have)', () => {
  // Go 1.22 release notes, regexp/syntax: "(?<name>...)" is accepted as a named group, like "(?P<name>...)".
  it('(?<name>…) is a named group; malformed names are refused', () => {
    expect(compilePattern('^(?<app>[a-z]+)/db$').test('web/db')).toBe(true);
    expect(compilePattern('^(?<app>[a-z]+)/db$').test('Web/db')).toBe(false);
    expect(compilePattern('^(?<n>a)|(?<n>b)$').test('b')).toBe(true);
    for (const p of ['(?<>a)', '(?<n', '(?<a-b>x)']) expect(() => compilePattern(p), p).toThrow(PatternError);
  });
});

describe('our rules on top of Go', () => {
  it('a pattern is 1 to MAX_PATTERN_LENGTH characters', () => {
    expect(MAX_PATTERN_LENGTH).toBe(2048);
    expect(compilePattern('x'.repeat(2048)).test('x'.repeat(2048))).toBe(true);
    expect(() => compilePattern('x'.repeat(2049))).toThrow(/longer than 2048/);
    expect(() => compilePattern('')).toThrow(/empty pattern/);
    expect(compileFullMatch('x'.repeat(2049))).toBeUndefined();
  });

  it('a refusal shows no raw line-breaking or bidi character of the pattern, in the quoted pattern or in the reason', () => {
    // The pattern is outside input (a policy from the API): U+2028 and U+202E in it are escaped in both places.
    const pol = () => compilePolicy({ name: 'p', spiffeIdPattern: '^spiffe://a/b$', pathPattern: '\u2028\u202e\\1', permissions: ['read'] });
    expect(pol).toThrow(String.raw`invalid path pattern "\u2028\u202e\\1": error parsing regexp: invalid escape sequence: ` + '`\\1`');
    // Go's reason shows the offending text raw between backquotes: here it holds U+202E.
    const range = () => compilePolicy({ name: 'p', spiffeIdPattern: '^spiffe://a/b$', pathPattern: '[\u202e-a]', permissions: ['read'] });
    expect(range).toThrow(String.raw`invalid path pattern "[\u202e-a]": error parsing regexp: invalid character class range: ` + '`' + String.raw`\u202e-a` + '`');
  });

  it('a refusal names the policy pattern and gives Go\'s reason', () => {
    const pol = (spiffeIdPattern: string, pathPattern: string) => () => compilePolicy({ name: 'p', spiffeIdPattern, pathPattern, permissions: ['read'] });
    expect(pol('^spiffe://a/b$', '(a)\\1')).toThrow('invalid path pattern "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1`');
    expect(pol('spiffe://(?=x)', 'ok')).toThrow('invalid SPIFFE ID pattern "spiffe://(?=x)": error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    const long = `${'a'.repeat(300)}\\1`;
    expect(pol('x', long)).toThrow(`invalid path pattern "${'a'.repeat(120)}…"`);
  });
});

describe('compiled-pattern cache', () => {
  it('compiles a pattern text once', () => {
    clearPatternCache();
    const a = compilePattern('^secrets/app/.*$');
    expect(compilePattern('^secrets/app/.*$')).toBe(a);
    expect(compileFullMatch('^secrets/app/.*$')).toBe(compileFullMatch('^secrets/app/.*$'));
    expect(patternCacheUsage().entries).toBe(2);
  });

  it('stays bounded under a flood of distinct patterns, valid or not', () => {
    clearPatternCache();
    for (let i = 0; i < PATTERN_CACHE_ENTRIES + 200; i++) {
      compilePattern(`^app-${i}$`);
      expect(() => compilePattern(`(${i}`)).toThrow(PatternError);
    }
    expect(patternCacheUsage().entries).toBe(PATTERN_CACHE_ENTRIES);
    // the most recent ones are still there and still right
    expect(compilePattern(`^app-${PATTERN_CACHE_ENTRIES + 199}$`).test(`app-${PATTERN_CACHE_ENTRIES + 199}`)).toBe(true);
    clearPatternCache();
    expect(patternCacheUsage()).toEqual({ entries: 0, instructions: 0 });
  });
});

describe('duplicate group names (Go accepts them, re2js does not)', () => {
  it('renames every well-formed group name, and only group names', () => {
    expect(withUniqueGroupNames('(?P<n>a)|(?P<n>b)')).toBe('(?P<g1>a)|(?P<g2>b)');
    expect(withUniqueGroupNames('(?<n>a)(?P<m>b)')).toBe('(?P<g1>a)(?P<g2>b)');
    const untouched = ['\\Q(?P<n>a)\\E', '[(?P<n>a)]', '[]](?P<', '\\(?P<n>a)', '(?P<a-b>x)', '(?P<>x)', '(?<=a)', '[[:alpha:](?P<n>]'];
    for (const p of untouched) expect(withUniqueGroupNames(p), p).toBe(p);
    expect(withUniqueGroupNames('[]a](?P<n>x)')).toBe('[]a](?P<g1>x)');
    expect(withUniqueGroupNames('[^]a](?P<n>x)')).toBe('[^]a](?P<g1>x)');
    expect(withUniqueGroupNames('[[:alpha:]](?P<n>x)')).toBe('[[:alpha:]](?P<g1>x)');
    expect(withUniqueGroupNames('[\\]](?P<n>x)')).toBe('[\\]](?P<g1>x)');
    expect(withUniqueGroupNames('\\Qab\\E(?P<n>x)')).toBe('\\Qab\\E(?P<g1>x)');
  });
});

describe('inputs as Go sees them after JSON decoding', () => {
  it('an unpaired surrogate is U+FFFD (Go\'s encoding/json), a pair is one character', () => {
    expect(compilePattern('^\\x{FFFD}$').test('\ud800')).toBe(true);
    expect(compilePattern('^\\x{FFFD}\\x{FFFD}$').test('\udc00\ud800')).toBe(true);
    expect(compilePattern('^.$').test('\ud83d\ude00')).toBe(true);
    expect(compilePattern('^\\x{FFFD}$').test('\ud83d\ude00')).toBe(false);
  });
});
