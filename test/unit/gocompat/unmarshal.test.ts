// Struct decoding against json.Unmarshal into the fixture's Sample struct
// (tools/gocompat-fixtures/main.go): the same fields are declared here with
// src/gocompat's decoders; a decoded value is marshalled again with the
// writer and compared with Go's json.Marshal of what Go decoded.
import { describe, expect, it } from 'vitest';
import {
  goBase64Bytes,
  goBool,
  goBytes32,
  goInt,
  goIntKeyBytes32Map,
  goIntSlice,
  goString,
  goStringMap,
  goStringSlice,
  goTime,
  goTimePtr,
  goUint8,
  type StringMap,
} from '../../../src/gocompat/json/decode.js';
import { goEncode, type GoJsonWriter } from '../../../src/gocompat/json/encode.js';
import { DecodeError } from '../../../src/gocompat/json/errors.js';
import { parseGoJson } from '../../../src/gocompat/json/parse.js';
import { decodeGoStruct, field, goStruct, type StructSpec } from '../../../src/gocompat/json/struct.js';
import { GO_ZERO_TIME_TEXT } from '../../../src/gocompat/time.js';
import { docBytes, docLabel, fixture, outcome } from './fixture.js';

interface Inner {
  a: number;
  b: string;
}
interface Sample {
  id: number;
  name: string;
  ok: boolean;
  version: number;
  shard: Uint8Array | null;
  raw: Uint8Array | null;
  values: StringMap | null;
  shards: Map<number, Uint8Array | null> | null;
  ids: number[] | null;
  keys: string[] | null;
  when: string;
  deleted: string | null;
  inner: Inner;
  sk: string;
  errField: string;
}

const innerSpec: StructSpec<Inner> = { a: field('a', goInt, () => 0), b: field('b', goString, () => '') };
const sampleSpec: StructSpec<Sample> = {
  id: field('id', goInt, () => 0),
  name: field('name', goString, () => ''),
  ok: field('ok', goBool, () => false),
  version: field('version', goUint8, () => 0),
  shard: field('shard', goBytes32, () => null),
  raw: field('raw', goBase64Bytes, () => null),
  values: field('values', goStringMap, () => null),
  shards: field('shards', goIntKeyBytes32Map, () => null),
  ids: field('ids', goIntSlice, () => null),
  keys: field('keys', goStringSlice, () => null),
  when: field('when', goTime, () => GO_ZERO_TIME_TEXT),
  deleted: field('deleted', goTimePtr, () => null),
  inner: field('inner', goStruct(innerSpec, 'inner'), () => ({ a: 0, b: '' })),
  sk: field('sk', goString, () => ''),
  errField: field('ErrField', goString, () => ''),
};

const ANY_ERROR: unknown = expect.any(String);

function marshal(v: Sample): string {
  const str = (w: GoJsonWriter, s: string): void => void w.string(s);
  return goEncode((w) =>
    w.object([
      ['id', (x) => x.int(v.id)],
      ['name', (x) => x.string(v.name)],
      ['ok', (x) => x.bool(v.ok)],
      ['version', (x) => x.int(v.version)],
      ['shard', (x) => x.bytes32(v.shard)],
      ['raw', (x) => x.base64(v.raw)],
      ['values', (x) => x.stringKeyMap(v.values, str)],
      ['shards', (x) => x.intKeyMap(v.shards, (y, b) => y.bytes32(b))],
      ['ids', (x) => x.array(v.ids, (y, n) => y.int(n))],
      ['keys', (x) => x.array(v.keys, str)],
      ['when', (x) => x.time(v.when)],
      ['deleted', (x) => (v.deleted === null ? x.null() : x.time(v.deleted))],
      ['inner', (x) => x.object([['a', (y) => y.int(v.inner.a)], ['b', (y) => y.string(v.inner.b)]])],
      ['sk', (x) => x.string(v.sk)],
      ['ErrField', (x) => x.string(v.errField)],
    ]),
  ).toString('utf8');
}

/**
 * Where src/gocompat deliberately differs from Go (see goInt): integers past
 * ±2^53 are refused. Each entry must be a case Go accepts.
 */
const REFUSED_BEYOND_SAFE_INTEGERS = new Set([
  '{"id":9007199254740993}',
  '{"id":9223372036854775807}',
  '{"shards":{"9223372036854775807":null}}',
]);

describe('decodeGoStruct = json.Unmarshal into Sample', () => {
  const deliberate = (c: { in?: string }): boolean => c.in !== undefined && REFUSED_BEYOND_SAFE_INTEGERS.has(c.in);
  const cases = fixture.unmarshal.filter((c) => !deliberate(c));

  // Decoded, then marshalled again; `out` null: Go's Marshal fails on what Unmarshal accepted (a +24:00 offset).
  it.each(cases.filter((c) => c.ok).map((c) => [docLabel(c), c] as const))('accepts %s', (_, c) => {
    const v = decodeGoStruct(docBytes(c), sampleSpec, 'sample');
    expect(outcome(() => marshal(v))).toEqual(c.out === null ? { thrown: ANY_ERROR } : { value: c.out });
  });

  it.each(cases.filter((c) => !c.ok).map((c) => [docLabel(c), c] as const))('refuses %s', (_, c) => {
    expect(() => decodeGoStruct(docBytes(c), sampleSpec, 'sample')).toThrow(DecodeError);
  });

  it.each(fixture.unmarshal.filter(deliberate).map((c) => [docLabel(c), c] as const))('refuses %s, which Go accepts (past 2^53)', (_, c) => {
    expect(c.ok).toBe(true);
    expect(() => decodeGoStruct(docBytes(c), sampleSpec, 'sample')).toThrow(DecodeError);
  });

  it('every deliberate difference is in the fixture', () => {
    const inputs = new Set(fixture.unmarshal.map((c) => c.in));
    for (const d of REFUSED_BEYOND_SAFE_INTEGERS) expect(inputs.has(d)).toBe(true);
  });
});

describe('decoded buffers', () => {
  it('zeroes a [32]byte decoded before a later field fails', () => {
    const seen: Uint8Array[] = [];
    const spy: StructSpec<{ shard: Uint8Array | null; id: number }> = {
      shard: field<Uint8Array | null>(
        'shard',
        (n, p, f) => {
          const out = goBytes32(n, p, f);
          if (out) seen.push(out);
          return out;
        },
        () => null,
      ),
      id: field('id', goInt, () => 0),
    };
    expect(() => decodeGoStruct(`{"shard":[${'7,'.repeat(31)}7],"id":1.5}`, spy, 'x')).toThrow(DecodeError);
    expect(seen).toHaveLength(1);
    expect([...(seen[0] as Uint8Array)].every((b) => b === 0)).toBe(true);
  });
});

describe('byte decoders zero what they filled when an element is refused', () => {
  it('[32]byte decoded into an existing array', () => {
    const prev = new Uint8Array(32).fill(7);
    expect(() => goBytes32(parseGoJson('[1,2,300]'), prev, 'shard')).toThrow(DecodeError);
    expect([...prev].every((b) => b === 0)).toBe(true);
  });
});
