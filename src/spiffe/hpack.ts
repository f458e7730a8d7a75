// HPACK (RFC 7541) as far as the one-shot Workload API call (h2call.ts)
// needs it: decoding the server's header blocks — static and dynamic table,
// Huffman-coded strings — and encoding the request's few headers as literals
// without indexing (never Huffman, never the dynamic table, so the server's
// SETTINGS_HEADER_TABLE_SIZE never matters to us). Malformed input throws
// HpackError: the connection is then unusable (a COMPRESSION_ERROR).

export class HpackError extends Error {
  override readonly name = 'HpackError';
}

/** The static table (RFC 7541 Appendix A), index 1 first. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''], ['access-control-allow-origin', ''],
  ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''], ['content-disposition', ''],
  ['content-encoding', ''], ['content-language', ''], ['content-length', ''], ['content-location', ''], ['content-range', ''],
  ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''], ['expect', ''],
  ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/**
 * The bit lengths of the Huffman code of symbols 0–255 and EOS (256), RFC
 * 7541 Appendix B, one letter each ('a' = 5 bits … 'z' = 30 bits). The code
 * is canonical: ordered by length, then symbol, each code is the previous
 * one plus one (shifted left when the length grows), which is all a decoder
 * needs.
 */
const HUFFMAN_LENGTHS =
  'isxxxxxxxtzxxzxxxxxxxxzxxxxxxxxxbffhibdgffdgdbbbaaabbbbbbbcdkbhfibccccccccccccccccccccccdcdioijbkabababbbaccbbbabcbaabccccckgjixprpprrrsrssssststtrstssssqrsrsstrqprrssqsrrtqrssqqrqsrssprrrsrrsvvporsruvvvwwvtuoqvwwvwtqqvvxwwwptpqrqqsrruuttvsvwvvwwwwwxwwwwwvz';
const EOS = 256;

/** Canonical decoding tables: per length, the first code, how many codes, and where their symbols start in `symbols`. */
interface HuffmanTables {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly symbols: Uint16Array;
}

let huffman: HuffmanTables | undefined;

function huffmanTables(): HuffmanTables {
  if (huffman !== undefined) return huffman;
  const lengths = [...HUFFMAN_LENGTHS].map((c) => c.charCodeAt(0) - 97 + 5);
  const symbols = Uint16Array.from(lengths.keys()).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const first = new Int32Array(31);
  const count = new Int32Array(31);
  const offset = new Int32Array(31);
  let code = 0;
  let prevLen = lengths[symbols[0] as number] as number;
  for (let i = 0; i < symbols.length; i++) {
    const len = lengths[symbols[i] as number] as number;
    if (i > 0) code = (code + 1) * 2 ** (len - prevLen);
    if (count[len] === 0) {
      first[len] = code;
      offset[len] = i;
    }
    count[len] = (count[len] as number) + 1;
    prevLen = len;
  }
  huffman = { first, count, offset, symbols };
  return huffman;
}

/** Decodes a Huffman-coded string (RFC 7541 § 5.2): EOS inside, or padding that is not a short run of 1 bits, is an error. */
export function huffmanDecode(data: Uint8Array): Buffer {
  const t = huffmanTables();
  const out: number[] = [];
  let code = 0;
  let len = 0;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((byte >> bit) & 1);
      len++;
      const n = code - (t.first[len] as number);
      if ((t.count[len] as number) > 0 && n >= 0 && n < (t.count[len] as number)) {
        const sym = t.symbols[(t.offset[len] as number) + n] as number;
        if (sym === EOS) throw new HpackError('HPACK: EOS in a Huffman-coded string');
        out.push(sym);
        code = 0;
        len = 0;
      } else if (len >= 30) {
        throw new HpackError('HPACK: invalid Huffman code');
      }
    }
  }
  // What is left must be padding: fewer than 8 bits, all ones (the start of EOS).
  if (len > 7 || code !== 2 ** len - 1) throw new HpackError('HPACK: invalid Huffman padding');
  return Buffer.from(out);
}

/** Reads HPACK integers and strings from a header block. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new HpackError('HPACK: truncated header block');
    return this.buf[this.pos++] as number;
  }

  /** An integer with an N-bit prefix (RFC 7541 § 5.1), the prefix byte's other bits already consumed by the caller. */
  integer(first: number, prefixBits: number): number {
    const max = 2 ** prefixBits - 1;
    let value = first & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (value > 0x7fffffff) throw new HpackError('HPACK: integer too large');
      if ((b & 0x80) === 0) return value;
    }
  }

  /** A string literal (RFC 7541 § 5.2), as latin1 (as Node's HTTP/2 gives header values). */
  string(): string {
    const first = this.byte();
    const length = this.integer(first, 7);
    if (this.pos + length > this.buf.length) throw new HpackError('HPACK: truncated string');
    const raw = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return ((first & 0x80) !== 0 ? huffmanDecode(raw) : raw).toString('latin1');
  }
}

/** Header fields as decoded, in order. */
export type HeaderList = [name: string, value: string][];

/** The decoding side of one connection: its dynamic table lives as long as the connection. */
export class HpackDecoder {
  /** Newest entry first. */
  readonly #dynamic: [string, string][] = [];
  #size = 0;
  #maxSize: number;

  /** `maxTableSize`: our SETTINGS_HEADER_TABLE_SIZE (default 4096), the largest table the server may ask for. */
  constructor(readonly maxTableSize = 4096) {
    this.#maxSize = maxTableSize;
  }

  #entry(index: number): readonly [string, string] {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1] as readonly [string, string];
    const e = this.#dynamic[index - STATIC_TABLE.length - 1];
    if (index === 0 || e === undefined) throw new HpackError(`HPACK: no table entry ${index}`);
    return e;
  }

  #evict(limit: number): void {
    while (this.#size > limit) {
      const [n, v] = this.#dynamic.pop() as [string, string];
      this.#size -= n.length + v.length + 32;
    }
  }

  #add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    this.#evict(this.#maxSize - size);
    if (size > this.#maxSize) return; // larger than the table: it empties the table and is not added (RFC 7541 § 4.4)
    this.#dynamic.unshift([name, value]);
    this.#size += size;
  }

  /** Decodes one complete header block (the fragments of HEADERS and CONTINUATION frames joined). */
  decode(block: Buffer): HeaderList {
    const r = new Reader(block);
    const out: HeaderList = [];
    let fieldSeen = false;
    while (!r.done) {
      const b = r.byte();
      if ((b & 0x80) !== 0) {
        const [n, v] = this.#entry(r.integer(b, 7));
        out.push([n, v]);
        fieldSeen = true;
      } else if ((b & 0xc0) === 0x40) {
        const index = r.integer(b, 6);
        const name = index === 0 ? r.string() : (this.#entry(index)[0] as string);
        const value = r.string();
        this.#add(name, value);
        out.push([name, value]);
        fieldSeen = true;
      } else if ((b & 0xe0) === 0x20) {
        // A dynamic table size update: only at the start of a block, never above our setting (RFC 7541 § 4.2 and § 6.3).
        const size = r.integer(b, 5);
        if (fieldSeen || size > this.maxTableSize) throw new HpackError('HPACK: invalid dynamic table size update');
        this.#maxSize = size;
        this.#evict(size);
      } else {
        // Literal without indexing (0000) or never indexed (0001).
        const index = r.integer(b, 4);
        const name = index === 0 ? r.string() : (this.#entry(index)[0] as string);
        out.push([name, r.string()]);
        fieldSeen = true;
      }
    }
    return out;
  }
}

/** Appends an HPACK integer with an N-bit prefix whose upper bits are `flags`. */
function pushInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = 2 ** prefixBits - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

/** Encodes headers as literals without indexing, new names, raw (not Huffman) strings: names lower-case ASCII, values latin1. */
export function encodeLiteralHeaders(headers: readonly (readonly [string, string])[]): Buffer {
  const out: number[] = [];
  for (const [name, value] of headers) {
    out.push(0x00);
    for (const s of [name, value]) {
      const bytes = Buffer.from(s, 'latin1');
      pushInteger(out, bytes.length, 7, 0x00);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}
