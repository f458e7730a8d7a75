// Small helpers to read upstream's Go-encoded answers (Go encoding/json
// semantics: keys match case-insensitively, the last duplicate wins) and to
// build request bodies holding secret bytes without going through strings.
// TODO(protocol): switch to src/protocol/gojson.ts + messages.ts once they land.
import { ClientError } from './errors.js';

export function parseObject(body: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ClientError('decode', `${what}: answer is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ClientError('decode', `${what}: answer is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Go's field lookup: the last key equal to `field` ignoring case. */
export function field(obj: Record<string, unknown>, name: string): unknown {
  const want = name.toLowerCase();
  let found: unknown = undefined;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === want) found = v;
  return found;
}

/** The `err` (or `Err`) code of an answer, if it is a JSON object with one. */
export function errCodeOf(body: Buffer): string | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const code = field(v as Record<string, unknown>, 'err');
    return typeof code === 'string' && code !== '' && code.length <= 128 ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Go `*[32]byte` from JSON: an array of integers 0..255 (shorter zero-padded, longer truncated); null → undefined. */
export function bytes32(v: unknown, what: string): Buffer | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ClientError('decode', `${what}: not a byte array`);
  const out = Buffer.alloc(32);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      out.fill(0);
      throw new ClientError('decode', `${what}: byte array holds a non-byte`);
    }
    if (i < 32) out[i] = x;
  }
  return out;
}

/** `[b0,b1,…]` written straight into a Buffer (no intermediate string). */
export function byteArrayJson(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + bytes.length * 4);
  let pos = 0;
  out[pos++] = 0x5b;
  bytes.forEach((b, i) => {
    if (i > 0) out[pos++] = 0x2c;
    if (b >= 100) out[pos++] = 0x30 + Math.floor(b / 100);
    if (b >= 10) out[pos++] = 0x30 + (Math.floor(b / 10) % 10);
    out[pos++] = 0x30 + (b % 10);
  });
  out[pos++] = 0x5d;
  const result = Buffer.from(out.subarray(0, pos));
  out.fill(0);
  return result;
}

/** Concatenates parts and zeroes the parts. */
export function joinZeroing(parts: Buffer[]): Buffer {
  const all = Buffer.concat(parts);
  for (const p of parts) p.fill(0);
  return all;
}
