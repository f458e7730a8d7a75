// Decoding parsed JSON (parse.ts) into the Go types SPIKE's structs use, with
// json.Unmarshal's rules. A decoder receives the node and the field's
// current value, because Go decodes into the existing value: `null` leaves
// scalars, structs and times unchanged and sets pointers, maps and slices to
// nil; a repeated key decodes again into what the previous one left (maps
// are merged into, a [32]byte array is overwritten element by element).
//
// Errors are DecodeError with the field name, never the value. Decoders that
// produce byte buffers zero what they allocated when they fail.
import { DecodeError, quoteField } from './errors.js';
import type { JsonNode } from './parse.js';
import { GO_ZERO_TIME_TEXT, GoTimeError, parseRfc3339 } from '../time.js';
import { decodeStdBase64 } from '../base64.js';

export type FieldDecoder<T> = (node: JsonNode, prev: T, field: string) => T;

function typeError(field: string, want: string): DecodeError {
  return new DecodeError(`field ${quoteField(field)} must be ${want}`);
}

/** Zeroes byte buffers held by a (partly) decoded value. */
export function wipe(v: unknown): void {
  if (v instanceof Uint8Array) v.fill(0);
  else if (v instanceof Map) for (const x of v.values()) wipe(x);
  else if (Array.isArray(v)) for (const x of v) wipe(x);
}

// ---------------------------------------------------------------------------
// Scalars

/** Go `string`. */
export const goString: FieldDecoder<string> = (node, prev, field) => {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'string') throw typeError(field, 'a string');
  return node.value;
};

/** Go `bool`. */
export const goBool: FieldDecoder<boolean> = (node, prev, field) => {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'bool') throw typeError(field, 'a boolean');
  return node.value;
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go `int` (64-bit): the literal must be a decimal integer (strconv.ParseInt:
 * `1.0` and `1e0` are refused) within int64. Beyond JavaScript's safe
 * integers (±2^53) it is refused too, where Go accepts: a deliberate
 * difference (no SPIKE id, version or count gets there).
 */
export const goInt: FieldDecoder<number> = (node, prev, field) => {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'number' || !/^-?[0-9]+$/.test(node.raw)) throw typeError(field, 'an integer');
  const big = BigInt(node.raw);
  if (big < INT64_MIN || big > INT64_MAX) throw typeError(field, 'an integer within int64');
  const n = Number(big);
  if (!Number.isSafeInteger(n)) throw typeError(field, 'an integer within ±2^53');
  return n === 0 ? 0 : n; // no -0
};

/** Go `uint8` from a number literal: decimal digits only (strconv.ParseUint), 0..255. */
function uint8Of(node: JsonNode, prev: number, what: string): number {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'number' || !/^[0-9]{1,3}$/.test(node.raw) || Number(node.raw) > 255) {
    throw new DecodeError(`${what} must be an integer 0..255`);
  }
  return Number(node.raw);
}

/** Go `uint8` (`byte`) as a struct field. */
export const goUint8: FieldDecoder<number> = (node, prev, field) => uint8Of(node, prev, `field ${quoteField(field)}`);

const byteAt = (node: JsonNode, prev: number, field: string, i: number): number =>
  uint8Of(node, prev, `field ${quoteField(field)}: element ${i}`);

/**
 * Go `json.RawMessage`: the value as it was sent (its parse tree, `null`
 * included), for a caller that checks it by rules of its own; the last
 * matching key wins.
 */
export const goRawNode: FieldDecoder<JsonNode | undefined> = (node) => node;

// ---------------------------------------------------------------------------
// Bytes

/**
 * Go `*[32]byte`: `null` → null; an array fills the 32 bytes in order — a
 * shorter array zeroes the rest, elements past 32 are skipped unchecked, a
 * `null` element keeps the byte that was there; each element an integer
 * 0..255. A string (base64) is an error. Decodes into `prev` when there is
 * one (Go reuses the pointer). The caller owns (and must zero) the result.
 */
export const goBytes32: FieldDecoder<Uint8Array | null> = (node, prev, field) => {
  if (node.kind === 'null') {
    if (prev) prev.fill(0);
    return null;
  }
  if (node.kind !== 'array') throw typeError(field, 'an array of 32 numbers');
  const out = prev ?? new Uint8Array(32);
  const n = Math.min(node.items.length, 32);
  try {
    for (let i = 0; i < n; i++) out[i] = byteAt(node.items[i] as JsonNode, out[i] as number, field, i);
  } catch (e) {
    out.fill(0);
    throw e;
  }
  out.fill(0, n);
  return out;
};

/**
 * Go `[]byte`: a standard base64 string with padding (a fresh slice), or an
 * array of byte numbers (decoded into `prev`'s elements, as Go reuses the
 * slice: a `null` element keeps the byte at that index); `null` → null.
 */
export const goBase64Bytes: FieldDecoder<Uint8Array | null> = (node, prev, field) => {
  if (node.kind === 'null') return null;
  if (node.kind === 'array') {
    const out = new Uint8Array(node.items.length);
    try {
      node.items.forEach((item, i) => {
        out[i] = byteAt(item, prev !== null && i < prev.length ? (prev[i] as number) : 0, field, i);
      });
    } catch (e) {
      out.fill(0);
      throw e;
    }
    return out;
  }
  if (node.kind !== 'string') throw typeError(field, 'a base64 string');
  const decoded = decodeStdBase64(node.value);
  if (decoded === undefined) throw typeError(field, 'standard base64 with padding');
  // A buffer of its own (not the shared pool): handed over as a plain Uint8Array view, no copy.
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
};

// ---------------------------------------------------------------------------
// Maps and slices

/** A string-keyed record without a prototype (keys such as `__proto__` are plain data). */
export type StringMap = Record<string, string>;

export function emptyStringMap(): StringMap {
  return Object.create(null) as StringMap;
}

/** Go `map[string]string`: `null` → null; a `null` value is ""; merges into `prev`. */
export const goStringMap: FieldDecoder<StringMap | null> = (node, prev, field) => {
  if (node.kind === 'null') return null;
  if (node.kind !== 'object') throw typeError(field, 'an object of strings');
  const out = prev ?? emptyStringMap();
  for (const [k, v] of node.entries) out[k] = goString(v, '', `${field}.${k}`);
  return out;
};

/** strconv.ParseInt(key, 10, 64): "+1" and "01" are accepted, " 1" and "1.0" are not. */
function parseIntKey(key: string, field: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new DecodeError(`field ${quoteField(field)}: map keys must be integers`);
  const big = BigInt(key);
  const n = Number(big);
  if (big < INT64_MIN || big > INT64_MAX || !Number.isSafeInteger(n)) {
    throw new DecodeError(`field ${quoteField(field)}: map key out of range`);
  }
  return n === 0 ? 0 : n;
}

/** Go `map[int]V`: each value decoded from V's zero; a later equal key replaces the value; merges into `prev`. */
export function goIntKeyMap<V>(decodeValue: FieldDecoder<V>, zero: () => V): FieldDecoder<Map<number, V> | null> {
  return (node, prev, field) => {
    if (node.kind === 'null') return null;
    if (node.kind !== 'object') throw typeError(field, 'an object with integer keys');
    const out = prev ?? new Map<number, V>();
    try {
      for (const [k, v] of node.entries) {
        const id = parseIntKey(k, field);
        const value = decodeValue(v, zero(), `${field}.${k}`);
        wipe(out.get(id));
        out.set(id, value);
      }
    } catch (e) {
      wipe(out);
      throw e;
    }
    return out;
  };
}

/** Go `map[int]*[32]byte`. Every value is a fresh buffer the caller must zero. */
export const goIntKeyBytes32Map: FieldDecoder<Map<number, Uint8Array | null> | null> = goIntKeyMap(goBytes32, () => null);

/**
 * Go `[]T`: `null` → null; an array decodes element i into `prev[i]` when
 * there is one (Go reuses the slice, so a `null` element keeps it), else
 * into T's zero. Go can also expose elements from a reused slice's spare
 * capacity when a key repeats three times or more; that is not imitated.
 */
export function goSlice<T>(decodeItem: FieldDecoder<T>, zero: () => T): FieldDecoder<T[] | null> {
  return (node, prev, field) => {
    if (node.kind === 'null') return null;
    if (node.kind !== 'array') throw typeError(field, 'an array');
    return node.items.map((item, i) => decodeItem(item, prev !== null && i < prev.length ? (prev[i] as T) : zero(), `${field}[${i}]`));
  };
}

export const goIntSlice = goSlice(goInt, () => 0);
export const goStringSlice = goSlice(goString, () => '');

// ---------------------------------------------------------------------------
// Times

/**
 * Go `time.Time`, kept as the RFC 3339 text received (time.ts parses and
 * formats it): `null` leaves it unchanged. Go's UnmarshalJSON reads the raw
 * bytes between the quotes, so a string written with escapes is refused.
 */
export const goTime: FieldDecoder<string> = (node, prev, field) => {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'string' || node.escaped) throw typeError(field, 'an RFC 3339 time');
  try {
    parseRfc3339(node.value);
  } catch (e) {
    if (e instanceof GoTimeError) throw typeError(field, 'an RFC 3339 time');
    throw e;
  }
  return node.value;
};

/** Go `*time.Time`: `null` → null. */
export const goTimePtr: FieldDecoder<string | null> = (node, prev, field) => {
  if (node.kind === 'null') return null;
  return goTime(node, prev ?? GO_ZERO_TIME_TEXT, field);
};
