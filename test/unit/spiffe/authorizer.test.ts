import { describe, expect, it } from 'vitest';
import { parseSpiffeId } from '../../../src/spiffe/id.js';
import {
  AuthorizationError,
  authorizeAny,
  authorizeId,
  authorizeIf,
  authorizeMemberOf,
  authorizeOneOf,
} from '../../../src/spiffe/authorizer.js';

const a = parseSpiffeId('spiffe://example.org/a');
const b = parseSpiffeId('spiffe://example.org/b');
const other = parseSpiffeId('spiffe://other.org/a');

describe('authorizers', () => {
  it('authorizeAny', () => {
    expect(() => authorizeAny()(other)).not.toThrow();
  });
  it('authorizeId', () => {
    expect(() => authorizeId('spiffe://example.org/a')(a)).not.toThrow();
    expect(() => authorizeId(a)(b)).toThrow(AuthorizationError);
    expect(() => authorizeId(a)(b)).toThrow("unauthorized SPIFFE ID: 'spiffe://example.org/b'");
    expect(() => authorizeId(a)(other)).toThrow(AuthorizationError);
    expect(() => authorizeId('not an id')).toThrow();
  });
  it('authorizeOneOf', () => {
    const z = authorizeOneOf(a, 'spiffe://example.org/b');
    expect(() => z(a)).not.toThrow();
    expect(() => z(b)).not.toThrow();
    expect(() => z(other)).toThrow(AuthorizationError);
    expect(() => authorizeOneOf()(a)).toThrow(AuthorizationError);
  });
  it('authorizeMemberOf', () => {
    expect(() => authorizeMemberOf('example.org')(a)).not.toThrow();
    expect(() => authorizeMemberOf('spiffe://example.org')(b)).not.toThrow();
    expect(() => authorizeMemberOf('example.org')(other)).toThrow(AuthorizationError);
  });
  it('authorizeIf', () => {
    const z = authorizeIf((id) => id.endsWith('/a'), 'a workload named a');
    expect(() => z(a)).not.toThrow();
    expect(() => z(other)).not.toThrow();
    expect(() => z(b)).toThrow(AuthorizationError);
    expect(() => z(b)).toThrow(expect.objectContaining({ reason: expect.stringContaining('a workload named a') }));
    const throwing = authorizeIf(() => {
      throw new Error('boom');
    }, 'x');
    expect(() => throwing(a)).toThrow(AuthorizationError);
  });
});
