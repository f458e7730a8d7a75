// A small, strict protobuf decoder for exactly one message type, the Workload
// API's X509SVIDResponse (the SPIFFE Workload API's workload.proto), so that the one-shot
// fetch (fetch.ts) needs neither grpc-js nor protobufjs. Wire format rules
// (protobuf encoding spec): varints of at most 10 bytes, lengths inside the
// buffer, field number ≥ 1, wire types 0/1/2/5 (groups are refused), a known
// field with the wrong wire type is refused, unknown fields are skipped,
// strings must be valid UTF-8, a repeated singular field keeps the last value
// and map entries repeat their key the same way (last wins).
//
// Bytes fields are views into `buf`, not copies: the caller zeroes `buf`
// once done, which also wipes the private keys.
import type { X509SvidMessage, X509SvidResponseMessage } from './proto.js';

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number; values past 2^53 lose precision (only lengths matter, and those are bounded). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 1) throw new ProtobufDecodeError('varint longer than 64 bits');
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** The bytes of a length-delimited field (a view). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw new ProtobufDecodeError('length-delimited field runs past its message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    try {
      return utf8.decode(this.bytes());
    } catch (e) {
      if (e instanceof ProtobufDecodeError) throw e;
      throw new ProtobufDecodeError('string field is not valid UTF-8');
    }
  }

  /** Field number and wire type of the next key. */
  key(): { field: number; wire: number } {
    const k = this.varint();
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (field < 1 || field > 0x1fffffff) throw new ProtobufDecodeError(`invalid field number ${field}`);
    return { field, wire };
  }

  skip(wire: number): void {
    switch (wire) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.advance(8);
        return;
      case LEN:
        this.bytes();
        return;
      case I32:
        this.advance(4);
        return;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufDecodeError('truncated fixed-size field');
    this.pos += n;
  }

  /** A reader over the content of a length-delimited field. */
  sub(): Reader {
    const b = this.bytes();
    return new Reader(this.buf, b.byteOffset - this.buf.byteOffset, b.byteOffset - this.buf.byteOffset + b.length);
  }
}

function expectWire(wire: number, want: number, what: string): void {
  if (wire !== want) throw new ProtobufDecodeError(`${what}: wire type ${wire}, expected ${want}`);
}

function decodeSvid(r: Reader): X509SvidMessage {
  const m: X509SvidMessage = {};
  while (!r.done) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        expectWire(wire, LEN, 'X509SVID.spiffe_id');
        m.spiffe_id = r.string();
        break;
      case 2:
        expectWire(wire, LEN, 'X509SVID.x509_svid');
        m.x509_svid = r.bytes();
        break;
      case 3:
        expectWire(wire, LEN, 'X509SVID.x509_svid_key');
        m.x509_svid_key = r.bytes();
        break;
      case 4:
        expectWire(wire, LEN, 'X509SVID.bundle');
        m.bundle = r.bytes();
        break;
      case 5:
        expectWire(wire, LEN, 'X509SVID.hint');
        m.hint = r.string();
        break;
      default:
        r.skip(wire);
    }
  }
  return m;
}

/** map<string, bytes> entry: key = 1, value = 2; a missing part is its default. */
function decodeMapEntry(r: Reader): [string, Uint8Array] {
  let key = '';
  let value: Uint8Array = new Uint8Array();
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) {
      expectWire(wire, LEN, 'federated_bundles key');
      key = r.string();
    } else if (field === 2) {
      expectWire(wire, LEN, 'federated_bundles value');
      value = r.bytes();
    } else {
      r.skip(wire);
    }
  }
  return [key, value];
}

/** Decodes one X509SVIDResponse. Throws ProtobufDecodeError (one line, no content echoed). */
export function decodeX509SvidResponse(buf: Uint8Array): X509SvidResponseMessage {
  const r = new Reader(buf, 0, buf.length);
  const svids: X509SvidMessage[] = [];
  const crl: Uint8Array[] = [];
  const federated: Record<string, Uint8Array> = {};
  while (!r.done) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        expectWire(wire, LEN, 'X509SVIDResponse.svids');
        svids.push(decodeSvid(r.sub()));
        break;
      case 2:
        expectWire(wire, LEN, 'X509SVIDResponse.crl');
        crl.push(r.bytes());
        break;
      case 3: {
        expectWire(wire, LEN, 'X509SVIDResponse.federated_bundles');
        const [k, v] = decodeMapEntry(r.sub());
        // Own property only: a key like "__proto__" must not reach the prototype.
        Object.defineProperty(federated, k, { value: v, enumerable: true, configurable: true, writable: true });
        break;
      }
      default:
        r.skip(wire);
    }
  }
  return { svids, crl, federated_bundles: federated };
}
