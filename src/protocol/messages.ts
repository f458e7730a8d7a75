// Request and response codecs for every SPIKE route, byte-compatible with
// upstream's Go structs (spike-sdk-go api/entity/v1/reqres;
// docs/design.md § Wire compatibility).
//
// Encoders return the exact bytes Go's json.Marshal writes: fields in
// declaration order, `err` omitted when empty (except Keeper's `Err`), error
// bodies carrying the type's zero fields (`{"data":null,"err":"api_not_found"}`).
// Decoders follow Go's json.Unmarshal (see gojson.ts) and throw DecodeError
// (→ 400) with messages that never include values. Pass decoders the raw body
// (Buffer/Uint8Array/string) for exact Go semantics; an already parsed JS
// value is accepted too, but then `1.0` and `1` cannot be told apart.
// Shard-carrying decoders return Uint8Arrays the caller must zero.
import {
  DecodeError,
  GO_ZERO_TIME,
  type GoField,
  GoJsonWriter,
  type JsonNode,
  type StringMap,
  type StructSpec,
  decodeStruct,
  field,
  goBase64Bytes,
  goBool,
  goBytes32,
  goEncode,
  goInt,
  goIntKeyBytes32Map,
  goIntKeyMap,
  goIntSlice,
  goSlice,
  goString,
  goStringMap,
  goStringSlice,
  goStruct,
  goTime,
  goTimePtr,
  parseGoJson,
  type FieldDecoder,
} from './gojson.js';
import type { KeeperRouteName, NexusRouteName } from './paths.js';

export { DecodeError } from './gojson.js';

/** A time as Go would marshal it: a Date, or an RFC 3339 string kept verbatim (decoders return strings). */
export type GoTimeValue = Date | string;

// ---------------------------------------------------------------------------
// Plumbing

/** Turns a raw body (or an already parsed JS value) into a JSON tree. */
export function toJsonNode(raw: unknown): JsonNode {
  if (raw instanceof Uint8Array || typeof raw === 'string') return parseGoJson(raw);
  if (raw === undefined) throw new DecodeError('empty body');
  return fromJsValue(raw, 0);
}

function fromJsValue(v: unknown, depth: number): JsonNode {
  if (depth > 512) throw new DecodeError('JSON nested too deeply');
  if (v === null) return { kind: 'null' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DecodeError('malformed JSON');
    return { kind: 'number', raw: Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v) };
  }
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => fromJsValue(x, depth + 1)) };
  if (typeof v === 'object') {
    return { kind: 'object', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJsValue(x, depth + 1)] as const) };
  }
  throw new DecodeError('malformed JSON');
}

/** Encoder, decoder and zero value of one Go struct. */
export interface Codec<T> {
  encode(v: T): Buffer;
  decode(raw: unknown): T;
  zero(): T;
}

/** A response codec: also builds the error bodies (`BadRequest()`, `Unauthorized()`, …): the zero value plus `err`. */
export interface ResponseCodec<T> extends Codec<T> {
  error(code: string): Buffer;
}

function codec<T>(what: string, spec: StructSpec<T>, write: (w: GoJsonWriter, v: T) => void): Codec<T> {
  const zero = (): T => {
    const out = {} as T;
    for (const k of Object.keys(spec) as (keyof T & string)[]) out[k] = spec[k].zero();
    return out;
  };
  return {
    encode: (v) => goEncode((w) => write(w, v)),
    decode: (raw) => decodeStruct(toJsonNode(raw), spec, what),
    zero,
  };
}

function responseCodec<T extends { err: string }>(
  what: string,
  spec: StructSpec<T>,
  write: (w: GoJsonWriter, v: T) => void,
): ResponseCodec<T> {
  const c = codec(what, spec, write);
  return { ...c, error: (code) => c.encode({ ...c.zero(), err: code }) };
}

/** `err,omitempty`. */
const errField = (err: string): GoField => err !== '' && ['err', (w) => w.string(err)];
const errSpec = field('err', goString, () => '');
const bytes32 = (w: GoJsonWriter, v: Uint8Array | null): void => {
  w.bytes32(v);
};
const str = (w: GoJsonWriter, v: string): void => {
  w.string(v);
};
const int = (w: GoJsonWriter, v: number): void => {
  w.int(v);
};

/** Go `byte` (uint8) as a number field. */
const goUint8: FieldDecoder<number> = (node, prev, name) => {
  const n = goInt(node, prev, name);
  if (n < 0 || n > 255) throw new DecodeError(`field ${JSON.stringify(name)} must be an integer 0..255`);
  return n;
};

// ---------------------------------------------------------------------------
// Generic bodies

/** `{"err":"<code>"}` — Fallback (400 api_bad_request) and NotReady (503 state_not_ready) bodies. */
export function encodeErrorOnly(code: string): Buffer {
  return goEncode((w) => w.object([['err', (x) => x.string(code)]]));
}

// ---------------------------------------------------------------------------
// Operator: recover

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

// ---------------------------------------------------------------------------
// Operator: restore

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

// ---------------------------------------------------------------------------
// Keeper: contribute (ShardPut) and shard (ShardGet)

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

// ---------------------------------------------------------------------------
// Bootstrap verify

export interface BootstrapVerifyRequest {
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
}
export const bootstrapVerifyRequest: Codec<BootstrapVerifyRequest> = codec<BootstrapVerifyRequest>(
  'verify request',
  { nonce: field('nonce', goBase64Bytes, () => null), ciphertext: field('ciphertext', goBase64Bytes, () => null) },
  (w, v) =>
    w.object([
      ['nonce', (x) => x.base64(v.nonce)],
      ['ciphertext', (x) => x.base64(v.ciphertext)],
    ]),
);
export const decodeBootstrapVerifyRequest = (raw: unknown): BootstrapVerifyRequest => bootstrapVerifyRequest.decode(raw);
export const encodeBootstrapVerifyRequest = (nonce: Uint8Array, ciphertext: Uint8Array): Buffer =>
  bootstrapVerifyRequest.encode({ nonce, ciphertext });

export interface BootstrapVerifyResponse {
  hash: string;
  err: string;
}
export const bootstrapVerifyResponse: ResponseCodec<BootstrapVerifyResponse> = responseCodec<BootstrapVerifyResponse>(
  'verify response',
  { hash: field('hash', goString, () => ''), err: errSpec },
  (w, v) => w.object([['hash', (x) => x.string(v.hash)], errField(v.err)]),
);
export const encodeBootstrapVerifyResponse = (hash: string): Buffer => bootstrapVerifyResponse.encode({ hash, err: '' });
export const decodeBootstrapVerifyResponse = (raw: unknown): BootstrapVerifyResponse => bootstrapVerifyResponse.decode(raw);

// ---------------------------------------------------------------------------
// Secrets

/** reqres.SecretPutRequest `{"path","values","err"(omitempty)}`. */
export interface SecretPutRequest {
  path: string;
  values: StringMap | null;
  err: string;
}
export const secretPutRequest: Codec<SecretPutRequest> = codec<SecretPutRequest>(
  'secret put request',
  { path: field('path', goString, () => ''), values: field('values', goStringMap, () => null), err: errSpec },
  (w, v) =>
    w.object([
      ['path', (x) => x.string(v.path)],
      ['values', (x) => x.stringKeyMap(v.values, str)],
      errField(v.err),
    ]),
);

/** reqres.SecretReadRequest / SecretMetadataRequest `{"path","version"(omitempty)}`. */
export interface SecretReadRequest {
  path: string;
  version: number;
}
const secretReadSpec: StructSpec<SecretReadRequest> = { path: field('path', goString, () => ''), version: field('version', goInt, () => 0) };
const writeSecretRead = (w: GoJsonWriter, v: SecretReadRequest): void => {
  w.object([['path', (x) => x.string(v.path)], v.version !== 0 && ['version', (x) => x.int(v.version)]]);
};
export const secretGetRequest: Codec<SecretReadRequest> = codec('secret get request', secretReadSpec, writeSecretRead);
export const secretMetadataRequest: Codec<SecretReadRequest> = codec('secret metadata request', secretReadSpec, writeSecretRead);

/** reqres.SecretDeleteRequest / SecretUndeleteRequest `{"path","versions"}` (null or [] = current). */
export interface SecretVersionsRequest {
  path: string;
  versions: number[] | null;
}
const secretVersionsSpec: StructSpec<SecretVersionsRequest> = {
  path: field('path', goString, () => ''),
  versions: field('versions', goIntSlice, () => null),
};
const writeSecretVersions = (w: GoJsonWriter, v: SecretVersionsRequest): void => {
  w.object([
    ['path', (x) => x.string(v.path)],
    ['versions', (x) => x.array(v.versions, int)],
  ]);
};
export const secretDeleteRequest: Codec<SecretVersionsRequest> = codec('secret delete request', secretVersionsSpec, writeSecretVersions);
export const secretUndeleteRequest: Codec<SecretVersionsRequest> = codec('secret undelete request', secretVersionsSpec, writeSecretVersions);

export type SecretListRequest = Record<string, never>;
export const secretListRequest: Codec<SecretListRequest> = codec<SecretListRequest>('secret list request', {}, (w) => w.raw('{}'));

/** Responses that carry only `err` (secret put/delete/undelete, policy delete): success is `{}`. */
export interface ErrOnlyResponse {
  err: string;
}
const errOnly = (what: string): ResponseCodec<ErrOnlyResponse> =>
  responseCodec<ErrOnlyResponse>(what, { err: errSpec }, (w, v) => w.object([errField(v.err)]));
export const secretPutResponse = errOnly('secret put response');
export const secretDeleteResponse = errOnly('secret delete response');
export const secretUndeleteResponse = errOnly('secret undelete response');

/** reqres.SecretReadResponse (embeds data.Secret): `{"data":{…}}`. */
export interface SecretReadResponse {
  data: StringMap | null;
  err: string;
}
export const secretGetResponse: ResponseCodec<SecretReadResponse> = responseCodec<SecretReadResponse>(
  'secret get response',
  { data: field('data', goStringMap, () => null), err: errSpec },
  (w, v) => w.object([['data', (x) => x.stringKeyMap(v.data, str)], errField(v.err)]),
);

/** reqres.SecretListResponse `{"keys":[…]}`. */
export interface SecretListResponse {
  keys: string[] | null;
  err: string;
}
export const secretListResponse: ResponseCodec<SecretListResponse> = responseCodec<SecretListResponse>(
  'secret list response',
  { keys: field('keys', goStringSlice, () => null), err: errSpec },
  (w, v) => w.object([['keys', (x) => x.array(v.keys, str)], errField(v.err)]),
);

/** data.SecretVersionInfo. */
export interface SecretVersionInfo {
  createdTime: GoTimeValue;
  version: number;
  deletedTime: GoTimeValue | null;
}
/** data.SecretMetaDataContent. */
export interface SecretMetadataContent {
  currentVersion: number;
  oldestVersion: number;
  createdTime: GoTimeValue;
  updatedTime: GoTimeValue;
  maxVersions: number;
}
/** reqres.SecretMetadataResponse (embeds data.SecretMetadata; `versions` omitempty). */
export interface SecretMetadataResponse {
  versions: Map<number, SecretVersionInfo> | null;
  metadata: SecretMetadataContent;
  err: string;
}
const versionInfoSpec: StructSpec<SecretVersionInfo> = {
  createdTime: field<GoTimeValue>('createdTime', goTime as FieldDecoder<GoTimeValue>, () => GO_ZERO_TIME),
  version: field('version', goInt, () => 0),
  deletedTime: field<GoTimeValue | null>('deletedTime', goTimePtr as FieldDecoder<GoTimeValue | null>, () => null),
};
const zeroVersionInfo = (): SecretVersionInfo => ({ createdTime: GO_ZERO_TIME, version: 0, deletedTime: null });
const metadataContentSpec: StructSpec<SecretMetadataContent> = {
  currentVersion: field('currentVersion', goInt, () => 0),
  oldestVersion: field('oldestVersion', goInt, () => 0),
  createdTime: field<GoTimeValue>('createdTime', goTime as FieldDecoder<GoTimeValue>, () => GO_ZERO_TIME),
  updatedTime: field<GoTimeValue>('updatedTime', goTime as FieldDecoder<GoTimeValue>, () => GO_ZERO_TIME),
  maxVersions: field('maxVersions', goInt, () => 0),
};
const zeroMetadataContent = (): SecretMetadataContent => ({
  currentVersion: 0,
  oldestVersion: 0,
  createdTime: GO_ZERO_TIME,
  updatedTime: GO_ZERO_TIME,
  maxVersions: 0,
});
function writeVersionInfo(w: GoJsonWriter, v: SecretVersionInfo): void {
  w.object([
    ['createdTime', (x) => x.time(v.createdTime)],
    ['version', (x) => x.int(v.version)],
    ['deletedTime', (x) => (v.deletedTime === null ? x.null() : x.time(v.deletedTime))],
  ]);
}
function writeMetadataContent(w: GoJsonWriter, v: SecretMetadataContent): void {
  w.object([
    ['currentVersion', (x) => x.int(v.currentVersion)],
    ['oldestVersion', (x) => x.int(v.oldestVersion)],
    ['createdTime', (x) => x.time(v.createdTime)],
    ['updatedTime', (x) => x.time(v.updatedTime)],
    ['maxVersions', (x) => x.int(v.maxVersions)],
  ]);
}
export const secretMetadataResponse: ResponseCodec<SecretMetadataResponse> = responseCodec<SecretMetadataResponse>(
  'secret metadata response',
  {
    versions: field('versions', goIntKeyMap(goStruct(versionInfoSpec, 'secret version'), zeroVersionInfo), () => null),
    metadata: field('metadata', goStruct(metadataContentSpec, 'secret metadata'), zeroMetadataContent),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      v.versions !== null && v.versions.size > 0 && ['versions', (x) => x.intKeyMap(v.versions, writeVersionInfo)],
      ['metadata', (x) => writeMetadataContent(x, v.metadata)],
      errField(v.err),
    ]),
);

// ---------------------------------------------------------------------------
// Policies

/** reqres.PolicyPutRequest (request key `spiffeidPattern`). */
export interface PolicyPutRequest {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[] | null;
}
export const policyPutRequest: Codec<PolicyPutRequest> = codec<PolicyPutRequest>(
  'policy put request',
  {
    name: field('name', goString, () => ''),
    spiffeidPattern: field('spiffeidPattern', goString, () => ''),
    pathPattern: field('pathPattern', goString, () => ''),
    permissions: field('permissions', goStringSlice, () => null),
  },
  (w, v) =>
    w.object([
      ['name', (x) => x.string(v.name)],
      ['spiffeidPattern', (x) => x.string(v.spiffeidPattern)],
      ['pathPattern', (x) => x.string(v.pathPattern)],
      ['permissions', (x) => x.array(v.permissions, str)],
    ]),
);

/** reqres.PolicyPutResponse `{"id"(omitempty),"err"(omitempty)}`: success is `{}`. */
export interface PolicyPutResponse {
  id: string;
  err: string;
}
export const policyPutResponse: ResponseCodec<PolicyPutResponse> = responseCodec<PolicyPutResponse>(
  'policy put response',
  { id: field('id', goString, () => ''), err: errSpec },
  (w, v) => w.object([v.id !== '' && ['id', (x) => x.string(v.id)], errField(v.err)]),
);

/** reqres.PolicyReadRequest / PolicyDeleteRequest `{"id":"<policy name>"}`. */
export interface PolicyIdRequest {
  id: string;
}
const policyIdSpec: StructSpec<PolicyIdRequest> = { id: field('id', goString, () => '') };
const writePolicyId = (w: GoJsonWriter, v: PolicyIdRequest): void => {
  w.object([['id', (x) => x.string(v.id)]]);
};
export const policyGetRequest: Codec<PolicyIdRequest> = codec('policy get request', policyIdSpec, writePolicyId);
export const policyDeleteRequest: Codec<PolicyIdRequest> = codec('policy delete request', policyIdSpec, writePolicyId);

/** data.Policy as upstream v0.19.9 marshals it (response key `spiffiedPattern`, sic). */
export interface Policy {
  id: string;
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[] | null;
  createdAt: GoTimeValue;
  updatedAt: GoTimeValue;
}
const policySpec: StructSpec<Policy> = {
  id: field('id', goString, () => ''),
  name: field('name', goString, () => ''),
  spiffeidPattern: field('spiffiedPattern', goString, () => ''),
  pathPattern: field('pathPattern', goString, () => ''),
  permissions: field('permissions', goStringSlice, () => null),
  createdAt: field<GoTimeValue>('createdAt', goTime as FieldDecoder<GoTimeValue>, () => GO_ZERO_TIME),
  updatedAt: field<GoTimeValue>('updatedAt', goTime as FieldDecoder<GoTimeValue>, () => GO_ZERO_TIME),
};
const zeroPolicy = (): Policy => ({
  id: '',
  name: '',
  spiffeidPattern: '',
  pathPattern: '',
  permissions: null,
  createdAt: GO_ZERO_TIME,
  updatedAt: GO_ZERO_TIME,
});
function policyFields(v: Policy): GoField[] {
  return [
    ['id', (x) => x.string(v.id)],
    ['name', (x) => x.string(v.name)],
    ['spiffiedPattern', (x) => x.string(v.spiffeidPattern)],
    ['pathPattern', (x) => x.string(v.pathPattern)],
    ['permissions', (x) => x.array(v.permissions, str)],
    ['createdAt', (x) => x.time(v.createdAt)],
    ['updatedAt', (x) => x.time(v.updatedAt)],
  ];
}

/** reqres.PolicyReadResponse (embeds data.Policy). */
export type PolicyReadResponse = Policy & { err: string };
export const policyGetResponse: ResponseCodec<PolicyReadResponse> = responseCodec<PolicyReadResponse>(
  'policy get response',
  { ...policySpec, err: errSpec },
  (w, v) => w.object([...policyFields(v), errField(v.err)]),
);

export const policyDeleteResponse = errOnly('policy delete response');

/** reqres.PolicyListRequest `{"spiffeidPattern","pathPattern"}`. */
export interface PolicyListRequest {
  spiffeidPattern: string;
  pathPattern: string;
}
export const policyListRequest: Codec<PolicyListRequest> = codec<PolicyListRequest>(
  'policy list request',
  { spiffeidPattern: field('spiffeidPattern', goString, () => ''), pathPattern: field('pathPattern', goString, () => '') },
  (w, v) =>
    w.object([
      ['spiffeidPattern', (x) => x.string(v.spiffeidPattern)],
      ['pathPattern', (x) => x.string(v.pathPattern)],
    ]),
);

/** reqres.PolicyListResponse `{"policies":[…]}`. */
export interface PolicyListResponse {
  policies: Policy[] | null;
  err: string;
}
export const policyListResponse: ResponseCodec<PolicyListResponse> = responseCodec<PolicyListResponse>(
  'policy list response',
  { policies: field('policies', goSlice(goStruct(policySpec, 'policy'), zeroPolicy), () => null), err: errSpec },
  (w, v) =>
    w.object([['policies', (x) => x.array(v.policies, (y, p) => y.object(policyFields(p)))], errField(v.err)]),
);

// ---------------------------------------------------------------------------
// Cipher (JSON mode)

export interface CipherEncryptRequest {
  plaintext: Uint8Array | null;
  algorithm: string;
}
export const cipherEncryptRequest: Codec<CipherEncryptRequest> = codec<CipherEncryptRequest>(
  'encrypt request',
  { plaintext: field('plaintext', goBase64Bytes, () => null), algorithm: field('algorithm', goString, () => '') },
  (w, v) =>
    w.object([['plaintext', (x) => x.base64(v.plaintext)], v.algorithm !== '' && ['algorithm', (x) => x.string(v.algorithm)]]),
);

export interface CipherEncryptResponse {
  version: number;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  err: string;
}
export const cipherEncryptResponse: ResponseCodec<CipherEncryptResponse> = responseCodec<CipherEncryptResponse>(
  'encrypt response',
  {
    version: field('version', goUint8, () => 0),
    nonce: field('nonce', goBase64Bytes, () => null),
    ciphertext: field('ciphertext', goBase64Bytes, () => null),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      ['version', (x) => x.int(v.version)],
      ['nonce', (x) => x.base64(v.nonce)],
      ['ciphertext', (x) => x.base64(v.ciphertext)],
      errField(v.err),
    ]),
);

export interface CipherDecryptRequest {
  version: number;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  algorithm: string;
}
export const cipherDecryptRequest: Codec<CipherDecryptRequest> = codec<CipherDecryptRequest>(
  'decrypt request',
  {
    version: field('version', goUint8, () => 0),
    nonce: field('nonce', goBase64Bytes, () => null),
    ciphertext: field('ciphertext', goBase64Bytes, () => null),
    algorithm: field('algorithm', goString, () => ''),
  },
  (w, v) =>
    w.object([
      ['version', (x) => x.int(v.version)],
      ['nonce', (x) => x.base64(v.nonce)],
      ['ciphertext', (x) => x.base64(v.ciphertext)],
      v.algorithm !== '' && ['algorithm', (x) => x.string(v.algorithm)],
    ]),
);

export interface CipherDecryptResponse {
  plaintext: Uint8Array | null;
  err: string;
}
export const cipherDecryptResponse: ResponseCodec<CipherDecryptResponse> = responseCodec<CipherDecryptResponse>(
  'decrypt response',
  { plaintext: field('plaintext', goBase64Bytes, () => null), err: errSpec },
  (w, v) => w.object([['plaintext', (x) => x.base64(v.plaintext)], errField(v.err)]),
);

// ---------------------------------------------------------------------------
// Per-route response codecs, for guards that answer BadRequest()/Unauthorized()/…

/** The response codec of each route; `errorBodyFor(route, code)` gives its error body. */
export const RESPONSE_CODECS: { readonly [K in NexusRouteName | KeeperRouteName]: Pick<ResponseCodec<unknown>, 'error'> } = {
  secretPut: secretPutResponse,
  secretGet: secretGetResponse,
  secretDelete: secretDeleteResponse,
  secretUndelete: secretUndeleteResponse,
  secretList: secretListResponse,
  secretMetadataGet: secretMetadataResponse,
  policyPut: policyPutResponse,
  policyGet: policyGetResponse,
  policyDelete: policyDeleteResponse,
  policyList: policyListResponse,
  cipherEncrypt: cipherEncryptResponse,
  cipherDecrypt: cipherDecryptResponse,
  operatorRecover: recoverResponse,
  operatorRestore: restoreResponse,
  operatorStatus: statusResponse,
  bootstrapVerify: bootstrapVerifyResponse,
  keeperContribute: shardPutResponse,
  keeperShard: shardGetResponse,
};

/** The route's response struct with zero fields and `err` = code, as Go marshals it. */
export function errorBodyFor(route: NexusRouteName | KeeperRouteName, code: string): Buffer {
  return RESPONSE_CODECS[route].error(code);
}
