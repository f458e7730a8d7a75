// The Keeper's wire format, from src/protocol/messages.ts (upstream's Go
// structs, upstream-recovery.md §4.2, §4.5, §4.6): Go encoding/json decoding
// and the exact response bytes Go would write. Decoders throw DecodeError
// (→ 400); messages never include the input.
import {
  decodeContributeRequest,
  encodeContributeResponse,
  encodeErrorOnly,
  encodeShardResponse,
  shardGetRequest,
  shardGetResponse,
  shardPutResponse,
} from '../protocol/messages.js';

/** `ShardPutRequest` (`POST /v1/store/contribute`): the shard, or undefined when null/missing (zero it after use). */
export function decodeShardPutRequest(body: Uint8Array): Buffer | undefined {
  const { shard } = decodeContributeRequest(body);
  if (shard === null) return undefined;
  const out = Buffer.from(shard);
  shard.fill(0);
  return out;
}

/** `ShardGetRequest` (`POST /v1/store/shard`): an empty struct; any object or null. */
export function decodeShardGetRequest(body: Uint8Array): void {
  shardGetRequest.decode(body);
}

/** Fallback body `{"err":"<code>"}`. */
export const encodeFallback = (code: string): Buffer => encodeErrorOnly(code);

/** `ShardPutResponse`: `{}` on success, `{"err":"<code>"}` otherwise. */
export const encodeContribute = (code?: string): Buffer => (code ? shardPutResponse.error(code) : encodeContributeResponse());

/** `ShardGetResponse`: `{"shard":[…],"Err":""}`, or `{"shard":null,"Err":"<code>"}` (the `Err` key has no JSON tag upstream). */
export const encodeShard = (shard: Uint8Array | undefined, code = ''): Buffer =>
  shard === undefined ? shardGetResponse.error(code) : encodeShardResponse(shard);
