// The cipher routes' wire format and size caps, shared by Nexus (which seals
// and opens), the client library and the Pilot (which frame and bound what
// they send). Facts of upstream spike-sdk-go (net/crypto.go, net/cipher.go,
// the CryptoMaxCiphertextSize / CryptoMaxPlaintextSize settings): one format
// version, AES-256-GCM with a 12-byte nonce and the 16-byte tag appended (Go
// `Seal`, no associated data), the stream framing `version ‖ nonce ‖
// ciphertext`, and a ciphertext cap whose plaintext cap is 16 bytes less, so
// that whatever Nexus encrypts it can also decrypt (docs/design.md § Cipher).
import { readInt, type Env } from './config/env.js';

/** The only cipher format version (upstream `spikeCipherVersion`). */
export const CIPHER_FORMAT_VERSION = 0x01;
/** The AEAD, as node:crypto names it. */
export const CIPHER_ALGORITHM = 'aes-256-gcm';
export const CIPHER_NONCE_BYTES = 12;
export const CIPHER_TAG_BYTES = 16;
/** Bytes before the ciphertext in stream mode: the version byte and the nonce. */
export const CIPHER_STREAM_HEADER_BYTES = 1 + CIPHER_NONCE_BYTES;
/** Stream mode is chosen by this exact Content-Type (upstream net.ContentTypeOctetStream); anything else is JSON. */
export const CIPHER_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** The variable both Nexus and the Pilot read the ciphertext cap from (as upstream's Nexus and SDK do). */
export const MAX_CIPHERTEXT_ENV = 'SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE';
/** Upstream's default ciphertext cap (64 KiB). */
export const DEFAULT_MAX_CIPHERTEXT_SIZE = 65_536;
/** The largest value MAX_CIPHERTEXT_ENV may have here (64 MiB). */
export const MAX_CIPHERTEXT_SIZE_CEILING = 64 * 1024 * 1024;

/** The ciphertext cap from `env` (default 65536; 1 … 64 MiB, else a ConfigError). */
export function readMaxCiphertextSize(env: Env): number {
  return readInt(env, MAX_CIPHERTEXT_ENV, DEFAULT_MAX_CIPHERTEXT_SIZE, 1, MAX_CIPHERTEXT_SIZE_CEILING);
}

/** The largest plaintext under a ciphertext cap: the cap less the GCM tag (upstream CryptoMaxPlaintextSizeVal). */
export const maxPlaintextSize = (maxCiphertextSize: number): number => Math.max(0, maxCiphertextSize - CIPHER_TAG_BYTES);
