// The names checkNameConstraints shows in its refusals come from a
// certificate: they are quoted with line separators, bidi controls and DEL
// escaped (expected messages written by hand).
import { describe, expect, it } from 'vitest';
import type { CertExtensions, NameConstraints, NameSubtrees } from '../../../src/spiffe/certext.js';
import { checkNameConstraints, matchDomainConstraint } from '../../../src/spiffe/nameconstraints.js';

const none = (): NameSubtrees => ({ dns: [], uri: [], ip: [], email: [] });

function certOf(names: { uris?: string[]; dnsNames?: string[] }): CertExtensions {
  return {
    keyUsage: undefined,
    keyUsageCritical: false,
    isCa: false,
    pathLen: undefined,
    uris: names.uris ?? [],
    dnsNames: names.dnsNames ?? [],
    ips: [],
    emails: [],
    sanEntries: (names.uris?.length ?? 0) + (names.dnsNames?.length ?? 0),
    nameConstraints: undefined,
    unhandledCritical: [],
  };
}

function constraints(permitted: Partial<NameSubtrees>, excluded: Partial<NameSubtrees> = {}): NameConstraints {
  return { permitted: { ...none(), ...permitted }, excluded: { ...none(), ...excluded } };
}

describe('checkNameConstraints: names in its errors', () => {
  it('a URI SAN excluded by a constraint is quoted escaped', () => {
    const nc = constraints({}, { uri: ['spike.ist'] });
    expect(() => checkNameConstraints(nc, certOf({ uris: ['spiffe://spike.ist/a\u2028b\u202ec\u007f'] }))).toThrow(
      new Error(String.raw`URI "spiffe://spike.ist/a\u2028b\u202ec\u007f" is excluded by a name constraint`),
    );
  });

  it('a URI SAN not permitted is quoted escaped', () => {
    const nc = constraints({ uri: ['spike.ist'] });
    expect(() => checkNameConstraints(nc, certOf({ uris: ['spiffe://other.test/\u202eevil'] }))).toThrow(
      new Error(String.raw`URI "spiffe://other.test/\u202eevil" is not permitted by the name constraints`),
    );
  });

  it('a URI SAN with no host is quoted escaped', () => {
    const nc = constraints({ uri: ['spike.ist'] });
    expect(() => checkNameConstraints(nc, certOf({ uris: ['spiffe:///x\u2029'] }))).toThrow(
      new Error(String.raw`URI "spiffe:///x\u2029" has no host to match name constraints against`),
    );
  });

  it('a dNSName SAN that cannot be parsed is quoted escaped', () => {
    const nc = constraints({ dns: ['spike.ist'] });
    expect(() => checkNameConstraints(nc, certOf({ dnsNames: ['a\u2028.spike.ist'] }))).toThrow(new Error(String.raw`cannot parse dNSName "a\u2028.spike.ist"`));
    expect(() => checkNameConstraints(nc, certOf({ dnsNames: ['a\u007f.spike.ist'] }))).toThrow(new Error(String.raw`cannot parse dNSName "a\u007f.spike.ist"`));
  });

  it('a host or constraint that cannot be parsed is quoted escaped', () => {
    expect(() => matchDomainConstraint('x\u202e', 'spike.ist')).toThrow(new Error(String.raw`cannot parse domain "x\u202e"`));
    expect(() => matchDomainConstraint('spike.ist', '.\u2028')).toThrow(new Error(String.raw`cannot parse constraint ".\u2028"`));
  });
});
