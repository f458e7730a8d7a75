// How much `spike cipher` reads (docs/design.md § Cipher): SPIKE Nexus takes
// at most SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE bytes of ciphertext (default
// 65536, read from the same variable as upstream's SDK does), and plaintexts
// of 16 bytes less (the GCM tag). The Pilot reads no more than that (plus
// the 13-byte stream header when decrypting) and sends nothing bigger. The
// caps themselves are src/protocol/cipher-format.ts's, as Nexus's are.
import { CIPHER_STREAM_HEADER_BYTES, maxPlaintextSize, readMaxCiphertextSize } from '../../protocol/cipher-format.js';
import { ConfigError, type Env } from '../../protocol/config/env.js';
import { CliError, ExitCode } from '../output/exit.js';

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
    ciphertext = readMaxCiphertextSize(env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(ExitCode.usage, `Invalid configuration: ${e.message}`);
    throw e;
  }
  return { plaintext: maxPlaintextSize(ciphertext), ciphertext, stream: CIPHER_STREAM_HEADER_BYTES + ciphertext };
}
