// The verification probe Bootstrap sends to Nexus, in upstream Bootstrap's
// exact format (so that upstream's Nexus and ours both answer it):
// plaintext = lower-case hex of 32 random bytes (64 ASCII characters),
// AES-256-GCM with the root key, random 12-byte nonce, no AAD; Go's gcm.Seal
// output = ciphertext ‖ tag. Nexus answers hex(SHA-256(plaintext)).
// Our Nexus answers only a ciphertext of this shape, once, in the window
// after it rebuilt the key of a fresh store (docs/design.md § Bootstrap), so
// the probe keeps exactly this shape.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { VERIFY_PROBE_NONCE_LENGTH, VERIFY_PROBE_RANDOM_BYTES } from '../protocol/messages.js';

export interface VerificationProbe {
  nonce: Buffer;
  ciphertext: Buffer;
  /** hex(SHA-256(plaintext)), what a Nexus holding the same key answers. */
  expectedHash: string;
}

export function makeVerificationProbe(rootKey: Uint8Array, random: (n: number) => Buffer = randomBytes): VerificationProbe {
  const seed = random(VERIFY_PROBE_RANDOM_BYTES);
  const plaintext = Buffer.from(seed.toString('hex'), 'ascii');
  seed.fill(0);
  const nonce = random(VERIFY_PROBE_NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', rootKey, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const expectedHash = createHash('sha256').update(plaintext).digest('hex');
  plaintext.fill(0);
  return { nonce, ciphertext, expectedHash };
}
