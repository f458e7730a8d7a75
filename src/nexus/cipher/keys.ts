// Which key the cipher routes use (docs/design.md § Cipher): Nexus's root
// key, as upstream (its backends' GetCipher is an AES-256-GCM AEAD on the
// root key). During a root-key rotation, encryption uses the new key and
// decryption tries the new key, then the old one. The memory backend has no
// root key: as upstream, a random key made for this process (ciphertexts do
// not survive a restart). No key (not ready): `undefined`, the routes answer
// as upstream's nil cipher does.
import { randomBytes } from 'node:crypto';
import type { NexusBackend } from '../config.js';
import type { NexusState } from '../state/nexus-state.js';
import { rotationOf } from '../rotation/types.js';
import { openWith, sealWith, type Sealed } from './aead.js';

export interface CipherKeys {
  /** Seals with the current key; undefined when there is none. */
  seal(plaintext: Uint8Array): Sealed | undefined;
  /** 'no_key', or the plaintext (caller zeroes it), or 'failed' when no key held opens it. */
  open(nonce: Uint8Array, ciphertext: Uint8Array): Buffer | 'failed' | 'no_key';
  /** Zeroes the process key of the memory backend (if any). */
  zero(): void;
}

export function cipherKeys(state: Pick<NexusState, 'rootKey' | 'store'>, backend: NexusBackend): CipherKeys {
  // Made once, on first use, for the memory backend only.
  let processKey: Buffer | undefined;
  const memoryKey = (): Buffer => (processKey ??= randomBytes(32));

  /** Runs `fn` with the key new ciphertexts are made with (a view it must not keep). */
  const withCurrent = <T>(fn: (key: Buffer) => T): T | undefined => {
    if (backend === 'memory') return fn(memoryKey());
    return state.rootKey.use(fn);
  };

  return {
    seal: (plaintext) => withCurrent((key) => sealWith(key, plaintext)),
    open: (nonce, ciphertext) => {
      const current = withCurrent((key) => openWith(key, nonce, ciphertext) ?? null);
      if (current === undefined) return 'no_key';
      if (current !== null) return current;
      // A rotation is running: a ciphertext made before it opens with the old key.
      const previous = backend === 'memory' ? undefined : rotationOf(state.store())?.withPreviousKey((key) => openWith(key, nonce, ciphertext));
      return previous ?? 'failed';
    },
    zero: () => {
      processKey?.fill(0);
      processKey = undefined;
    },
  };
}
