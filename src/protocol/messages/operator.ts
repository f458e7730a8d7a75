// Operator routes: recover (shards out to `spike operator recover`),
// restore (one shard in) and spike-ts's restore status.
import { goBool, goBytes32, goInt, goIntKeyBytes32Map, goIntSlice } from '../../gocompat/json/decode.js';
import { field } from '../../gocompat/json/struct.js';
import { bytes32, type Codec, codec, errField, errSpec, int, type ResponseCodec, responseCodec } from './codec.js';

// Recover

/** reqres.RecoverRequest (no fields; `{}` or `null`). */
export type RecoverRequest = Record<string, never>;
export const recoverRequest: Codec<RecoverRequest> = codec<RecoverRequest>('recover request', {}, (w) => w.raw('{}'));

/** reqres.RecoverResponse: `shards` map[int]*[32]byte, `err` omitempty. */
export interface RecoverResponse {
  shards: Map<number, Uint8Array | null> | null;
  err: string;
}
export const recoverResponse: ResponseCodec<RecoverResponse> = responseCodec<RecoverResponse>(
  'recover response',
  { shards: field('shards', goIntKeyBytes32Map, () => null), err: errSpec },
  (w, v) => w.object([['shards', (x) => x.intKeyMap(v.shards, bytes32)], errField(v.err)]),
);

/** Success body of recover: `{"shards":{"1":[…],"2":[…],…}}`, keys sorted as strings. */
export function encodeRecoverResponse(
  shards: ReadonlyMap<number, Uint8Array | null> | readonly { readonly id: number; readonly value: Uint8Array }[],
): Buffer {
  const entries: [number, Uint8Array | null][] =
    shards instanceof Map ? [...shards.entries()] : (shards as readonly { id: number; value: Uint8Array }[]).map((s) => [s.id, s.value]);
  return recoverResponse.encode({ shards: new Map(entries), err: '' });
}

export function decodeRecoverResponse(raw: unknown): RecoverResponse {
  return recoverResponse.decode(raw);
}


// Restore

/** reqres.RestoreRequest `{"id":int,"shard":[32 numbers]}`. `shard` is null when null/absent. */
export interface RestoreRequest {
  id: number;
  shard: Uint8Array | null;
}
export const restoreRequest: Codec<RestoreRequest> = codec<RestoreRequest>(
  'restore request',
  { id: field('id', goInt, () => 0), shard: field('shard', goBytes32, () => null) },
  (w, v) =>
    w.object([
      ['id', (x) => x.int(v.id)],
      ['shard', (x) => x.bytes32(v.shard)],
    ]),
);

export function decodeRestoreRequest(raw: unknown): RestoreRequest {
  return restoreRequest.decode(raw);
}

export function encodeRestoreRequest(id: number, shard: Uint8Array): Buffer {
  return restoreRequest.encode({ id, shard });
}

/** reqres.RestoreResponse: the embedded RestorationStatus is flattened. */
export interface RestoreResponse {
  collected: number;
  remaining: number;
  restored: boolean;
  err: string;
}
export const restoreResponse: ResponseCodec<RestoreResponse> = responseCodec<RestoreResponse>(
  'restore response',
  {
    collected: field('collected', goInt, () => 0),
    remaining: field('remaining', goInt, () => 0),
    restored: field('restored', goBool, () => false),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      ['collected', (x) => x.int(v.collected)],
      ['remaining', (x) => x.int(v.remaining)],
      ['restored', (x) => x.bool(v.restored)],
      errField(v.err),
    ]),
);

export function decodeRestoreResponse(raw: unknown): RestoreResponse {
  return restoreResponse.decode(raw);
}

/**
 * spike-ts only: the answer of `/v1/operator/status` (restore progress, never
 * values). `ids` are the shard ids collected so far, ascending.
 */
export interface StatusResponse {
  ready: boolean;
  collected: number;
  remaining: number;
  threshold: number;
  ids: number[] | null;
  err: string;
}
export const statusResponse: ResponseCodec<StatusResponse> = responseCodec<StatusResponse>(
  'status response',
  {
    ready: field('ready', goBool, () => false),
    collected: field('collected', goInt, () => 0),
    remaining: field('remaining', goInt, () => 0),
    threshold: field('threshold', goInt, () => 0),
    ids: field('ids', goIntSlice, () => null),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      ['ready', (x) => x.bool(v.ready)],
      ['collected', (x) => x.int(v.collected)],
      ['remaining', (x) => x.int(v.remaining)],
      ['threshold', (x) => x.int(v.threshold)],
      ['ids', (x) => x.array(v.ids, int)],
      errField(v.err),
    ]),
);
