import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeShares } from '../../../src/shamir/index.js';
import { attempt, otherThan } from '../../helpers/expect.js';
import {
  DecodeError,
  decodeContributeRequest,
  decodeRecoverResponse,
  decodeRestoreRequest,
  decodeRestoreResponse,
  decodeShardResponse,
  encodeContributeRequest,
  encodeContributeResponse,
  encodeErrorOnly,
  encodeRecoverResponse,
  encodeRestoreRequest,
  encodeShardResponse,
  errorBodyFor,
  recoverRequest,
  restoreAnswer,
  restoreResponse,
  shardGetResponse,
  shardPutResponse,
  bootstrapVerifyRequest,
  bootstrapVerifyResponse,
  encodeBootstrapVerifyResponse,
} from '../../../src/protocol/messages.js';

// Upstream Nexus's recover answer for root key 01 x 32 (threshold 2, 3 shares),
// as Go's encoding/json writes it, verbatim (the shares match
// test/unit/shamir/shamir.test.ts's first recovery-file vector).
const VECTOR1_RECOVER_BODY =
  '{"shards":{"1":[115,206,111,133,35,197,8,252,110,10,135,145,242,20,12,126,238,127,195,248,246,226,212,12,218,214,34,241,22,55,56,148],"2":[230,155,222,9,70,137,16,247,219,20,14,34,227,39,23,252,219,254,134,240,236,196,167,24,180,171,68,225,43,109,112,39],"3":[89,105,76,142,105,77,24,242,72,29,148,179,212,58,35,123,12,150,79,59,59,142,219,159,154,198,156,14,68,64,130,105]}}';
const SHARD1 = [115, 206, 111, 133, 35, 197, 8, 252, 110, 10, 135, 145, 242, 20, 12, 126, 238, 127, 195, 248, 246, 226, 212, 12, 218, 214, 34, 241, 22, 55, 56, 148];
const shard1Json = JSON.stringify(SHARD1);

const s = (b: Buffer): string => b.toString('utf8');

function decodeFails(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('did not throw');
}

describe('recover', () => {
  it('encodes the root-key-01 recover answer byte for byte', () => {
    const shares = computeShares(new Uint8Array(32).fill(1), 2, 3);
    expect(s(encodeRecoverResponse(shares))).toBe(VECTOR1_RECOVER_BODY);
    const asMap = new Map(shares.map((x) => [x.id, x.value] as const));
    expect(s(encodeRecoverResponse(asMap))).toBe(VECTOR1_RECOVER_BODY);
  });
  it('sorts keys as strings', () => {
    const m = new Map<number, Uint8Array | null>();
    for (const id of [2, 10, 1, 11]) m.set(id, null);
    expect(s(encodeRecoverResponse(m))).toBe('{"shards":{"1":null,"10":null,"11":null,"2":null}}');
  });
  it('error bodies and the request', () => {
    expect(s(errorBodyFor('operatorRecover', 'api_internal_error'))).toBe('{"shards":null,"err":"api_internal_error"}');
    expect(s(recoverRequest.encode({}))).toBe('{}');
    expect(recoverRequest.decode(Buffer.from('null'))).toEqual({});
    decodeFails(() => recoverRequest.decode(Buffer.from('')));
    decodeFails(() => recoverRequest.decode(Buffer.from('[]')));
  });
  it('decodes the response, keys via strconv', () => {
    const r = decodeRecoverResponse(Buffer.from(VECTOR1_RECOVER_BODY));
    expect([...(r.shards?.keys() ?? [])]).toEqual([1, 2, 3]);
    expect([...(r.shards?.get(1) ?? [])]).toEqual(SHARD1);
    expect(r.err).toBe('');
    const odd = decodeRecoverResponse(Buffer.from('{"shards":{"01":null,"+2":[1]}}'));
    expect([...(odd.shards?.keys() ?? [])]).toEqual([1, 2]);
    expect(odd.shards?.get(1)).toBeNull();
    decodeFails(() => decodeRecoverResponse(Buffer.from('{"shards":{"x":null}}')));
    decodeFails(() => decodeRecoverResponse(Buffer.from('{"shards":{" 1":null}}')));
    decodeFails(() => decodeRecoverResponse(Buffer.from('{"shards":{"1.0":null}}')));
    expect(decodeRecoverResponse(Buffer.from('{"shards":null}')).shards).toBeNull();
    expect(decodeRecoverResponse(Buffer.from('{}')).shards).toBeNull();
  });
});

describe('restore request decoding (Go json.Unmarshal into {ID int; Shard *[32]byte})', () => {
  const dec = (body: string) => decodeRestoreRequest(Buffer.from(body));

  it('decodes the upstream example', () => {
    const r = dec(`{"id":1,"shard":${shard1Json}}`);
    expect(r.id).toBe(1);
    expect([...(r.shard ?? [])]).toEqual(SHARD1);
  });
  it('round-trips the encoder', () => {
    expect(s(encodeRestoreRequest(1, new Uint8Array(SHARD1)))).toBe(`{"id":1,"shard":${shard1Json}}`);
  });
  it('null or missing shard → null', () => {
    expect(dec('{"id":1,"shard":null}').shard).toBeNull();
    expect(dec('{"id":1}').shard).toBeNull();
  });
  it('short arrays are zero-padded, long ones truncated without checking the extra elements', () => {
    const short = dec('{"id":1,"shard":[1,2,3]}').shard;
    expect([...(short ?? [])]).toEqual([1, 2, 3, ...new Array<number>(29).fill(0)]);
    const long = dec(`{"id":1,"shard":${JSON.stringify([...SHARD1, 7, 999, 'x'])}}`).shard;
    expect([...(long ?? [])]).toEqual(SHARD1);
    expect(dec('{"id":1,"shard":[]}').shard).toEqual(new Uint8Array(32));
  });
  it.each([
    ['256', '[256]'],
    ['-1', '[-1]'],
    ['1.5', '[1.5]'],
    ['1.0', '[1.0]'],
    ['1e0', '[1e0]'],
    ['a string element', '["1"]'],
    ['a base64 string', '"AAAA"'],
    ['an object', '{}'],
    ['a number', '5'],
    ['true', 'true'],
  ])('shard with %s is an error', (_what, shard) => {
    decodeFails(() => dec(`{"id":1,"shard":${shard}}`));
  });
  it.each([
    ['1.5', '1.5'],
    ['1.0', '1.0'],
    ['1e2', '1e2'],
    ['a string', '"1"'],
    ['beyond int64', '9223372036854775808'],
    ['a bool', 'true'],
    ['an array', '[1]'],
  ])('id as %s is an error', (_what, id) => {
    decodeFails(() => dec(`{"id":${id},"shard":[1]}`));
  });
  it('id null leaves 0; negative ids decode (the route validates the range)', () => {
    expect(dec('{"id":null,"shard":[1]}').id).toBe(0);
    expect(dec('{"id":-3}').id).toBe(-3);
    expect(dec('{"id":-0}').id).toBe(0);
    expect(Object.is(dec('{"id":-0}').id, -0)).toBe(false);
  });
  it('keys match case-insensitively; the last matching key wins', () => {
    const r = dec(`{"ID":2,"Shard":${shard1Json}}`);
    expect(r.id).toBe(2);
    expect([...(r.shard ?? [])]).toEqual(SHARD1);
    expect(dec('{"id":1,"ID":2,"Id":3}').id).toBe(3);
    expect(dec('{"id":1,"ID":2,"id":4}').id).toBe(4);
    expect(dec('{"shard":[9,9],"SHARD":null}').shard).toBeNull();
    expect([...(dec('{"shard":[9,9,9],"shard":[5]}').shard ?? [])].slice(0, 3)).toEqual([5, 0, 0]);
    // Go's fold: U+017F (long s) folds to s, U+212A (Kelvin) to k.
    expect(dec('{"\u017fhard":[4]}').shard?.[0]).toBe(4);
  });
  it('unknown keys are ignored', () => {
    expect(dec('{"id":5,"extra":{"deep":[1,2,{"x":"y"}]}}').id).toBe(5);
  });
  it('null body is an empty request; [] and an empty body are errors', () => {
    expect(dec('null')).toEqual({ id: 0, shard: null });
    decodeFails(() => dec('[]'));
    decodeFails(() => dec(''));
    decodeFails(() => dec('   '));
    decodeFails(() => dec('"x"'));
    decodeFails(() => dec('1'));
    decodeFails(() => dec('{"id":1'));
    decodeFails(() => dec('{"id":1} {}'));
    decodeFails(() => decodeRestoreRequest(undefined));
  });
  it('accepts an already parsed value', () => {
    expect(decodeRestoreRequest({ id: 2, shard: [1, 2] }).shard?.[1]).toBe(2);
    decodeFails(() => decodeRestoreRequest({ id: 1.5 }));
    decodeFails(() => decodeRestoreRequest([1]));
  });
  it('error messages never carry values', () => {
    const e = decodeFails(() => dec('{"id":1,"shard":[12345678]}'));
    expect(e.message).not.toContain('12345678');
    const e2 = decodeFails(() => dec('{"id":"secret-ish","shard":[1]}'));
    expect(e2.message).not.toContain('secret-ish');
  });
  it('refuses nesting deeper than Go does (10000) without crashing', () => {
    decodeFails(() => dec('{"x":' + '['.repeat(10000) + ']'.repeat(10000) + '}'));
  });
});

describe('restore response', () => {
  it('is flattened, err omitted on success', () => {
    expect(s(restoreResponse.encode(restoreAnswer({ collected: 1, remaining: 1, restored: false })))).toBe('{"collected":1,"remaining":1,"restored":false}');
    expect(s(restoreResponse.error('api_bad_request'))).toBe('{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request"}');
    expect(s(errorBodyFor('operatorRestore', 'access_unauthorized'))).toBe(
      '{"collected":0,"remaining":0,"restored":false,"err":"access_unauthorized"}',
    );
    expect(decodeRestoreResponse(Buffer.from('{"collected":2,"remaining":0,"restored":true}'))).toEqual(
      restoreAnswer({ collected: 2, remaining: 0, restored: true }),
    );
  });
  it("spike-ts's fields come after upstream's, each omitted when empty (upstream's four fields first, in its order)", () => {
    const full = restoreAnswer({
      collected: 3,
      remaining: 0,
      restored: true,
      state: 'restored',
      duplicate: true,
      ids: [1, 2, 3],
      conflict: [2],
      rejected: [2],
      match: false,
      retryAfter: 4,
    });
    expect(s(restoreResponse.encode(full))).toBe(
      '{"collected":3,"remaining":0,"restored":true,"state":"restored","duplicate":true,"ids":[1,2,3],"conflict":[2],"rejected":[2],"match":false,"retryAfter":4}',
    );
    expect(restoreResponse.decode(restoreResponse.encode(full))).toEqual(full);
    expect(s(restoreResponse.encode(restoreAnswer({ collected: 0, remaining: 2, restored: false, ids: [], conflict: [], match: null })))).toBe(
      '{"collected":0,"remaining":2,"restored":false}',
    );
    expect(s(restoreResponse.encode(restoreAnswer({ collected: 0, remaining: 0, restored: true, state: 'healthy', match: true })))).toBe(
      '{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":true}',
    );
  });
  it('decodes what an upstream Nexus sends (no new fields) and tolerates a state word it does not know', () => {
    const up = decodeRestoreResponse(Buffer.from('{"collected":1,"remaining":1,"restored":false}'));
    expect([up.state, up.duplicate, up.ids, up.conflict, up.rejected, up.match, up.retryAfter]).toEqual(['', false, null, null, null, null, 0]);
    expect(decodeRestoreResponse(Buffer.from('{"collected":1,"remaining":1,"restored":false,"state":"later_word","match":null}')).state).toBe('');
    expect(decodeRestoreResponse(Buffer.from('{"collected":0,"remaining":0,"restored":true,"match":true}')).match).toBe(true);
  });
});

describe('keeper', () => {
  it('contribute request/response', () => {
    expect(s(encodeContributeRequest(new Uint8Array(SHARD1)))).toBe(`{"shard":${shard1Json}}`);
    expect([...(decodeContributeRequest(Buffer.from(`{"shard":${shard1Json}}`)).shard ?? [])]).toEqual(SHARD1);
    expect(decodeContributeRequest(Buffer.from('{}')).shard).toBeNull();
    expect(s(encodeContributeResponse())).toBe('{}');
    expect(s(shardPutResponse.error('api_bad_request'))).toBe('{"err":"api_bad_request"}');
    expect(s(errorBodyFor('keeperContribute', 'access_unauthorized'))).toBe('{"err":"access_unauthorized"}');
  });
  it('shard response uses the capitalised Err key, always present', () => {
    expect(s(encodeShardResponse(new Uint8Array(SHARD1)))).toBe(`{"shard":${shard1Json},"Err":""}`);
    expect(s(shardGetResponse.error('api_bad_request'))).toBe('{"shard":null,"Err":"api_bad_request"}');
    const d = decodeShardResponse(Buffer.from(`{"shard":${shard1Json},"Err":""}`));
    expect([...(d.shard ?? [])]).toEqual(SHARD1);
    expect(decodeShardResponse(Buffer.from('{"shard":null,"err":"api_bad_request"}')).err).toBe('api_bad_request');
  });
});

describe('bootstrap verify', () => {
  it('base64 fields with padding', () => {
    expect(s(bootstrapVerifyRequest.encode({ nonce: new Uint8Array(12), ciphertext: new Uint8Array([1, 2, 3, 4]) }))).toBe(
      '{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AQIDBA=="}',
    );
    const d = bootstrapVerifyRequest.decode(Buffer.from('{"nonce":"AAAAAAAAAAAAAAAA","ciphertext":"AQID\\nBA=="}'));
    expect(d.nonce).toEqual(new Uint8Array(12));
    expect(d.ciphertext).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(bootstrapVerifyRequest.decode(Buffer.from('{"nonce":[1,2]}')).nonce).toEqual(new Uint8Array([1, 2]));
    for (const bad of ['"AQIDBA"', '"AQIDBA="', '"AQ-_"', '5', '"AQID BA=="']) {
      decodeFails(() => bootstrapVerifyRequest.decode(Buffer.from(`{"nonce":${bad}}`)));
    }
    expect(s(encodeBootstrapVerifyResponse('ab12'))).toBe('{"hash":"ab12"}');
    expect(s(bootstrapVerifyResponse.error('api_bad_request'))).toBe('{"hash":"","err":"api_bad_request"}');
  });
});

describe('generic bodies', () => {
  it('fallback and not-ready bodies', () => {
    expect(s(encodeErrorOnly('api_bad_request'))).toBe('{"err":"api_bad_request"}');
    expect(s(encodeErrorOnly('state_not_ready'))).toBe('{"err":"state_not_ready"}');
  });
});

describe('restore request properties', () => {
  it('decode(encode(id, shard)) is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (id, shard) => {
        const r = decodeRestoreRequest(encodeRestoreRequest(id, shard));
        expect(r.id).toBe(id);
        expect(r.shard).toEqual(shard);
      }),
    );
  });
  it('any input decodes or throws DecodeError, never anything else', () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ id: fc.jsonValue(), shard: fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.integer(), fc.double(), fc.string()))) }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const decode = () => decodeRestoreRequest(Buffer.from(body));
        expect(decode).not.toThrow(otherThan(DecodeError));
        const r = attempt(decode);
        // decoded: an integer id and a 32-byte shard or none
        expect(r === undefined || Number.isSafeInteger(r.id)).toBe(true);
        expect([undefined, null, 32]).toContain(r?.shard === null ? null : r?.shard.length);
      }),
      { numRuns: 1000 },
    );
  });
});
