// What a failed cipher call looks like to the operator: upstream's
// HandleAPIError line first ("Invalid request.", "Unauthorized access.", …),
// then, in parentheses, what the answer means for a cipher call — a
// truncated stream, another format version, a ciphertext that does not open
// under this Nexus's key (docs/design.md § Cipher). Exit 1, as every answer
// with an error (docs/design.md § Exit codes); connection and identity
// failures as every other command (nexus/calls.ts).
import { CRYPTO_DECRYPTION_FAILED } from '../../client/cipher.js';
import { isClientError } from '../../client/errors.js';
import { answerFailure, connectFailure, errCodeFailure } from '../nexus/calls.js';
import { CliError, ExitCode } from '../output/exit.js';

export const DECRYPT_FAILED_TEXT =
  'Decryption failed. (SPIKE Nexus could not open it: the ciphertext was changed or cut short, or it was made under another key — another SPIKE Nexus, the memory backend before a restart, or a root key a rotation retired)';

const STREAM_READ: Readonly<Record<string, string>> = {
  crypto_failed_to_read_version: 'Invalid request. (crypto_failed_to_read_version: the input is empty, not a SPIKE cipher stream)',
  crypto_failed_to_read_nonce: 'Invalid request. (crypto_failed_to_read_nonce: the input ends before its 12-byte nonce: truncated, or not a SPIKE cipher stream)',
  crypto_unsupported_version: 'Invalid request. (crypto_unsupported_version: the first byte is not cipher format version 1: not a SPIKE cipher stream)',
};

export function cipherCallFailure(e: unknown, op: 'encrypt' | 'decrypt', limit: number): CliError {
  if (e instanceof CliError) return e;
  if (!isClientError(e)) return connectFailure(e);
  if (e.kind === 'decode') return new CliError(ExitCode.nexus, 'Failed to parse API response.');
  if (e.kind !== 'status' || e.status === undefined) return connectFailure(e);
  if (e.status === 200) return errCodeFailure(e.code);
  const code = e.code;
  if (code !== undefined && STREAM_READ[code] !== undefined) return new CliError(ExitCode.nexus, STREAM_READ[code]);
  if (op === 'decrypt' && (code === CRYPTO_DECRYPTION_FAILED || (e.status === 500 && code === 'api_internal_error'))) return new CliError(ExitCode.nexus, DECRYPT_FAILED_TEXT);
  if (e.status === 400 && code === 'api_bad_request') {
    const why =
      op === 'encrypt'
        ? `SPIKE Nexus refused it; it encrypts at most ${limit} bytes, unless its SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE differs from this one`
        : `SPIKE Nexus takes cipher format version 1, a 12-byte nonce and at most ${limit} bytes of ciphertext`;
    return new CliError(ExitCode.nexus, `Invalid request. (${why})`);
  }
  return answerFailure({ status: e.status });
}
