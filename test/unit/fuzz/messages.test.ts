// Fuzz: the Go-compatible request decoders (src/protocol/messages.ts). Any
// body — bytes, JSON text, or a JSON value shaped like the request — decodes
// or is refused with a one-line DecodeError that never carries a value. The
// generators mix in control, line-breaking and bidi characters and lone
// surrogates (dangerous.ts) so the one-line check has something to catch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  bootstrapVerifyRequest,
  decodeRestoreRequest,
  policyDeleteRequest,
  policyGetRequest,
  policyListRequest,
  policyPutRequest,
  recoverRequest,
  secretDeleteRequest,
  secretGetRequest,
  secretPutRequest,
  type Codec,
} from '../../../src/protocol/messages.js';
import { sprinkled, sprinkledBytes, unitWithDangerous } from './dangerous.js';
import { RUNS, expectRefusal, resultOrRefusal } from './refusal.js';

const MARK = 'SECRETVALUE';

const decoders: Record<string, (raw: unknown) => unknown> = {
  restore: decodeRestoreRequest,
  recover: (r) => recoverRequest.decode(r),
  secretPut: (r) => secretPutRequest.decode(r),
  secretGet: (r) => secretGetRequest.decode(r),
  secretDelete: (r) => secretDeleteRequest.decode(r),
  policyPut: (r) => policyPutRequest.decode(r),
  policyGet: (r) => policyGetRequest.decode(r),
  policyDelete: (r) => policyDeleteRequest.decode(r),
  policyList: (r) => policyListRequest.decode(r),
  bootstrapVerify: (r) => (bootstrapVerifyRequest as Codec<unknown>).decode(r),
};
const names = Object.keys(decoders);

/** Field names of all requests, in random case (Go matches keys case-insensitively). */
const key = fc
  .constantFrom('id', 'shard', 'path', 'values', 'version', 'versions', 'name', 'spiffeidPattern', 'pathPattern', 'permissions', 'nonce', 'ciphertext', 'err')
  .chain((k) => fc.oneof(fc.constant(k), fc.mixedCase(fc.constant(k))));

/** Values that stress the field decoders; every string carries the marker. */
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(0, -1, 255, 256, 1.5, 1e21, -0, 2 ** 53, 2 ** 63),
  sprinkled(fc.string({ maxLength: 10 })).map((s) => `${MARK}${s}`),
  fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 40 }),
  fc.constant(`${MARK}QUFBQQ==`),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(sprinkled(fc.string({ maxLength: 6 })), tie('v'), { maxKeys: 3 })),
})).v;
const requestLike = fc.dictionary(sprinkled(key), value, { maxKeys: 5 });

/** JSON text: plain, with dangerous characters in its strings and keys (escaped or raw), or with them inserted anywhere (mostly malformed). */
const jsonText = fc.oneof(
  { weight: 3, arbitrary: fc.json() },
  { weight: 1, arbitrary: sprinkled(fc.json({ stringUnit: unitWithDangerous(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) })) },
);

/** Number spellings JSON.stringify never writes (Go tells 1.0 from 1). */
const numberText = fc.constantFrom('1.0', '1e2', '-0', '0.5', '1E400', '-1e-400', '00', '01', '18446744073709551616', '9007199254740993');

function check(name: string, raw: unknown): void {
  try {
    decoders[name]?.(raw);
  } catch (e) {
    expectRefusal(e, DecodeError, [MARK]);
  }
}

describe('fuzz: request decoders', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.constantFrom(...names), sprinkledBytes(fc.uint8Array({ maxLength: 120 })), (n, b) => check(n, Buffer.from(b))), { numRuns: RUNS });
  });

  it('arbitrary JSON text', () => {
    fc.assert(fc.property(fc.constantFrom(...names), jsonText, (n, t) => check(n, Buffer.from(t))), { numRuns: RUNS });
  });

  it('request-shaped JSON, as text and as a parsed value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), requestLike, fc.boolean(), (n, obj, asText) => check(n, asText ? Buffer.from(JSON.stringify(obj)) : obj)),
      { numRuns: RUNS * 2 },
    );
  });

  it('request-shaped JSON with unusual number spellings and duplicate keys', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), key, numberText, key, fc.constantFrom('null', '[]', '{}', '"x"', 'true'), (n, k1, num, k2, other) => {
        check(n, `{"${k1}":${num},"${k2}":${other},"${k1}":[${num},${num}]}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('deep nesting is refused, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.integer({ min: 400, max: 20_000 }), fc.constantFrom('[', '{"a":'), (n, depth, open) => {
        const close = open === '[' ? ']' : '}';
        check(n, `{"id":${open.repeat(depth)}1${close.repeat(depth)}}`);
      }),
      { numRuns: 100 },
    );
  });

  it('restore: a decoded shard is 32 bytes or null, id an integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.constant(null)), fc.oneof(fc.constant(null), fc.array(fc.integer({ min: -1, max: 256 }), { maxLength: 40 })), (id, shard) => {
        const r = resultOrRefusal(() => decodeRestoreRequest(Buffer.from(JSON.stringify({ id, shard }))), DecodeError);
        expect(r === undefined || Number.isSafeInteger(r.id)).toBe(true);
        expect([undefined, null, 32]).toContain(r?.shard === null ? null : r?.shard.length);
      }),
      { numRuns: RUNS },
    );
  });
});
