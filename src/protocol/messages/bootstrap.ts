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

// The verification probe's shape, as upstream Bootstrap builds it
// (app/bootstrap/internal/net/broadcast.go, VerifyInitialization): the
// plaintext is hex.EncodeToString of 32 random bytes, i.e. 64 lower-case hex
// characters, sealed with AES-256-GCM (12-byte nonce, 16-byte tag appended,
// no AAD). Nexus answers only ciphertexts of exactly this shape
// (docs/design.md § Bootstrap).
export const VERIFY_PROBE_RANDOM_BYTES = 32;
export const VERIFY_PROBE_PLAINTEXT_LENGTH = 2 * VERIFY_PROBE_RANDOM_BYTES;
export const VERIFY_PROBE_NONCE_LENGTH = 12;
export const VERIFY_PROBE_TAG_LENGTH = 16;
export const VERIFY_PROBE_CIPHERTEXT_LENGTH = VERIFY_PROBE_PLAINTEXT_LENGTH + VERIFY_PROBE_TAG_LENGTH;

/** True when `plain` is a probe plaintext: exactly 64 bytes, each one of `0-9a-f`. */
export function isVerifyProbePlaintext(plain: Uint8Array): boolean {
  if (plain.length !== VERIFY_PROBE_PLAINTEXT_LENGTH) return false;
  for (const c of plain) {
    const digit = c >= 0x30 && c <= 0x39;
    const lower = c >= 0x61 && c <= 0x66;
    if (!digit && !lower) return false;
  }
  return true;
}
