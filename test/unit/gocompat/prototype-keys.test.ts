// Keys that name Object.prototype members (`__proto__`, `constructor`, …) are
// plain map keys in Go; the JSON map decoder and encoder must keep them.
import { describe, expect, it } from 'vitest';
import { goStringMap } from '../../../src/gocompat/json/decode.js';
import { goEncode } from '../../../src/gocompat/json/encode.js';
import { parseGoJson } from '../../../src/gocompat/json/parse.js';
import { secretGetResponse, secretPutRequest } from '../../../src/protocol/messages.js';

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'] as const;
// Go's json.Marshal of map[string]string{"__proto__":"a","constructor":"b",
// "hasOwnProperty":"d","prototype":"c","toString":"e"}: keys in byte order ('_' < 'c').
const GO_BYTES = '{"__proto__":"a","constructor":"b","hasOwnProperty":"d","prototype":"c","toString":"e"}';
// A computed key: a literal `__proto__: 'a'` would set the prototype instead.
const VALUES: Readonly<Record<string, string>> = { ['__proto__']: 'a', constructor: 'b', hasOwnProperty: 'd', prototype: 'c', toString: 'e' };

describe('Go map[string]string with prototype-named keys', () => {
  it('goStringMap keeps every key as own data, without touching the prototype', () => {
    const m = goStringMap(parseGoJson(GO_BYTES), null, 'm');
    expect(m).not.toBeNull();
    expect(Object.keys(m ?? {}).sort()).toEqual([...PROTOTYPE_KEYS].sort());
    expect(Object.getPrototypeOf(m)).toBeNull();
    for (const k of PROTOTYPE_KEYS) expect(Object.hasOwn(m ?? {}, k)).toBe(true);
    expect(m?.['__proto__']).toBe('a');
    expect(m?.['toString']).toBe('e');
  });

  it('a merge into an existing map (repeated key) keeps them too', () => {
    const first = goStringMap(parseGoJson('{"__proto__":"x"}'), null, 'm');
    const merged = goStringMap(parseGoJson('{"__proto__":"y","constructor":"z"}'), first, 'm');
    expect(Object.entries(merged ?? {})).toEqual([['__proto__', 'y'], ['constructor', 'z']]);
  });

  it('the encoder writes them in Go order, byte for byte', () => {
    const src: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(VALUES)) src[k] = v;
    expect(goEncode((w) => w.stringKeyMap(src, (x, v) => x.string(v))).toString()).toBe(GO_BYTES);
  });

  it('secret put request and get response carry them both ways', () => {
    const put = secretPutRequest.decode(Buffer.from(`{"path":"p","values":${GO_BYTES}}`));
    expect(Object.keys(put.values ?? {}).sort()).toEqual([...PROTOTYPE_KEYS].sort());
    expect(secretPutRequest.encode({ path: 'p', values: put.values, err: '' }).toString()).toBe(`{"path":"p","values":${GO_BYTES}}`);
    const got = secretGetResponse.decode(Buffer.from(`{"data":${GO_BYTES}}`));
    expect(got.data?.['__proto__']).toBe('a');
    expect(Object.keys(got.data ?? {})).toHaveLength(5);
  });
});
