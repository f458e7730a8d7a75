// The plumbing every route codec shares: a codec is a Go struct's decoder
// (json.Unmarshal rules, src/gocompat/json) and encoder (json.Marshal bytes),
// plus the error bodies upstream's handlers write (the zero struct with `err`).
//
// Decoders throw DecodeError with messages that never include values. Pass
// them the raw body (Buffer/Uint8Array/string) for exact Go semantics; an
// already parsed JavaScript value is accepted too, but then `1.0` and `1`
// cannot be told apart.
import { goString } from '../../gocompat/json/decode.js';
import { goEncode, type GoField, type GoJsonWriter } from '../../gocompat/json/encode.js';
import { DecodeError } from '../../gocompat/json/errors.js';
import { type JsonNode, MAX_DEPTH, parseGoJson } from '../../gocompat/json/parse.js';
import { decodeStruct, field, type StructSpec, zeroStruct } from '../../gocompat/json/struct.js';

export { DecodeError };

/** A time as Go would marshal it: a Date, or RFC 3339 text (what decoders return, kept verbatim). */
export type GoTimeValue = Date | string;

/** Turns a raw body (or an already parsed JS value) into a JSON tree. */
export function toJsonNode(raw: unknown): JsonNode {
  if (raw instanceof Uint8Array || typeof raw === 'string') return parseGoJson(raw);
  if (raw === undefined) throw new DecodeError('empty body');
  return fromJsValue(raw, 0);
}

function fromJsValue(v: unknown, depth: number): JsonNode {
  if (depth > MAX_DEPTH) throw new DecodeError('JSON nested too deeply');
  if (v === null) return { kind: 'null' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DecodeError('malformed JSON');
    return { kind: 'number', raw: Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v) };
  }
  if (typeof v === 'string') return { kind: 'string', value: v, escaped: false };
  if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => fromJsValue(x, depth + 1)) };
  if (typeof v === 'object') {
    return { kind: 'object', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJsValue(x, depth + 1)] as const) };
  }
  throw new DecodeError('malformed JSON');
}

/** Encoder, decoder and zero value of one Go struct. */
export interface Codec<T> {
  encode(v: T): Buffer;
  decode(raw: unknown): T;
  zero(): T;
}

/** A response codec: also builds the error bodies (`BadRequest()`, `Unauthorized()`, …): the zero value plus `err`. */
export interface ResponseCodec<T> extends Codec<T> {
  error(code: string): Buffer;
}

export function codec<T>(what: string, spec: StructSpec<T>, write: (w: GoJsonWriter, v: T) => void): Codec<T> {
  return {
    encode: (v) => goEncode((w) => write(w, v)),
    decode: (raw) => decodeStruct(toJsonNode(raw), spec, what),
    zero: () => zeroStruct(spec),
  };
}

export function responseCodec<T extends { err: string }>(
  what: string,
  spec: StructSpec<T>,
  write: (w: GoJsonWriter, v: T) => void,
): ResponseCodec<T> {
  const c = codec(what, spec, write);
  return { ...c, error: (code) => c.encode({ ...c.zero(), err: code }) };
}

/** `err,omitempty`. */
export const errField = (err: string): GoField => err !== '' && ['err', (w) => w.string(err)];
export const errSpec = field('err', goString, () => '');

/** Element writers for arrays and maps. */
export const bytes32 = (w: GoJsonWriter, v: Uint8Array | null): void => {
  w.bytes32(v);
};
export const str = (w: GoJsonWriter, v: string): void => {
  w.string(v);
};
export const int = (w: GoJsonWriter, v: number): void => {
  w.int(v);
};

/** Responses that carry only `err` (secret put/delete/undelete, policy delete): success is `{}`. */
export interface ErrOnlyResponse {
  err: string;
}
export const errOnly = (what: string): ResponseCodec<ErrOnlyResponse> =>
  responseCodec<ErrOnlyResponse>(what, { err: errSpec }, (w, v) => w.object([errField(v.err)]));
