// Shamir secret sharing over the P-256 scalar field, byte-compatible with
// upstream SPIKE (docs/design.md § Shamir). Pure, no I/O.
export { computeShares, MAX_SHARES } from './split.js';
export { interpolateShare, recoverSecret } from './recover.js';
export { ShamirError, type ShamirErrorCode } from './errors.js';
export { GROUP_ORDER, isValidScalar } from './field.js';
export type { Share } from './share.js';
export { setFingerprint, shareDigest } from './fingerprint.js';
export { rootKeyFingerprint } from './key-fingerprint.js';
export { generateRootKey } from './root-key.js';
