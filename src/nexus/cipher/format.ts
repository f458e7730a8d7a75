// The cipher routes' wire facts (upstream spike-sdk-go net/crypto.go,
// net/dispatch.go, net/cipher.go): one format version, AES-256-GCM with a
// 12-byte nonce and the 16-byte tag appended (Go `Seal`, no associated data),
// and the octet-stream framing `version ‖ nonce ‖ ciphertext`.

/** The only cipher format version (upstream `spikeCipherVersion`): AES-256-GCM under Nexus's key. */
export const CIPHER_VERSION = 0x01;
export const CIPHER_NONCE_BYTES = 12;
export const CIPHER_TAG_BYTES = 16;
/** Bytes before the ciphertext in stream mode: the version byte and the nonce. */
export const STREAM_HEADER_BYTES = 1 + CIPHER_NONCE_BYTES;

/** Stream mode is chosen by this exact Content-Type (Go `r.Header.Get("Content-Type") == …`); anything else is JSON. */
export const OCTET_STREAM = 'application/octet-stream';

/**
 * The largest plaintext Nexus encrypts: the ciphertext cap less the GCM tag
 * (upstream's CryptoMaxPlaintextSizeVal), so that whatever it encrypts it
 * can also decrypt (docs/design.md § Cipher).
 */
export const maxPlaintextSize = (maxCiphertextSize: number): number => Math.max(0, maxCiphertextSize - CIPHER_TAG_BYTES);

/** A decrypt stream split into its parts (views on the body), or the reason it cannot be. */
export type StreamParts =
  | { readonly ok: true; readonly version: number; readonly nonce: Buffer; readonly ciphertext: Buffer }
  | { readonly ok: false; readonly code: 'crypto_failed_to_read_version' | 'crypto_unsupported_version' | 'crypto_failed_to_read_nonce' };

/** Upstream ReadStreamingDecryptRequestData: the version byte (must be 1), the nonce, then the rest. */
export function splitStream(body: Buffer): StreamParts {
  if (body.length < 1) return { ok: false, code: 'crypto_failed_to_read_version' };
  const version = body[0] as number;
  if (version !== CIPHER_VERSION) return { ok: false, code: 'crypto_unsupported_version' };
  if (body.length < STREAM_HEADER_BYTES) return { ok: false, code: 'crypto_failed_to_read_nonce' };
  return { ok: true, version, nonce: body.subarray(1, STREAM_HEADER_BYTES), ciphertext: body.subarray(STREAM_HEADER_BYTES) };
}
