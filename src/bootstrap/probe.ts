// The verification probe Bootstrap sends to Nexus (as upstream Nexus checks it):
// plaintext = lower-case hex of 32 random bytes, AES-256-GCM with the root
// key, random 12-byte nonce, no AAD; Go's gcm.Seal output = ciphertext ‖ tag.
// Nexus answers hex(SHA-256(plaintext)).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface VerificationProbe {
  nonce: Buffer;
  ciphertext: Buffer;
  /** hex(SHA-256(plaintext)), what a Nexus holding the same key answers. */
  expectedHash: string;
}

export function makeVerificationProbe(rootKey: Uint8Array, random: (n: number) => Buffer = randomBytes): VerificationProbe {
  const plaintext = Buffer.from(random(32).toString('hex'), 'ascii');
  const nonce = random(12);
  const cipher = createCipheriv('aes-256-gcm', rootKey, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const expectedHash = createHash('sha256').update(plaintext).digest('hex');
  plaintext.fill(0);
  return { nonce, ciphertext, expectedHash };
}
