// Secret routes: put, get, delete, undelete, list and metadata.
import {
  type FieldDecoder,
  goInt,
  goIntKeyMap,
  goIntSlice,
  goString,
  goStringMap,
  goStringSlice,
  goTime,
  goTimePtr,
  type StringMap,
} from '../../gocompat/json/decode.js';
import type { GoJsonWriter } from '../../gocompat/json/encode.js';
import { field, goStruct, type StructSpec } from '../../gocompat/json/struct.js';
import { GO_ZERO_TIME_TEXT as GO_ZERO_TIME } from '../../gocompat/time.js';
import { type Codec, codec, errField, errOnly, errSpec, type GoTimeValue, int, type ResponseCodec, responseCodec, str } from './codec.js';

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
