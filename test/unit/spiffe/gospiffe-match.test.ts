// Cases ported from go-spiffe v2 spiffeid/match_test.go (MatchAny, MatchID,
// MatchOneOf, MatchMemberOf) against our authorizers: the same IDs and the
// same allow/deny verdicts (messages differ: ours say "unauthorized SPIFFE ID").
// go-spiffe's zero ID and empty trust domain have no counterpart here (we
// cannot build an invalid SpiffeId, and authorizeMemberOf('') throws).
import { describe, expect, it } from 'vitest';
import { authorizeAny, authorizeId, authorizeMemberOf, authorizeOneOf, type Authorizer } from '../../../src/spiffe/authorizer.js';
import { parseSpiffeId } from '../../../src/spiffe/id.js';

const IDS = ['spiffe://foo.test', 'spiffe://foo.test/A', 'spiffe://foo.test/B', 'spiffe://foo.test/sub/C', 'spiffe://bar.test/A'];
const verdicts = (a: Authorizer): boolean[] =>
  IDS.map((s) => {
    try {
      a(parseSpiffeId(s));
      return true;
    } catch {
      return false;
    }
  });

describe('go-spiffe spiffeid match_test.go', () => {
  it('TestMatchAny', () => expect(verdicts(authorizeAny())).toEqual([true, true, true, true, true]));
  it('TestMatchID_AgainstIDWithPath', () => expect(verdicts(authorizeId('spiffe://foo.test/A'))).toEqual([false, true, false, false, false]));
  it('TestMatchID_AgainstIDWithoutPath', () => expect(verdicts(authorizeId('spiffe://foo.test'))).toEqual([true, false, false, false, false]));
  it('TestMatchOneOf_OnAListOfIDs', () =>
    expect(verdicts(authorizeOneOf('spiffe://foo.test', 'spiffe://foo.test/B', 'spiffe://foo.test/sub/C', 'spiffe://bar.test/A'))).toEqual([true, false, true, true, true]));
  it('TestMatchOneOf_OnAnEmptyListOfIDs', () => expect(verdicts(authorizeOneOf())).toEqual([false, false, false, false, false]));
  it('TestMatchMemberOf_AgainstNonEmptyTrustDomain', () => expect(verdicts(authorizeMemberOf('foo.test'))).toEqual([true, true, true, true, false]));
  it('TestMatchMemberOf_AgainstEmptyTrustDomain: refused at construction here', () => expect(() => authorizeMemberOf('')).toThrow());
});
