// The exact bytes of Go's json.Marshal, written piece by piece: compact,
// struct fields in declaration order (omitted ones skipped), map keys
// sorted as Go sorts them, strings with Go's HTML-safe escaping, [32]byte as
// an array of numbers, []byte as padded base64, time.Time as RFC 3339 with
// trimmed nanoseconds. Output is assembled in Buffers that are zeroed once
// the final Buffer is built, so shard bytes are not left behind in strings.
import { goQuote } from './quote.js';
import { compareGoStrings } from './sort.js';
import { formatTimeJson, type GoTimeLike, toGoTime } from '../time.js';

type Emit = (w: GoJsonWriter) => void;
/** A struct field to write: [key, writer]; `undefined`/`false` entries are omitted (omitempty). */
export type GoField = readonly [string, Emit] | undefined | false;

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

  /** An integer (Go int); only safe integers, -0 is written 0. */
  int(n: number): this {
    if (!Number.isSafeInteger(n)) throw new RangeError('integer out of range');
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
    if (v.length !== 32) throw new RangeError('expected 32 bytes');
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

  /** `time.Time` (MarshalJSON): throws for a year outside 0..9999, as Go's Marshal fails. */
  time(t: GoTimeLike): this {
    return this.raw(`"${formatTimeJson(toGoTime(t))}"`);
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

  /** `map[string]V`: keys sorted as Go sorts them; null → `null`. */
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
      if (!Number.isSafeInteger(k)) throw new RangeError('map key out of range');
      list.push([String(k === 0 ? 0 : k), v]);
    }
    list.sort((a, b) => compareGoStrings(a[0], b[0]));
    this.raw('{');
    list.forEach(([k, v], i) => {
      if (i > 0) this.raw(',');
      this.raw(`"${k}":`);
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

/** Runs `build` on a fresh writer and returns the bytes (json.Marshal). */
export function goEncode(build: (w: GoJsonWriter) => void): Buffer {
  const w = new GoJsonWriter();
  build(w);
  return w.finish();
}
