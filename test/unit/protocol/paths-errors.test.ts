import { describe, expect, it } from 'vitest';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST, API_INTERNAL_ERROR, API_NOT_FOUND, STATE_NOT_READY } from '../../../src/protocol/errors.js';
import {
  KEEPER_ROUTES,
  NEXUS_ROUTES,
  PATH_OPERATOR_RECOVER,
  PATH_POLICY,
  findRoute,
  parseRequestTarget,
  urlFor,
} from '../../../src/protocol/paths.js';

describe('urlFor', () => {
  it('joins like Go url.JoinPath and adds the action', () => {
    const base = new URL('https://localhost:8553');
    expect(urlFor(base, PATH_OPERATOR_RECOVER).href).toBe('https://localhost:8553/v1/operator/recover');
    expect(urlFor(base, PATH_POLICY, 'get').href).toBe('https://localhost:8553/v1/acl/policy?action=get');
    expect(urlFor(new URL('https://h:1/prefix/'), '/v1/store/shard').href).toBe('https://h:1/prefix/v1/store/shard');
    expect(urlFor(base, PATH_POLICY, '').href).toBe('https://localhost:8553/v1/acl/policy');
  });
});

describe('route tables', () => {
  it('find exact path+action only', () => {
    expect(findRoute(NEXUS_ROUTES, '/v1/store/secrets', 'get')?.name).toBe('secretGet');
    expect(findRoute(NEXUS_ROUTES, '/v1/store/secrets', '')?.name).toBe('secretPut');
    expect(findRoute(NEXUS_ROUTES, '/v1/store/secrets/', '')).toBeUndefined();
    expect(findRoute(NEXUS_ROUTES, '/v1/operator/recover', 'get')).toBeUndefined();
    expect(findRoute(NEXUS_ROUTES, '/v1/store/secrets', 'check')).toBeUndefined();
    expect(findRoute(KEEPER_ROUTES, '/v1/store/keep', '')).toBeUndefined();
    // upstream's 15 + spike-ts's optional /v1/operator/status, /v1/operator/rotate and restore's `reset` action
    expect(NEXUS_ROUTES).toHaveLength(18);
    expect(findRoute(NEXUS_ROUTES, '/v1/operator/rotate', '')?.name).toBe('operatorRotate');
    expect(findRoute(NEXUS_ROUTES, '/v1/operator/status', '')?.name).toBe('operatorStatus');
    expect(findRoute(NEXUS_ROUTES, '/v1/operator/restore', 'reset')?.name).toBe('operatorRestoreReset');
  });
  it('parses request targets as Go does', () => {
    expect(parseRequestTarget('/v1/acl/policy?action=list')).toEqual({ path: '/v1/acl/policy', action: 'list' });
    expect(parseRequestTarget('/v1/acl/policy?action=get&action=list')).toEqual({ path: '/v1/acl/policy', action: 'get' });
    expect(parseRequestTarget('/v1/operator/restore')).toEqual({ path: '/v1/operator/restore', action: '' });
  });
  it('answers a repeated target from its memo, which no caller can change, and stays right past the memo’s bound', () => {
    const first = parseRequestTarget('/v1/store/secrets?action=get');
    expect(parseRequestTarget('/v1/store/secrets?action=get')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { path: string }).path = '/v1/operator/recover';
    }).toThrow(TypeError);
    // More distinct targets than the memo holds (it is emptied when full), then the first ones again.
    const targets = Array.from({ length: 600 }, (_, i) => `/v1/x%2F${i}?action=a${i}`);
    for (const t of [...targets, ...targets.slice(0, 10)]) {
      const i = targets.indexOf(t);
      expect(parseRequestTarget(t)).toEqual({ path: `/v1/x/${i}`, action: `a${i}` });
    }
    expect(parseRequestTarget('%zz/\u0000://')).toEqual(parseRequestTarget('%zz/\u0000://'));
    expect(parseRequestTarget('http://[::1')).toBeUndefined();
  });
});

describe('error codes', () => {
  it('are spelled as spike-sdk-go errors/sentinel.go registers them', () => {
    expect([API_BAD_REQUEST, API_INTERNAL_ERROR, API_NOT_FOUND, STATE_NOT_READY, ACCESS_UNAUTHORIZED]).toEqual([
      'api_bad_request',
      'api_internal_error',
      'api_not_found',
      'state_not_ready',
      'access_unauthorized',
    ]);
  });
});
