// Cases ported from go-spiffe v2 spiffeid/id_test.go (TestFromString) and
// spiffeid/trustdomain_test.go (TestTrustDomainFromString, TestTrustDomainID):
// the same inputs, the same verdicts. go-spiffe has no length limits; ours
// (2048-byte ID, 255-byte trust domain, from the SPIFFE-ID spec) are listed in
// docs/design.md § X.509-SVID verification.
import { describe, expect, it } from 'vitest';
import { SpiffeIdError, parseSpiffeId, parseTrustDomain, trustDomainId } from '../../../src/spiffe/id.js';

const TD_CHARS = new Set('abcdefghijklmnopqrstuvwxyz0123456789.-_'.split(''));
const PATH_CHARS = new Set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_'.split(''));
const ALL = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

describe('go-spiffe spiffeid TestFromString', () => {
  it.each([
    ['spiffe://trustdomain', 'trustdomain', ''],
    ['spiffe://trustdomain/.path', 'trustdomain', '/.path'],
    ['spiffe://trustdomain/..path', 'trustdomain', '/..path'],
    ['spiffe://trustdomain/...', 'trustdomain', '/...'],
  ])('accepts %s', (s, td, path) => {
    const id = parseSpiffeId(s);
    expect([id.trustDomain, id.path]).toEqual([td, path]);
  });

  it.each([
    ['', /empty/],
    ['s', /must start with 'spiffe:\/\/'/],
    ['spiffe:/', /must start with 'spiffe:\/\/'/],
    ['Spiffe://', /must start with 'spiffe:\/\/'/],
    ['spiffe://', /trust domain is missing/],
    ['spiffe:///', /trust domain is missing/],
    ['spiffe://trustdomain/', /trailing/],
    ['spiffe://trustdomain//', /empty segment/],
    ['spiffe://trustdomain//path', /empty segment/],
    ['spiffe://trustdomain/path/', /trailing/],
    ['spiffe://trustdomain/.', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/./path', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/path/./other', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/path/..', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/..', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/../path', /'\.' and '\.\.'/],
    ['spiffe://trustdomain/path/../other', /'\.' and '\.\.'/],
    // go-spiffe: "characters are limited to …"; we name percent-encoding itself.
    ['spiffe://%F0%9F%A4%AF/path', /percent-encoding/],
    ['spiffe://trustdomain/%F0%9F%A4%AF', /percent-encoding/],
    ['spiffe://%62%61%64/path', /percent-encoding/],
    ['spiffe://trustdomain/%62%61%64', /percent-encoding/],
  ])('refuses %j', (s, why) => {
    expect(() => parseSpiffeId(s)).toThrow(expect.objectContaining({ name: 'SpiffeIdError', message: expect.stringMatching(why) }));
  });

  it('every character 0..255 in the trust domain and in the path: allowed exactly when go-spiffe allows it', () => {
    const verdicts = ALL.map((c) => [c.charCodeAt(0), (() => {
      try {
        parseSpiffeId(`spiffe://trustdomain${c}/path`);
        return 'ok';
      } catch {
        return 'refused';
      }
    })(), (() => {
      try {
        parseSpiffeId(`spiffe://trustdomain/path${c}`);
        return 'ok';
      } catch {
        return 'refused';
      }
    })()]);
    // '/' makes an empty segment or a trailing slash; '?', '#', ':', '@', '%' are refused by their own rules.
    expect(verdicts).toEqual(ALL.map((c) => [c.charCodeAt(0), TD_CHARS.has(c) ? 'ok' : 'refused', PATH_CHARS.has(c) ? 'ok' : 'refused']));
  });
});

describe('go-spiffe spiffeid TestTrustDomainFromString / TestTrustDomainID', () => {
  it('refuses empty', () => expect(() => parseTrustDomain('')).toThrow(SpiffeIdError));
  it('allows an ID without a path', () => expect(parseTrustDomain('spiffe://trustdomain')).toBe('trustdomain'));
  it('allows an ID with a path', () => expect(parseTrustDomain('spiffe://trustdomain/path')).toBe('trustdomain'));
  it.each([
    ['spiffe:/trustdomain/path', /must start with 'spiffe:\/\/'/],
    ['spiffe://', /trust domain is missing/],
    ['spiffe:///path', /trust domain is missing/],
    ['spiffe://trustdomain/', /trailing/],
    ['spiffe://trustdomain/path/', /trailing/],
    ['spiffe://%F0%9F%A4%AF/path', /percent-encoding/],
    ['spiffe://trustdomain/%F0%9F%A4%AF', /percent-encoding/],
  ])('refuses the bad ID %j', (s, why) => {
    expect(() => parseTrustDomain(s)).toThrow(expect.objectContaining({ name: 'SpiffeIdError', message: expect.stringMatching(why) }));
  });
  it('every character 0..255 after "trustdomain": allowed exactly when go-spiffe allows it, bare and as an ID', () => {
    const ok = (s: string) => {
      try {
        return parseTrustDomain(s);
      } catch {
        return 'refused';
      }
    };
    // '/' bare is refused by go-spiffe (not a trust domain character); as `spiffe://trustdomain/` it is a trailing slash.
    expect(ALL.map((c) => [ok(`trustdomain${c}`), ok(`spiffe://trustdomain${c}`)])).toEqual(
      ALL.map((c) => (TD_CHARS.has(c) ? [`trustdomain${c}`, `trustdomain${c}`] : ['refused', 'refused'])),
    );
  });
  it('the trust domain ID of "trustdomain", "spiffe://trustdomain" and "spiffe://trustdomain/path"', () => {
    expect(['trustdomain', 'spiffe://trustdomain', 'spiffe://trustdomain/path'].map((s) => trustDomainId(s).toString())).toEqual(Array(3).fill('spiffe://trustdomain'));
  });
});
