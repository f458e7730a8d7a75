// Go encoding/json compatibility (docs/design.md § Wire compatibility).
//
// Decoding: bodies from the network are parsed into a tree that keeps every
// key in order (duplicates included) and every number's literal text, because
// Go's rules depend on both: keys match struct fields case-insensitively and
// the last matching key wins; `1.0` or `1e0` is not an int; 256 is not a
// byte. JSON.parse alone loses that information, so it is used only to vet
// the syntax first; the tree is then built by a small scanner over text
// already known to be valid JSON.
//
// Encoding: `GoJsonWriter` produces the exact bytes of Go's json.Marshal
// (compact, fields in declaration order, map keys sorted, HTML-safe string
// escaping, [32]byte as number arrays, []byte as padded base64, RFC 3339
// times with trimmed nanoseconds). Output is assembled in Buffers that are
// zeroed once the final Buffer is built, so shard bytes are not left in
// strings.

/** A request or response body that does not decode as the Go type would. Maps to HTTP 400. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly status = 400;
  constructor(message: string) {
    super(message);
  }
}

// ---------------------------------------------------------------------------
// Parsing

export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] };

/** Nesting deeper than this is refused (Go allows 10000; nothing in SPIKE nests past 4). */
export const MAX_DEPTH = 512;

const NULL_NODE: JsonNode = Object.freeze({ kind: 'null' });

/**
 * Parses a JSON document with Go's acceptance rules: an empty body, trailing
 * data or a syntax error is refused. Invalid UTF-8 and lone surrogate escapes
 * become U+FFFD, as Go does.
 */
export function parseGoJson(body: Uint8Array | string): JsonNode {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.trim() === '') throw new DecodeError('empty body');
  try {
    JSON.parse(text);
  } catch {
    throw new DecodeError('malformed JSON');
  }
  const p = new Scanner(text);
  p.ws();
  const node = p.value(0);
  p.ws();
  if (p.pos !== text.length) throw new DecodeError('malformed JSON');
  return node;
}

class Scanner {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new DecodeError('JSON nested too deeply');
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return { kind: 'string', value: this.string() };
      case 't':
        this.pos += 4;
        return { kind: 'bool', value: true };
      case 'f':
        this.pos += 5;
        return { kind: 'bool', value: false };
      case 'n':
        this.pos += 4;
        return NULL_NODE;
      default:
        return this.number();
    }
  }

  object(depth: number): JsonNode {
    this.pos++; // {
    const entries: [string, JsonNode][] = [];
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      this.pos++; // :
      this.ws();
      entries.push([key, this.value(depth)]);
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return { kind: 'object', entries };
      if (c !== ',') throw new DecodeError('malformed JSON');
    }
  }

  array(depth: number): JsonNode {
    this.pos++; // [
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.ws();
      items.push(this.value(depth));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') throw new DecodeError('malformed JSON');
    }
  }

  number(): JsonNode {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m || m[0] === '') throw new DecodeError('malformed JSON');
    this.pos = re.lastIndex;
    return { kind: 'number', raw: m[0] };
  }

  /** A string literal at pos (already validated by JSON.parse); lone surrogates become U+FFFD. */
  string(): string {
    const s = this.s;
    if (s[this.pos] !== '"') throw new DecodeError('malformed JSON');
    this.pos++;
    const units: number[] = [];
    for (;;) {
      const c = s.charCodeAt(this.pos++);
      if (Number.isNaN(c)) throw new DecodeError('malformed JSON');
      if (c === 0x22) break;
      if (c !== 0x5c) {
        units.push(c);
        continue;
      }
      const e = s[this.pos++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          units.push(e.charCodeAt(0));
          break;
        case 'b':
          units.push(0x08);
          break;
        case 'f':
          units.push(0x0c);
          break;
        case 'n':
          units.push(0x0a);
          break;
        case 'r':
          units.push(0x0d);
          break;
        case 't':
          units.push(0x09);
          break;
        case 'u': {
          const hex = s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new DecodeError('malformed JSON');
          units.push(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          throw new DecodeError('malformed JSON');
      }
    }
    return wellFormed(units);
  }
}

/** UTF-16 units to a string, replacing unpaired surrogates with U+FFFD (Go's behaviour). */
function wellFormed(units: number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as number;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[i + 1];
      if (next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
        out += String.fromCharCode(u, next);
        i++;
        continue;
      }
      out += '\ufffd';
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Decoding into Go types. A decoder receives the node and the field's
// previous value (Go decodes into the existing value: `null` leaves scalars
// unchanged, maps are merged into, arrays are overwritten element by element).

export type FieldDecoder<T> = (node: JsonNode, prev: T, field: string) => T;

function typeError(field: string, want: string): DecodeError {
  return new DecodeError(`field ${JSON.stringify(field)} must be ${want}`);
}

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
 * `1.0` and `1e0` are refused) within int64. Values outside JavaScript's safe
 * integer range are refused too (a documented divergence: such ids/versions
 * are invalid anyway).
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

/** Go `uint8`: a literal of decimal digits only (strconv.ParseUint), at most 255. */
function byteOf(node: JsonNode, prev: number, field: string, index: number): number {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'number' || !/^[0-9]+$/.test(node.raw) || node.raw.length > 3 || Number(node.raw) > 255) {
    throw new DecodeError(`field ${JSON.stringify(field)}: element ${index} must be an integer 0..255`);
  }
  return Number(node.raw);
}

/**
 * Go `*[32]byte`: `null` → null; an array fills the 32 bytes in order — a
 * shorter array leaves the rest zero, elements past 32 are skipped unchecked
 * (as Go does); each element must be an integer 0..255. A string (base64) is
 * an error. Decodes into `prev` when there is one (Go reuses the pointer).
 * The caller owns (and must zero) the result.
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
    for (let i = 0; i < n; i++) out[i] = byteOf(node.items[i] as JsonNode, out[i] as number, field, i);
  } catch (e) {
    out.fill(0);
    throw e;
  }
  out.fill(0, n);
  return out;
};

const BASE64_STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Go `[]byte`: a standard base64 string with padding (`\r`/`\n` ignored, as
 * Go's decoder does), or an array of byte numbers; `null` → null.
 */
export const goBase64Bytes: FieldDecoder<Uint8Array | null> = (node, _prev, field) => {
  if (node.kind === 'null') return null;
  if (node.kind === 'array') {
    const out = new Uint8Array(node.items.length);
    node.items.forEach((item, i) => {
      out[i] = byteOf(item, 0, field, i);
    });
    return out;
  }
  if (node.kind !== 'string') throw typeError(field, 'a base64 string');
  const s = node.value.replace(/[\r\n]/g, '');
  if (!BASE64_STD.test(s)) throw typeError(field, 'standard base64 with padding');
  return new Uint8Array(Buffer.from(s, 'base64'));
};

/** A string-keyed record without a prototype (keys such as `__proto__` are plain data). */
export type StringMap = Record<string, string>;

export function emptyStringMap(): StringMap {
  return Object.create(null) as StringMap;
}

/** Go `map[string]string`: `null` → null; values `null` become ""; merges into `prev`. */
export const goStringMap: FieldDecoder<StringMap | null> = (node, prev, field) => {
  if (node.kind === 'null') return null;
  if (node.kind !== 'object') throw typeError(field, 'an object of strings');
  const out = prev ?? emptyStringMap();
  for (const [k, v] of node.entries) out[k] = goString(v, '', `${field}.${k}`);
  return out;
};

/** strconv.ParseInt(key, 10, 64) — "+1" and "01" are accepted, " 1" and "1.0" are not. */
function parseIntKey(key: string, field: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new DecodeError(`field ${JSON.stringify(field)}: map keys must be integers`);
  const big = BigInt(key);
  const n = Number(big);
  if (big < INT64_MIN || big > INT64_MAX || !Number.isSafeInteger(n)) {
    throw new DecodeError(`field ${JSON.stringify(field)}: map key out of range`);
  }
  return n === 0 ? 0 : n;
}

/** Go `map[int]V`: keys parsed as integers, each value decoded from V's zero; merges into `prev`. */
export function goIntKeyMap<V>(decodeValue: FieldDecoder<V>, zero: () => V): FieldDecoder<Map<number, V> | null> {
  return (node, prev, field) => {
    if (node.kind === 'null') return null;
    if (node.kind !== 'object') throw typeError(field, 'an object with integer keys');
    const out = prev ?? new Map<number, V>();
    try {
      for (const [k, v] of node.entries) {
        const id = parseIntKey(k, field);
        const value = decodeValue(v, zero(), `${field}.${k}`);
        wipe(out.get(id)); // replaced by a later duplicate key
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

/** Go `[]T`: `null` → null; otherwise a fresh slice, `null` elements become T's zero. */
export function goSlice<T>(decodeItem: FieldDecoder<T>, zero: () => T): FieldDecoder<T[] | null> {
  return (node, _prev, field) => {
    if (node.kind === 'null') return null;
    if (node.kind !== 'array') throw typeError(field, 'an array');
    return node.items.map((item, i) => decodeItem(item, zero(), `${field}[${i}]`));
  };
}

export const goIntSlice = goSlice(goInt, () => 0);
export const goStringSlice = goSlice(goString, () => '');

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Go `time.Time`: an RFC 3339 string (kept as text, nanoseconds intact); `null` leaves it unchanged. */
export const goTime: FieldDecoder<string> = (node, prev, field) => {
  if (node.kind === 'null') return prev;
  if (node.kind !== 'string' || !RFC3339.test(node.value)) throw typeError(field, 'an RFC 3339 time');
  return node.value;
};

/** Go `*time.Time`: `null` → null. */
export const goTimePtr: FieldDecoder<string | null> = (node, prev, field) => {
  if (node.kind === 'null') return null;
  return goTime(node, prev ?? GO_ZERO_TIME, field);
};

/** One field of a Go struct: its JSON key, decoder and zero value. */
export interface FieldSpec<T> {
  readonly key: string;
  readonly decode: FieldDecoder<T>;
  readonly zero: () => T;
}

export type StructSpec<S> = { readonly [K in keyof S]: FieldSpec<S[K]> };

export function field<T>(key: string, decode: FieldDecoder<T>, zero: () => T): FieldSpec<T> {
  return { key, decode, zero };
}

/** Go's key folding for field matching (bytes.EqualFold on ASCII field names: K/k/U+212A, S/s/U+017F). */
function foldKey(s: string): string {
  return s.replace(/[A-Z\u212a\u017f]/g, (c) => (c === '\u212a' ? 'k' : c === '\u017f' ? 's' : c.toLowerCase()));
}

/**
 * Go struct decoding: `null` → unchanged (`base`, or all zero values); anything
 * but an object is an error; keys match fields exactly first, then
 * case-insensitively; every matching key is decoded in order into the field's
 * current value (so the last one wins); unknown keys are ignored.
 */
export function decodeStruct<S>(node: JsonNode, spec: StructSpec<S>, what: string, base?: S): S {
  const names = Object.keys(spec) as (keyof S & string)[];
  const out = {} as S;
  for (const n of names) out[n] = base === undefined || base === null ? spec[n].zero() : base[n];
  if (node.kind === 'null') return out;
  if (node.kind !== 'object') throw new DecodeError(`${what} must be a JSON object`);
  const exact = new Map<string, keyof S & string>();
  const folded = new Map<string, keyof S & string>();
  for (const n of names) {
    exact.set(spec[n].key, n);
    const f = foldKey(spec[n].key);
    if (!folded.has(f)) folded.set(f, n);
  }
  try {
    for (const [k, v] of node.entries) {
      const name = exact.get(k) ?? folded.get(foldKey(k));
      if (name === undefined) continue;
      const fs = spec[name];
      out[name] = fs.decode(v, out[name], fs.key);
    }
  } catch (e) {
    for (const n of names) wipe(out[n]);
    throw e;
  }
  return out;
}

/** Zeroes byte buffers held by a partly decoded value (shards must not linger after a failed decode). */
export function wipe(v: unknown): void {
  if (v instanceof Uint8Array) v.fill(0);
  else if (v instanceof Map) for (const x of v.values()) wipe(x);
  else if (Array.isArray(v)) for (const x of v) wipe(x);
}

/** A nested struct as a field decoder (Go decodes into the existing struct value). */
export function goStruct<S>(spec: StructSpec<S>, what: string): FieldDecoder<S> {
  return (node, prev) => decodeStruct(node, spec, what, prev);
}

/** Parses `body` and decodes it as the Go struct described by `spec`. */
export function decodeGoStruct<S>(body: Uint8Array | string, spec: StructSpec<S>, what: string): S {
  return decodeStruct(parseGoJson(body), spec, what);
}

// ---------------------------------------------------------------------------
// Encoding

/** Go's zero time.Time as JSON text content. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const HEX = '0123456789abcdef';

/** A JSON string literal exactly as Go writes it (HTML-safe escaping, U+2028/2029 escaped, \b \f short forms). */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x3c:
      case 0x3e:
      case 0x26:
        out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
        continue;
      case 0x2028:
        out += '\\u2028';
        continue;
      case 0x2029:
        out += '\\u2029';
        continue;
    }
    if (c < 0x20) out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
    else out += s[i];
  }
  return out + '"';
}

/** Go's string ordering (bytewise on UTF-8), used for map keys. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** time.Time.MarshalJSON for a Date (UTC, trailing fractional zeros trimmed). A string is taken as already formatted. */
export function goTimeText(t: Date | string): string {
  if (typeof t === 'string') {
    if (!RFC3339.test(t)) throw new Error('time must be RFC 3339');
    return t;
  }
  const ms = t.getTime();
  if (!Number.isFinite(ms)) throw new Error('invalid time');
  const iso = t.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (iso.length !== 24) throw new Error('year outside [0,9999]');
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return iso.slice(0, 19) + (frac === '' ? '' : '.' + frac) + 'Z';
}

type Emit = (w: GoJsonWriter) => void;
/** A struct field to write: [key, writer]; `undefined`/`false` entries are omitted (omitempty). */
export type GoField = readonly [string, Emit] | undefined | false;

/**
 * Appends Go-formatted JSON to an internal list of chunks. `finish()` returns
 * one Buffer with the exact bytes and zeroes the chunks.
 */
export class GoJsonWriter {
  private readonly chunks: Buffer[] = [];

  /** Writes ASCII JSON text as is (punctuation, numbers already formatted). */
  raw(text: string): this {
    this.chunks.push(Buffer.from(text, 'latin1'));
    return this;
  }

  string(s: string): this {
    this.chunks.push(Buffer.from(goQuote(s), 'utf8'));
    return this;
  }

  int(n: number): this {
    if (!Number.isSafeInteger(n)) throw new Error('integer out of range');
    return this.raw(String(n === 0 ? 0 : n));
  }

  bool(b: boolean): this {
    return this.raw(b ? 'true' : 'false');
  }

  null(): this {
    return this.raw('null');
  }

  /** `[32]byte` / `*[32]byte`: an array of 32 numbers, or null. Digits are written straight into a Buffer. */
  bytes32(v: Uint8Array | null): this {
    if (v === null) return this.null();
    if (v.length !== 32) throw new Error('expected 32 bytes');
    const buf = Buffer.alloc(2 + 32 * 4);
    let p = 0;
    buf[p++] = 0x5b; // [
    for (let i = 0; i < 32; i++) {
      if (i > 0) buf[p++] = 0x2c; // ,
      const b = v[i] as number;
      if (b >= 100) buf[p++] = 0x30 + Math.floor(b / 100);
      if (b >= 10) buf[p++] = 0x30 + (Math.floor(b / 10) % 10);
      buf[p++] = 0x30 + (b % 10);
    }
    buf[p++] = 0x5d; // ]
    this.chunks.push(buf.subarray(0, p));
    return this;
  }

  /** `[]byte`: standard base64 with padding, or null. */
  base64(v: Uint8Array | null): this {
    if (v === null) return this.null();
    const b64 = Buffer.from(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'), 'latin1');
    this.chunks.push(Buffer.concat([Buffer.from('"'), b64, Buffer.from('"')]));
    b64.fill(0);
    return this;
  }

  time(t: Date | string): this {
    return this.raw('"' + goTimeText(t) + '"');
  }

  /** A struct: fields in the given (declaration) order, omitted ones skipped. */
  object(fields: readonly GoField[]): this {
    this.raw('{');
    let first = true;
    for (const f of fields) {
      if (!f) continue;
      if (!first) this.raw(',');
      first = false;
      this.string(f[0]).raw(':');
      f[1](this);
    }
    return this.raw('}');
  }

  /** `map[string]V`: keys sorted bytewise; null → `null`. */
  stringKeyMap<V>(m: Readonly<Record<string, V>> | ReadonlyMap<string, V> | null, value: (w: GoJsonWriter, v: V) => void): this {
    if (m === null) return this.null();
    const entries: [string, V][] = m instanceof Map ? [...m.entries()] : Object.entries(m as Record<string, V>);
    entries.sort((a, b) => compareGoStrings(a[0], b[0]));
    this.raw('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) this.raw(',');
      this.string(k).raw(':');
      value(this, v);
    });
    return this.raw('}');
  }

  /** `map[int]V`: decimal keys, sorted as strings ("1","10","2"); null → `null`. */
  intKeyMap<V>(entries: Iterable<readonly [number, V]> | null, value: (w: GoJsonWriter, v: V) => void): this {
    if (entries === null) return this.null();
    const list: [string, V][] = [];
    for (const [k, v] of entries) {
      if (!Number.isSafeInteger(k)) throw new Error('map key out of range');
      list.push([String(k), v]);
    }
    list.sort((a, b) => compareGoStrings(a[0], b[0]));
    this.raw('{');
    list.forEach(([k, v], i) => {
      if (i > 0) this.raw(',');
      this.raw('"' + k + '":');
      value(this, v);
    });
    return this.raw('}');
  }

  /** A slice: null → `null`, [] → `[]`. */
  array<V>(items: readonly V[] | null, value: (w: GoJsonWriter, v: V) => void): this {
    if (items === null) return this.null();
    this.raw('[');
    items.forEach((v, i) => {
      if (i > 0) this.raw(',');
      value(this, v);
    });
    return this.raw(']');
  }

  /** The encoded bytes; the intermediate chunks are zeroed. */
  finish(): Buffer {
    const out = Buffer.concat(this.chunks);
    for (const c of this.chunks) c.fill(0);
    this.chunks.length = 0;
    return out;
  }
}

/** Runs `build` on a fresh writer and returns the bytes. */
export function goEncode(build: (w: GoJsonWriter) => void): Buffer {
  const w = new GoJsonWriter();
  build(w);
  return w.finish();
}
