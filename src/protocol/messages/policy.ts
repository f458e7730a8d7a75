// Policy routes: put, get, delete and list.
import { type FieldDecoder, goSlice, goString, goStringSlice, goTime } from '../../gocompat/json/decode.js';
import type { GoField, GoJsonWriter } from '../../gocompat/json/encode.js';
import { field, goStruct, type StructSpec } from '../../gocompat/json/struct.js';
import { GO_ZERO_TIME_TEXT as GO_ZERO_TIME } from '../../gocompat/time.js';
import { type Codec, codec, errField, errOnly, errSpec, type GoTimeValue, type ResponseCodec, responseCodec, str } from './codec.js';

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
