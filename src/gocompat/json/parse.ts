// A JSON document parsed with Go's encoding/json acceptance rules into a tree
// that keeps what Go's decoding depends on and JSON.parse loses: every object
// key in order (duplicates included) and every number's literal text (`1.0`
// is not an int in Go, `1` is).
//
// Acceptance is Go's scanner: RFC 8259 syntax, insignificant whitespace only
// space/tab/CR/LF, no byte order mark, nothing after the value, at most 10000
// nested arrays/objects. Inside strings Go does not check UTF-8; it decodes
// each invalid byte, and each unpaired surrogate escape, as U+FFFD.
//
// The parser reads bytes and never turns the whole body into one string (a
// request body may carry a shard); integers 0..255 come from a shared table,
// so shard bytes leave no per-number strings behind either.
import { DecodeError } from './errors.js';
import { decodeGoUtf8 } from './utf8.js';

export type JsonNode =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly raw: string }
  /** `escaped`: the literal had a backslash escape (Go's time.Time decoder reads the raw bytes and refuses it). */
  | { readonly kind: 'string'; readonly value: string; readonly escaped: boolean }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] };

/** Go's scanner refuses more nested arrays/objects than this. */
export const MAX_DEPTH = 10000;

const NULL_NODE: JsonNode = Object.freeze({ kind: 'null' });
const TRUE_NODE: JsonNode = Object.freeze({ kind: 'bool', value: true });
const FALSE_NODE: JsonNode = Object.freeze({ kind: 'bool', value: false });
const SMALL_INTS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * Parses a JSON document as Go's json.Unmarshal would accept it. Throws
 * DecodeError for an empty body, a syntax error, trailing data or nesting
 * deeper than MAX_DEPTH.
 */
export function parseGoJson(body: Uint8Array | string): JsonNode {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Parser(bytes).document();
}

type Frame = { readonly items: JsonNode[] } | { readonly entries: [string, JsonNode][]; key: string };

class Parser {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  private fail(what: string): never {
    if (this.pos >= this.b.length) throw new DecodeError(this.b.length === 0 ? 'empty body' : 'unexpected end of JSON input');
    throw new DecodeError(`malformed JSON: ${what} at byte ${this.pos}`);
  }

  private ws(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private expect(c: number, what: string): void {
    if (this.b[this.pos] !== c) this.fail(`expected ${what}`);
    this.pos++;
  }

  document(): JsonNode {
    this.ws();
    if (this.pos >= this.b.length) throw new DecodeError('empty body');
    const stack: Frame[] = [];
    let value: JsonNode;
    for (;;) {
      // One value at pos: a scalar, an empty container, or the start of a container (pushed).
      const c = this.b[this.pos];
      if (c === 0x7b || c === 0x5b) {
        if (stack.length >= MAX_DEPTH) this.fail('nesting deeper than 10000');
        this.pos++;
        this.ws();
        if (c === 0x7b) {
          if (this.b[this.pos] === 0x7d) {
            this.pos++;
            value = { kind: 'object', entries: [] };
          } else {
            stack.push({ entries: [], key: this.key() });
            continue;
          }
        } else if (this.b[this.pos] === 0x5d) {
          this.pos++;
          value = { kind: 'array', items: [] };
        } else {
          stack.push({ items: [] });
          continue;
        }
      } else {
        value = this.scalar();
      }
      // Attach the value to its container; close containers that end here.
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) {
          this.ws();
          if (this.pos !== this.b.length) this.fail('data after the JSON value');
          return value;
        }
        this.ws();
        const sep = this.b[this.pos++];
        if ('items' in top) {
          top.items.push(value);
          if (sep === 0x2c) break;
          if (sep !== 0x5d) this.fail("expected ',' or ']'");
          value = { kind: 'array', items: top.items };
        } else {
          top.entries.push([top.key, value]);
          if (sep === 0x2c) {
            this.ws();
            top.key = this.key();
            break;
          }
          if (sep !== 0x7d) this.fail("expected ',' or '}'");
          value = { kind: 'object', entries: top.entries };
        }
        stack.pop();
      }
      this.ws();
    }
  }

  /** `"key"` then `:`; leaves pos at the value. */
  private key(): string {
    if (this.b[this.pos] !== 0x22) this.fail('expected a string key');
    const k = this.string().value;
    this.ws();
    this.expect(0x3a, "':'");
    this.ws();
    return k;
  }

  private scalar(): JsonNode {
    const c = this.b[this.pos];
    if (c === 0x22) return this.string();
    if (c === 0x74) return this.literal('true', TRUE_NODE);
    if (c === 0x66) return this.literal('false', FALSE_NODE);
    if (c === 0x6e) return this.literal('null', NULL_NODE);
    return this.number();
  }

  private literal(word: string, node: JsonNode): JsonNode {
    for (let i = 0; i < word.length; i++) {
      if (this.b[this.pos] !== word.charCodeAt(i)) this.fail('invalid literal');
      this.pos++;
    }
    return node;
  }

  private digits(): number {
    const start = this.pos;
    while (this.pos < this.b.length && isDigit(this.b[this.pos] as number)) this.pos++;
    return this.pos - start;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private number(): JsonNode {
    const b = this.b;
    const start = this.pos;
    if (b[this.pos] === 0x2d) this.pos++;
    const first = b[this.pos];
    if (first === 0x30) this.pos++;
    else if (first !== undefined && first >= 0x31 && first <= 0x39) this.digits();
    else this.fail('invalid character looking for a value');
    let integer = true;
    if (b[this.pos] === 0x2e) {
      integer = false;
      this.pos++;
      if (this.digits() === 0) this.fail('invalid number');
    }
    if (b[this.pos] === 0x65 || b[this.pos] === 0x45) {
      integer = false;
      this.pos++;
      if (b[this.pos] === 0x2b || b[this.pos] === 0x2d) this.pos++;
      if (this.digits() === 0) this.fail('invalid number');
    }
    const len = this.pos - start;
    if (integer && len <= 3 && b[start] !== 0x2d) {
      let n = 0;
      for (let i = start; i < this.pos; i++) n = n * 10 + ((b[i] as number) - 0x30);
      if (n <= 255) return { kind: 'number', raw: SMALL_INTS[n] as string };
    }
    return { kind: 'number', raw: Buffer.from(b.buffer, b.byteOffset + start, len).toString('latin1') };
  }

  /** A string literal at pos (the opening quote). */
  private string(): { kind: 'string'; value: string; escaped: boolean } {
    const b = this.b;
    this.pos++;
    const start = this.pos;
    let escaped = false;
    let ascii = true;
    for (;;) {
      const c = b[this.pos];
      if (c === undefined) this.fail('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        escaped = true;
        const e = b[this.pos + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (!isHex(b[this.pos + i])) this.fail('invalid \\u escape');
          this.pos += 6;
        } else if (e !== undefined && ESCAPES.has(e)) {
          this.pos += 2;
        } else {
          this.pos++;
          this.fail('invalid escape');
        }
        continue;
      }
      if (c >= 0x80) ascii = false;
      this.pos++;
    }
    const end = this.pos;
    this.pos++; // closing quote
    if (!escaped) {
      const value = ascii ? Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1') : decodeGoUtf8(b, start, end);
      return { kind: 'string', value, escaped };
    }
    return { kind: 'string', value: unescape(b, start, end), escaped };
  }
}

const ESCAPES = new Map<number, string>([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && (isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

function hex4(b: Uint8Array, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = b[i + k] as number;
    v = v * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return v;
}

/** `\uXXXX` at i, or -1 (Go's getu4). The scanner has already checked every escape's syntax. */
function u4At(b: Uint8Array, i: number, end: number): number {
  return i + 6 <= end && b[i] === 0x5c && b[i + 1] === 0x75 ? hex4(b, i + 2) : -1;
}

/** Go's unquote of an escaped literal (bytes between the quotes, syntax already checked). */
function unescape(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let run = start; // start of the current run of unescaped bytes
  let i = start;
  while (i < end) {
    if (b[i] !== 0x5c) {
      i++;
      continue;
    }
    out += decodeGoUtf8(b, run, i);
    const e = b[i + 1] as number;
    if (e !== 0x75) {
      out += ESCAPES.get(e) as string;
      i += 2;
    } else {
      const u = hex4(b, i + 2);
      i += 6;
      if (u >= 0xd800 && u <= 0xdfff) {
        // A high surrogate followed by a low one is a pair; anything else is U+FFFD.
        const lo = u4At(b, i, end);
        if (u <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
          out += String.fromCharCode(u, lo);
          i += 6;
        } else {
          out += '\ufffd';
        }
      } else {
        out += String.fromCharCode(u);
      }
    }
    run = i;
  }
  return out + decodeGoUtf8(b, run, end);
}
