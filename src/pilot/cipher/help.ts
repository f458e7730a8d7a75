// The help texts of `spike cipher encrypt|decrypt` (the format every `spike`
// command follows: description, flags, "Exit codes:", "Example:").

export const ENCRYPT_SUMMARY = 'Encrypt a file or standard input with SPIKE Nexus';
export const DECRYPT_SUMMARY = 'Decrypt a file or standard input with SPIKE Nexus';

export const ENCRYPT_DESCRIPTION = `${ENCRYPT_SUMMARY} (AES-256-GCM under its root key).

Stream mode (default): sends the bytes of --file (or standard input) and
writes the SPIKE cipher stream — version byte 0x01, 12-byte nonce,
ciphertext — to --out (or standard output).
JSON mode (--plaintext): sends base64 plaintext and prints
{"version":1,"nonce":"<base64>","ciphertext":"<base64>"}, whose fields
\`spike cipher decrypt --version --nonce --ciphertext\` takes.
Plaintexts of up to SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE - 16 bytes
(65520 by default). Needs the superuser SPIFFE ID. The output is written
only once SPIKE Nexus answered in full, never in part; --out is replaced
atomically (mode 0600).`;

export const DECRYPT_DESCRIPTION = `${DECRYPT_SUMMARY} (AES-256-GCM under its root key).

Stream mode (default): sends the SPIKE cipher stream read from --file (or
standard input) and writes the plaintext to --out (or standard output).
JSON mode (any of --version, --nonce, --ciphertext): sends those fields and
writes the plaintext. A changed, truncated or foreign ciphertext (another
Nexus, or a root key a rotation retired) is an error and nothing is written.
Ciphertexts of up to SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE bytes (65536 by
default). Needs the superuser SPIFFE ID. The output is written only once
SPIKE Nexus answered in full, never in part; --out is replaced atomically
(mode 0600).`;

const EXIT_CODES = (what: string): string => `
Exit codes:
  0  ${what}
  1  SPIKE Nexus unreachable or answered with an error (unauthorized, not
     ready, invalid or undecryptable input); nothing was written
  2  usage error or invalid input (bad flag or base64, input file missing,
     input over the size limit); nothing was sent
  3  identity failure (no SVID in time, not the superuser, server is not SPIKE Nexus)
  4  the output file could not be written (the path is left as it was)`;

export const ENCRYPT_AFTER = `${EXIT_CODES('the ciphertext was written')}

Example:
  $ spike cipher encrypt -f secret.txt -o secret.enc
  $ echo -n 'data' | spike cipher encrypt | spike cipher decrypt
  $ spike cipher encrypt --plaintext "c2Vuc2l0aXZlIGRhdGE="`;

export const DECRYPT_AFTER = `${EXIT_CODES('the plaintext was written')}

Example:
  $ spike cipher decrypt -f secret.enc -o secret.txt
  $ spike cipher decrypt --version 1 --nonce "<base64>" --ciphertext "<base64>"`;
