// The decrypt stream as Nexus reads it (upstream
// ReadStreamingDecryptRequestData); the format's constants are
// src/protocol/cipher-format.ts.
import { CIPHER_FORMAT_VERSION, CIPHER_STREAM_HEADER_BYTES } from '../../protocol/cipher-format.js';

/** A decrypt stream split into its parts (views on the body), or the reason it cannot be. */
export type StreamParts =
  | { readonly ok: true; readonly version: number; readonly nonce: Buffer; readonly ciphertext: Buffer }
  | { readonly ok: false; readonly code: 'crypto_failed_to_read_version' | 'crypto_unsupported_version' | 'crypto_failed_to_read_nonce' };

/** Upstream ReadStreamingDecryptRequestData: the version byte (must be 1), the nonce, then the rest. */
export function splitStream(body: Buffer): StreamParts {
  if (body.length < 1) return { ok: false, code: 'crypto_failed_to_read_version' };
  const version = body[0] as number;
  if (version !== CIPHER_FORMAT_VERSION) return { ok: false, code: 'crypto_unsupported_version' };
  if (body.length < CIPHER_STREAM_HEADER_BYTES) return { ok: false, code: 'crypto_failed_to_read_nonce' };
  return { ok: true, version, nonce: body.subarray(1, CIPHER_STREAM_HEADER_BYTES), ciphertext: body.subarray(CIPHER_STREAM_HEADER_BYTES) };
}
