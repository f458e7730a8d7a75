// Error bodies: the generic `{"err":"<code>"}` and, for guards that answer
// BadRequest()/Unauthorized()/… before a route runs, each route's response
// struct with zero fields and `err` set.
import { goEncode } from '../../gocompat/json/encode.js';
import type { KeeperRouteName, NexusRouteName } from '../paths.js';
import { bootstrapVerifyResponse } from './bootstrap.js';
import { cipherDecryptResponse, cipherEncryptResponse } from './cipher.js';
import type { ResponseCodec } from './codec.js';
import { shardGetResponse, shardPutResponse } from './keeper.js';
import { recoverResponse, restoreResponse, rotateResponse, statusResponse } from './operator.js';
import { policyDeleteResponse, policyGetResponse, policyListResponse, policyPutResponse } from './policy.js';
import {
  secretDeleteResponse,
  secretGetResponse,
  secretListResponse,
  secretMetadataResponse,
  secretPutResponse,
  secretUndeleteResponse,
} from './secret.js';

/** `{"err":"<code>"}` — Fallback (400 api_bad_request) and NotReady (503 state_not_ready) bodies. */
export function encodeErrorOnly(code: string): Buffer {
  return goEncode((w) => w.object([['err', (x) => x.string(code)]]));
}


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
  operatorRestoreReset: restoreResponse,
  operatorStatus: statusResponse,
  operatorRotate: rotateResponse,
  bootstrapVerify: bootstrapVerifyResponse,
  keeperContribute: shardPutResponse,
  keeperShard: shardGetResponse,
};

/** The route's response struct with zero fields and `err` = code, as Go marshals it. */
export function errorBodyFor(route: NexusRouteName | KeeperRouteName, code: string): Buffer {
  return RESPONSE_CODECS[route].error(code);
}
