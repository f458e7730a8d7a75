// The Keeper's wire format, byte-compatible with upstream's Go structs
// (upstream-recovery.md §4.2, §4.5, §4.6): request decoding with Go
// encoding/json semantics (case-insensitive keys, last duplicate wins,
// `*[32]byte` as an array of integers 0..255, shorter zero-padded, longer
// truncated, null → absent) and the exact response bytes Go would write.
// Decoders throw WireError (→ 400); messages never include the input.

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Parses a request body the way Go's json.Unmarshal into a struct does: an object or null. */
export function parseRequestObject(body: Uint8Array): Record<string, unknown> | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw new WireError('request body is not JSON');
  }
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new WireError('request body is not a JSON object');
  return v as Record<string, unknown>;
}

/** The value of the last key matching `field` case-insensitively (Go's rule), or undefined. */
export function goField(obj: Record<string, unknown> | null, field: string): unknown {
  if (obj === null) return undefined;
  const want = field.toLowerCase();
  let found: unknown = undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (k.toLowerCase() === want) found = v;
  }
  return found;
}

/** Go `*[32]byte`: null/absent → undefined; otherwise 32 bytes (zero it after use). */
export function decodeShard32(v: unknown): Buffer | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new WireError('shard must be an array of bytes');
  const out = Buffer.alloc(32);
  v.forEach((x: unknown, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      out.fill(0);
      throw new WireError('shard elements must be integers 0..255');
    }
    if (i < 32) out[i] = x;
  });
  return out;
}

/** `ShardPutRequest` (`POST /v1/store/contribute`): the shard, or undefined when null/missing. */
export function decodeShardPutRequest(body: Uint8Array): Buffer | undefined {
  return decodeShard32(goField(parseRequestObject(body), 'shard'));
}

/** `ShardGetRequest` (`POST /v1/store/shard`): an empty struct; any object or null. */
export function decodeShardGetRequest(body: Uint8Array): void {
  parseRequestObject(body);
}

/** `{"err":"<code>"}` (Fallback, `ShardPutResponse` errors) or `{}` with no code. */
export function encodeErrEnvelope(code: string | undefined): Buffer {
  return Buffer.from(code ? `{"err":${JSON.stringify(code)}}` : '{}');
}

/**
 * `ShardGetResponse`: `{"shard":[…]|null,"Err":"<code>"}` (the `Err` key has no
 * JSON tag upstream). Built straight into a Buffer so that the shard never
 * becomes an (unzeroable) string; zero the result after sending.
 */
export function encodeShardGetResponse(shard: Uint8Array | undefined, code: string): Buffer {
  const tail = Buffer.from(`,"Err":${JSON.stringify(code)}}`);
  if (shard === undefined) return Buffer.concat([Buffer.from('{"shard":null'), tail]);
  const head = Buffer.from('{"shard":[');
  const out = Buffer.alloc(head.length + shard.length * 4 + 1 + tail.length);
  let pos = head.copy(out, 0);
  shard.forEach((b, i) => {
    if (i > 0) out[pos++] = 0x2c; // ','
    if (b >= 100) out[pos++] = 0x30 + Math.floor(b / 100);
    if (b >= 10) out[pos++] = 0x30 + (Math.floor(b / 10) % 10);
    out[pos++] = 0x30 + (b % 10);
  });
  out[pos++] = 0x5d; // ']'
  pos += tail.copy(out, pos);
  const result = Buffer.from(out.subarray(0, pos));
  out.fill(0);
  return result;
}
