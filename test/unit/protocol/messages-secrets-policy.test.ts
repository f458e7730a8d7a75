import { describe, expect, it } from 'vitest';
import {
  errorBodyFor,
  policyGetResponse,
  policyListRequest,
  policyListResponse,
  policyPutRequest,
  policyPutResponse,
  secretDeleteRequest,
  secretGetRequest,
  secretGetResponse,
  secretListResponse,
  secretMetadataResponse,
  secretPutRequest,
  secretPutResponse,
  secretUndeleteRequest,
  cipherEncryptResponse,
  cipherDecryptRequest,
  DecodeError,
  type Policy,
} from '../../../src/protocol/messages.js';

const s = (b: Buffer): string => b.toString('utf8');
const ZERO = '0001-01-01T00:00:00Z';

describe('secret routes', () => {
  it('put request: values sorted, err omitted', () => {
    expect(s(secretPutRequest.encode({ path: 'a/b', values: { zeta: '1', alpha: '<x&y>' }, err: '' }))).toBe(
      '{"path":"a/b","values":{"alpha":"\\u003cx\\u0026y\\u003e","zeta":"1"}}',
    );
    expect(s(secretPutRequest.encode({ path: 'p', values: null, err: '' }))).toBe('{"path":"p","values":null}');
    const d = secretPutRequest.decode(Buffer.from('{"Path":"x","values":{"a":"1","a":"2","b":null,"__proto__":"v"}}'));
    expect(d.path).toBe('x');
    expect(d.values?.a).toBe('2');
    expect(d.values?.b).toBe('');
    expect(Object.keys(d.values ?? {})).toEqual(['a', 'b', '__proto__']);
    expect(() => secretPutRequest.decode(Buffer.from('{"path":"x","values":{"a":1}}'))).toThrow(DecodeError);
    expect(() => secretPutRequest.decode(Buffer.from('{"path":"x","values":[]}'))).toThrow(DecodeError);
    expect(() => secretPutRequest.decode(Buffer.from('{"path":"x","err":5}'))).toThrow(DecodeError);
    // Go merges a second matching object into the same map.
    const merged = secretPutRequest.decode(Buffer.from('{"values":{"a":"1"},"Values":{"b":"2"}}'));
    expect({ ...merged.values }).toEqual({ a: '1', b: '2' });
  });
  it('put/delete/undelete responses', () => {
    expect(s(secretPutResponse.encode({ err: '' }))).toBe('{}');
    expect(s(errorBodyFor('secretPut', 'access_unauthorized'))).toBe('{"err":"access_unauthorized"}');
    expect(s(errorBodyFor('secretDelete', 'api_not_found'))).toBe('{"err":"api_not_found"}');
    expect(s(errorBodyFor('secretUndelete', 'api_internal_error'))).toBe('{"err":"api_internal_error"}');
  });
  it('get request omits version 0', () => {
    expect(s(secretGetRequest.encode({ path: 'a', version: 0 }))).toBe('{"path":"a"}');
    expect(s(secretGetRequest.encode({ path: 'a', version: 3 }))).toBe('{"path":"a","version":3}');
    expect(secretGetRequest.decode(Buffer.from('{"path":"a"}'))).toEqual({ path: 'a', version: 0 });
    expect(() => secretGetRequest.decode(Buffer.from('{"path":"a","version":"1"}'))).toThrow(DecodeError);
  });
  it('get response success and error bodies', () => {
    expect(s(secretGetResponse.encode({ data: { b: '2', a: '1' }, err: '' }))).toBe('{"data":{"a":"1","b":"2"}}');
    expect(s(errorBodyFor('secretGet', 'api_not_found'))).toBe('{"data":null,"err":"api_not_found"}');
  });
  it('delete/undelete requests keep null vs []', () => {
    expect(s(secretDeleteRequest.encode({ path: 'a', versions: [0] }))).toBe('{"path":"a","versions":[0]}');
    expect(s(secretUndeleteRequest.encode({ path: 'a', versions: [] }))).toBe('{"path":"a","versions":[]}');
    expect(s(secretUndeleteRequest.encode({ path: 'a', versions: null }))).toBe('{"path":"a","versions":null}');
    expect(secretDeleteRequest.decode(Buffer.from('{"path":"a","versions":[1,null,3]}')).versions).toEqual([1, 0, 3]);
    expect(() => secretDeleteRequest.decode(Buffer.from('{"path":"a","versions":[1.5]}'))).toThrow(DecodeError);
  });
  it('list response', () => {
    expect(s(secretListResponse.encode({ keys: ['a', 'b'], err: '' }))).toBe('{"keys":["a","b"]}');
    expect(s(secretListResponse.encode({ keys: [], err: '' }))).toBe('{"keys":[]}');
    expect(s(errorBodyFor('secretList', 'access_unauthorized'))).toBe('{"keys":null,"err":"access_unauthorized"}');
  });
  it('metadata response: versions omitempty, struct metadata always present, times RFC 3339', () => {
    const created = new Date(Date.UTC(2026, 6, 25, 20, 37, 48, 120));
    const body = secretMetadataResponse.encode({
      versions: new Map([
        [2, { createdTime: created, version: 2, deletedTime: null }],
        [10, { createdTime: created, version: 10, deletedTime: '2026-07-25T20:37:48.123456789-07:00' }],
      ]),
      metadata: { currentVersion: 10, oldestVersion: 2, createdTime: created, updatedTime: created, maxVersions: 10 },
      err: '',
    });
    const t = '"2026-07-25T20:37:48.12Z"';
    expect(s(body)).toBe(
      `{"versions":{"10":{"createdTime":${t},"version":10,"deletedTime":"2026-07-25T20:37:48.123456789-07:00"},"2":{"createdTime":${t},"version":2,"deletedTime":null}},` +
        `"metadata":{"currentVersion":10,"oldestVersion":2,"createdTime":${t},"updatedTime":${t},"maxVersions":10}}`,
    );
    expect(s(errorBodyFor('secretMetadataGet', 'api_not_found'))).toBe(
      `{"metadata":{"currentVersion":0,"oldestVersion":0,"createdTime":"${ZERO}","updatedTime":"${ZERO}","maxVersions":0},"err":"api_not_found"}`,
    );
    const back = secretMetadataResponse.decode(body);
    expect(back.versions?.get(10)?.deletedTime).toBe('2026-07-25T20:37:48.123456789-07:00');
    expect(back.versions?.get(2)?.deletedTime).toBeNull();
    expect(back.metadata.currentVersion).toBe(10);
  });
});

describe('policy routes', () => {
  const policy: Policy = {
    id: '',
    name: 'web',
    spiffeidPattern: '^spiffe://spike.ist/web$',
    pathPattern: '^secrets/web/.*$',
    permissions: ['read', 'list'],
    createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 0)),
    updatedAt: '2026-01-02T03:04:05.5+01:00',
  };
  const policyJson =
    '{"id":"","name":"web","spiffiedPattern":"^spiffe://spike.ist/web$","pathPattern":"^secrets/web/.*$","permissions":["read","list"],"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05.5+01:00"}';

  it('put request uses spiffeidPattern; response is {}', () => {
    const req = { name: 'web', spiffeidPattern: 'spiffe://x', pathPattern: 'a', permissions: ['read'] };
    expect(s(policyPutRequest.encode(req))).toBe('{"name":"web","spiffeidPattern":"spiffe://x","pathPattern":"a","permissions":["read"]}');
    expect(policyPutRequest.decode(policyPutRequest.encode(req))).toEqual(req);
    expect(s(policyPutResponse.encode({ id: '', err: '' }))).toBe('{}');
    expect(s(errorBodyFor('policyPut', 'api_bad_request'))).toBe('{"err":"api_bad_request"}');
  });
  it('get response uses the spiffiedPattern typo and full zero fields on error', () => {
    expect(s(policyGetResponse.encode({ ...policy, err: '' }))).toBe(policyJson);
    expect(s(errorBodyFor('policyGet', 'api_internal_error'))).toBe(
      `{"id":"","name":"","spiffiedPattern":"","pathPattern":"","permissions":null,"createdAt":"${ZERO}","updatedAt":"${ZERO}","err":"api_internal_error"}`,
    );
    const d = policyGetResponse.decode(Buffer.from(policyJson));
    expect(d.spiffeidPattern).toBe('^spiffe://spike.ist/web$');
    expect(d.createdAt).toBe('2026-01-02T03:04:05Z');
  });
  it('list request and response', () => {
    expect(s(policyListRequest.encode({ spiffeidPattern: '', pathPattern: '' }))).toBe('{"spiffeidPattern":"","pathPattern":""}');
    expect(s(policyListResponse.encode({ policies: [policy], err: '' }))).toBe(`{"policies":[${policyJson}]}`);
    expect(s(policyListResponse.encode({ policies: [], err: '' }))).toBe('{"policies":[]}');
    expect(s(errorBodyFor('policyList', 'access_unauthorized'))).toBe('{"policies":null,"err":"access_unauthorized"}');
    expect(policyListResponse.decode(Buffer.from(`{"policies":[${policyJson}]}`)).policies?.[0]?.name).toBe('web');
  });
});

describe('cipher routes', () => {
  it('encode responses and decode requests', () => {
    expect(s(cipherEncryptResponse.encode({ version: 1, nonce: new Uint8Array(12), ciphertext: new Uint8Array([255]), err: '' }))).toBe(
      '{"version":1,"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"/w=="}',
    );
    expect(s(errorBodyFor('cipherEncrypt', 'api_bad_request'))).toBe('{"version":0,"nonce":null,"ciphertext":null,"err":"api_bad_request"}');
    expect(cipherDecryptRequest.decode(Buffer.from('{"version":1,"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"/w=="}')).version).toBe(1);
    expect(() => cipherDecryptRequest.decode(Buffer.from('{"version":256}'))).toThrow(DecodeError);
  });
});
