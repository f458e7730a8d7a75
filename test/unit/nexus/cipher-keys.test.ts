// Which key the cipher routes use (src/nexus/cipher/keys.ts,
// docs/design.md § Cipher): the root key; during a root-key rotation the new
// key seals and both open; the memory backend a key of its own per process.
// Ciphertexts are made and opened with node:crypto as Go's AES-256-GCM does.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cipherKeys } from '../../../src/nexus/cipher/keys.js';
import { RootKey } from '../../../src/nexus/state/rootkey.js';
import type { SecretsStore } from '../../../src/nexus/state/store-interface.js';

const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);

function goSeal(key: Uint8Array, plain: string): { nonce: Buffer; ciphertext: Buffer } {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return { nonce, ciphertext: Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]) };
}
function goOpen(key: Uint8Array, nonce: Buffer, sealed: Buffer): string {
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]).toString();
}

/** A state whose root key is `current`, and whose store runs a rotation from `previous` (if given). */
function stateWith(current: Buffer | undefined, previous?: Buffer) {
  const rootKey = new RootKey();
  if (current) rootKey.set(current);
  const rotation = previous === undefined ? undefined : { withPreviousKey: <T>(fn: (k: Buffer) => T): T => fn(Buffer.from(previous)) };
  const store = { rotation } as unknown as SecretsStore;
  return { rootKey, store: () => store };
}

describe('cipher keys', () => {
  it('seals with the root key; opens only what that key sealed', () => {
    const keys = cipherKeys(stateWith(NEW), 'sqlite');
    const s = keys.seal(Buffer.from('data'));
    expect(s?.nonce.length).toBe(12);
    expect(goOpen(NEW, s!.nonce, s!.ciphertext)).toBe('data');
    const mine = goSeal(NEW, 'mine');
    expect((keys.open(mine.nonce, mine.ciphertext) as Buffer).toString()).toBe('mine');
    const old = goSeal(OLD, 'old');
    expect(keys.open(old.nonce, old.ciphertext)).toBe('failed');
  });

  it('during a rotation: seals with the new key, opens what the old key sealed too', () => {
    const keys = cipherKeys(stateWith(NEW, OLD), 'sqlite');
    const old = goSeal(OLD, 'made before the rotation');
    expect((keys.open(old.nonce, old.ciphertext) as Buffer).toString()).toBe('made before the rotation');
    const s = keys.seal(Buffer.from('new'));
    expect(goOpen(NEW, s!.nonce, s!.ciphertext)).toBe('new');
    const foreign = goSeal(Buffer.alloc(32, 3), 'x');
    expect(keys.open(foreign.nonce, foreign.ciphertext)).toBe('failed');
  });

  it('no root key: nothing sealed or opened', () => {
    const keys = cipherKeys(stateWith(undefined), 'lite');
    expect(keys.seal(Buffer.from('x'))).toBeUndefined();
    expect(keys.open(randomBytes(12), randomBytes(20))).toBe('no_key');
  });

  it('memory backend: one random key per process, not the root key', () => {
    const keys = cipherKeys(stateWith(undefined), 'memory');
    const s = keys.seal(Buffer.from('m'))!;
    expect((keys.open(s.nonce, s.ciphertext) as Buffer).toString()).toBe('m');
    const other = cipherKeys(stateWith(undefined), 'memory');
    expect(other.open(s.nonce, s.ciphertext)).toBe('failed');
    keys.zero();
    expect(keys.open(s.nonce, s.ciphertext)).toBe('failed');
  });
});
