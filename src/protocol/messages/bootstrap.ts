// Bootstrap verify: Bootstrap proves Nexus holds the root key (an
// encrypted nonce in, its hash out).
import { goBase64Bytes, goString } from '../../gocompat/json/decode.js';
import { field } from '../../gocompat/json/struct.js';
import { type Codec, codec, errField, errSpec, type ResponseCodec, responseCodec } from './codec.js';

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
