// Keeper routes: contribute (ShardPut, Nexus → Keeper) and shard (ShardGet,
// Keeper → Nexus).
import { goBytes32, goString } from '../../gocompat/json/decode.js';
import { field } from '../../gocompat/json/struct.js';
import { type Codec, codec, errField, errSpec, type ResponseCodec, responseCodec } from './codec.js';

export interface ShardPutRequest {
  shard: Uint8Array | null;
}
export const shardPutRequest: Codec<ShardPutRequest> = codec<ShardPutRequest>(
  'contribute request',
  { shard: field('shard', goBytes32, () => null) },
  (w, v) => w.object([['shard', (x) => x.bytes32(v.shard)]]),
);
export const decodeContributeRequest = (raw: unknown): ShardPutRequest => shardPutRequest.decode(raw);
export const encodeContributeRequest = (shard: Uint8Array): Buffer => shardPutRequest.encode({ shard });

export interface ShardPutResponse {
  err: string;
}
export const shardPutResponse: ResponseCodec<ShardPutResponse> = responseCodec<ShardPutResponse>(
  'contribute response',
  { err: errSpec },
  (w, v) => w.object([errField(v.err)]),
);
/** `{}` */
export const encodeContributeResponse = (): Buffer => shardPutResponse.encode({ err: '' });
export const decodeContributeResponse = (raw: unknown): ShardPutResponse => shardPutResponse.decode(raw);

export type ShardGetRequest = Record<string, never>;
export const shardGetRequest: Codec<ShardGetRequest> = codec<ShardGetRequest>('shard request', {}, (w) => w.raw('{}'));

/** reqres.ShardGetResponse: `Err` has no JSON tag, so the key is `"Err"` and always present. */
export interface ShardGetResponse {
  shard: Uint8Array | null;
  err: string;
}
export const shardGetResponse: ResponseCodec<ShardGetResponse> = responseCodec<ShardGetResponse>(
  'shard response',
  { shard: field('shard', goBytes32, () => null), err: field('Err', goString, () => '') },
  (w, v) =>
    w.object([
      ['shard', (x) => x.bytes32(v.shard)],
      ['Err', (x) => x.string(v.err)],
    ]),
);
/** `{"shard":[…],"Err":""}` */
export const encodeShardResponse = (shard: Uint8Array): Buffer => shardGetResponse.encode({ shard, err: '' });
export const decodeShardResponse = (raw: unknown): ShardGetResponse => shardGetResponse.decode(raw);
