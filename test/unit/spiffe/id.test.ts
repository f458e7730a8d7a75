import { describe, expect, it } from 'vitest';
import { SpiffeId, SpiffeIdError, isValidSpiffeId, parseSpiffeId, parseTrustDomain, trustDomainId } from '../../../src/spiffe/id.js';

describe('parseSpiffeId', () => {
  it.each([
    ['spiffe://example.org', 'example.org', ''],
    ['spiffe://example.org/workload', 'example.org', '/workload'],
    ['spiffe://spike.ist/spike/pilot/role/superuser', 'spike.ist', '/spike/pilot/role/superuser'],
    ['spiffe://a-b_c.d9/A.b-C_d/...x', 'a-b_c.d9', '/A.b-C_d/...x'],
    ['spiffe://1.2.3.4/x', '1.2.3.4', '/x'],
    ['spiffe://td/.../..a', 'td', '/.../..a'],
  ])('accepts %s', (s, td, path) => {
    const id = parseSpiffeId(s);
    expect(id.trustDomain).toBe(td);
    expect(id.path).toBe(path);
    expect(id.toString()).toBe(s);
  });

  it('accepts the maximum lengths', () => {
    const td = 'a'.repeat(255);
    expect(parseSpiffeId(`spiffe://${td}/x`).trustDomain).toBe(td);
    const id = `spiffe://td/${'b'.repeat(2048 - 'spiffe://td/'.length)}`;
    expect(id.length).toBe(2048);
    expect(parseSpiffeId(id).toString()).toBe(id);
  });

  it.each([
    ['', /empty/],
    ['example.org/workload', /must start with 'spiffe:\/\/'/],
    ['SPIFFE://example.org/w', /must start with 'spiffe:\/\/'/],
    ['spiffe:/example.org/w', /must start with/],
    ['https://example.org/w', /must start with/],
    ['spiffe://', /trust domain is missing/],
    ['spiffe:///path', /trust domain is missing/],
    ['spiffe://Example.org/w', /lowercase/],
    ['spiffe://exa mple.org/w', /lowercase/],
    ['spiffe://example.org:8080/w', /port/],
    ['spiffe://user@example.org/w', /userinfo/],
    ['spiffe://example.org/', /empty segment or a trailing/],
    ['spiffe://example.org/a/', /empty segment or a trailing/],
    ['spiffe://example.org//a', /empty segment/],
    ['spiffe://example.org/./a', /'\.' and '\.\.'/],
    ['spiffe://example.org/a/..', /'\.' and '\.\.'/],
    ['spiffe://example.org/a%20b', /percent-encoding/],
    ['spiffe://example.org/a?x=1', /query and fragment/],
    ['spiffe://example.org/a#f', /query and fragment/],
    ['spiffe://example.org/a b', /letters, digits/],
    ['spiffe://example.org/ü', /letters, digits/],
    ['spiffe://example.org/a"b', /letters, digits/],
    ['spiffe://[::1]/a', /lowercase|port/],
    [`spiffe://${'a'.repeat(256)}/x`, /longer than 255/],
    [`spiffe://td/${'b'.repeat(2049 - 'spiffe://td/'.length)}`, /longer than 2048/],
  ])('rejects %j', (s, why) => {
    expect(() => parseSpiffeId(s)).toThrow(SpiffeIdError);
    expect(() => parseSpiffeId(s)).toThrow(why);
    expect(isValidSpiffeId(s)).toBe(false);
  });

  it('errors are one line and cut long input short', () => {
    const long = () => parseSpiffeId(`spiffe://td/${'x'.repeat(3000)}`);
    expect(long).toThrow(SpiffeIdError);
    // the whole message: one line, shorter than 200 characters
    expect(long).toThrow(/^[^\n]{1,199}$/);
  });
});

describe('SpiffeId', () => {
  it('equals and memberOf', () => {
    const id = parseSpiffeId('spiffe://example.org/a');
    expect(id.equals('spiffe://example.org/a')).toBe(true);
    expect(id.equals(parseSpiffeId('spiffe://example.org/a'))).toBe(true);
    expect(id.equals('spiffe://example.org/A')).toBe(false);
    expect(id.memberOf('example.org')).toBe(true);
    expect(id.memberOf('spiffe://example.org')).toBe(true);
    expect(id.memberOf('example.com')).toBe(false);
    expect(id.isTrustDomainId()).toBe(false);
    expect(SpiffeId.fromParts('example.org', '').isTrustDomainId()).toBe(true);
    expect(() => SpiffeId.fromParts('example.org', 'noslash')).toThrow(SpiffeIdError);
  });
});

describe('parseTrustDomain', () => {
  it.each([
    ['example.org', 'example.org'],
    ['spiffe://example.org', 'example.org'],
    // As go-spiffe's TrustDomainFromString: any valid ID gives its trust domain.
    ['spiffe://example.org/path', 'example.org'],
  ])('accepts %s', (s, td) => expect(parseTrustDomain(s)).toBe(td));

  it.each(['', 'Example.org', 'spiffe://example.org/', 'spiffe://example.org/a/../b', 'example.org/x', 'example.org:80', 'spiffe://'])('rejects %j', (s) => {
    expect(() => parseTrustDomain(s)).toThrow(SpiffeIdError);
  });

  it('names a trust domain in its errors', () => {
    expect(() => parseTrustDomain('Example.org')).toThrow(/^invalid trust domain "Example.org": .*lowercase/);
  });

  it('trustDomainId', () => expect(trustDomainId('example.org').toString()).toBe('spiffe://example.org'));
});
