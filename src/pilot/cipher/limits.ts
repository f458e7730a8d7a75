// How much `spike cipher` reads (docs/design.md § Cipher): SPIKE Nexus takes
// at most SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE bytes of ciphertext (default
// 65536, read from the same variable as upstream's SDK does), and plaintexts
// of 16 bytes less (the GCM tag). The Pilot reads no more than that (plus
// the 13-byte stream header when decrypting) and sends nothing bigger.
import { readInt, type Env } from '../../protocol/config/env.js';
import { CIPHER_STREAM_HEADER_BYTES } from '../../client/cipher.js';
import { CliError, ExitCode } from '../output/exit.js';
import { ConfigError } from '../../protocol/config/env.js';

export const MAX_CIPHERTEXT_ENV = 'SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE';
export const DEFAULT_MAX_CIPHERTEXT = 65_536;
const TAG_BYTES = 16;

export interface CipherLimits {
  /** The largest plaintext `encrypt` sends. */
  plaintext: number;
  /** The largest ciphertext (tag included) `decrypt` sends. */
  ciphertext: number;
  /** The largest stream `decrypt` reads: header + ciphertext. */
  stream: number;
}

export function cipherLimits(env: Env): CipherLimits {
  let ciphertext: number;
  try {
    ciphertext = readInt(env, MAX_CIPHERTEXT_ENV, DEFAULT_MAX_CIPHERTEXT, 1, 64 * 1024 * 1024);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(ExitCode.usage, `Invalid configuration: ${e.message}`);
    throw e;
  }
  return { plaintext: Math.max(0, ciphertext - TAG_BYTES), ciphertext, stream: CIPHER_STREAM_HEADER_BYTES + ciphertext };
}
