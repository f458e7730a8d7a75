// The Keeper's wire format, byte-compatible with upstream's Go structs
// (upstream-recovery.md §4.2, §4.5, §4.6): request decoding with Go
// encoding/json semantics (case-insensitive keys, last duplicate wins,
// `*[32]byte` as an array of integers 0..255, shorter zero-padded, longer
// truncated, null → absent) and the exact response bytes Go would write.
// Decoding is src/protocol/gojson.ts; decoders throw WireError (= its
// DecodeError, → 400); messages never include the input.
import { decodeGoStruct, field, goBytes32 } from '../protocol/gojson.js';

export { DecodeError as WireError } from '../protocol/gojson.js';

const SHARD_PUT = { shard: field('shard', goBytes32, () => null) };

/** `ShardPutRequest` (`POST /v1/store/contribute`): the shard, or undefined when null/missing (zero it after use). */
export function decodeShardPutRequest(body: Uint8Array): Buffer | undefined {
  const { shard } = decodeGoStruct(body, SHARD_PUT, 'ShardPutRequest');
  if (shard === null) return undefined;
  const out = Buffer.from(shard);
  shard.fill(0);
  return out;
}

/** `ShardGetRequest` (`POST /v1/store/shard`): an empty struct; any object or null. */
export function decodeShardGetRequest(body: Uint8Array): void {
  decodeGoStruct(body, {}, 'ShardGetRequest');
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
