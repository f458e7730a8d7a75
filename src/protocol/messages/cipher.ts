// Cipher routes in JSON mode: encrypt and decrypt.
import { goBase64Bytes, goString, goUint8 } from '../../gocompat/json/decode.js';
import { field } from '../../gocompat/json/struct.js';
import { type Codec, codec, errField, errSpec, type ResponseCodec, responseCodec } from './codec.js';

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
