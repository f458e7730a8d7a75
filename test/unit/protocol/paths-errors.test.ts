import { describe, expect, it } from 'vitest';
import {
  ACCESS_UNAUTHORIZED,
  API_BAD_REQUEST,
  ERROR_CATALOGUE,
  GEN_GENERAL_FAILURE,
  NET_PEER_CONNECTION,
  STREAM_WRITE_FAILED,
  codeForStatus,
  fromCode,
  messageFor,
} from '../../../src/protocol/errors.js';
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
    // upstream's 15 + spike-ts's optional /v1/operator/status
    expect(NEXUS_ROUTES).toHaveLength(16);
    expect(findRoute(NEXUS_ROUTES, '/v1/operator/status', '')?.name).toBe('operatorStatus');
  });
  it('parses request targets as Go does', () => {
    expect(parseRequestTarget('/v1/acl/policy?action=list')).toEqual({ path: '/v1/acl/policy', action: 'list' });
    expect(parseRequestTarget('/v1/acl/policy?action=get&action=list')).toEqual({ path: '/v1/acl/policy', action: 'get' });
    expect(parseRequestTarget('/v1/operator/restore')).toEqual({ path: '/v1/operator/restore', action: '' });
  });
});

describe('error codes', () => {
  it('carry the catalogue, including upstream spelling quirks', () => {
    expect(Object.keys(ERROR_CATALOGUE)).toHaveLength(113);
    expect(API_BAD_REQUEST).toBe('api_bad_request');
    expect(STREAM_WRITE_FAILED).toBe('stream_write_failed');
    expect(messageFor(ACCESS_UNAUTHORIZED)).toBe('unauthorized');
    expect(fromCode('no_such_code')).toBe(GEN_GENERAL_FAILURE);
    expect(fromCode('__proto__')).toBe(GEN_GENERAL_FAILURE);
  });
  it('map statuses as the Go SDK', () => {
    expect(codeForStatus(200)).toBeUndefined();
    expect(codeForStatus(400)).toBe('api_bad_request');
    expect(codeForStatus(401)).toBe('access_unauthorized');
    expect(codeForStatus(404)).toBe('api_not_found');
    expect(codeForStatus(503)).toBe('state_not_ready');
    expect(codeForStatus(500)).toBe(NET_PEER_CONNECTION);
  });
});
