// The shard-set fingerprint: a public name for one set of shares (one root
// key, one threshold and share count). Per share a check digest
// SHA-256("spike-ts/manifest/v1/share" 0x00 ‖ id ‖ value); for the set
// SHA-256("spike-ts/manifest/v1/set" 0x00 ‖ t ‖ n ‖ (id ‖ digest)…), ids
// ascending, numbers as 4-byte big-endian. Shares are derived
// deterministically from the root key, so the fingerprint names a key
// generation: `spike operator recover` writes it into the manifest, and
// Nexus reports it before and after a root-key rotation. It holds no secret:
// a digest of a 32-byte random-looking scalar cannot be inverted. This module
// needs no curve arithmetic (the Pilot's manifest code loads it alone);
// key-fingerprint.ts computes a root key's fingerprint from its shares.
import { createHash } from 'node:crypto';

const SHARE_DOMAIN = Buffer.from('spike-ts/manifest/v1/share\0', 'ascii');
const SET_DOMAIN = Buffer.from('spike-ts/manifest/v1/set\0', 'ascii');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The check digest of share (`id`, `value`). */
export function shareDigest(id: number, value: Uint8Array): Buffer {
  return createHash('sha256').update(SHARE_DOMAIN).update(u32(id)).update(value).digest();
}

/** The set fingerprint over threshold, count and every (id, digest), ids ascending; 64 lowercase hex. */
export function setFingerprint(threshold: number, digests: ReadonlyMap<number, Uint8Array>): string {
  const h = createHash('sha256').update(SET_DOMAIN).update(u32(threshold)).update(u32(digests.size));
  for (const id of [...digests.keys()].sort((a, b) => a - b)) h.update(u32(id)).update(digests.get(id) as Uint8Array);
  return h.digest('hex');
}
