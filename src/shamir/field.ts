// The P-256 scalar field (integers mod the group order n), as circl's
// group.P256 scalars: 32-byte big-endian, values >= n rejected, never reduced.
// Only the field is built (@noble/curves' modular Field over n), not the
// curve: Shamir needs no point arithmetic, and building P-256 costs the
// Pilot's `operator recover` a few milliseconds of start-up. Same
// implementation as p256.Point.Fn (the curve builds its Fn as Field(n));
// test/unit/shamir checks the two agree.
import { Field } from '@noble/curves/abstract/modular.js';

/** n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551 (SEC 2, secp256r1). */
export const GROUP_ORDER: bigint = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Arithmetic mod n (big-endian encoding, as the curve's scalar field). */
export const Fn = Field(GROUP_ORDER);

/** Length of an encoded scalar. */
export const SCALAR_BYTES = 32;

/** Big-endian bytes to an unsigned integer (no range check). */
export function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

/** True when `v` is exactly 32 bytes and, read big-endian, is < n (zero included). */
export function isValidScalar(v: Uint8Array): boolean {
  return v instanceof Uint8Array && v.length === SCALAR_BYTES && bytesToBigInt(v) < GROUP_ORDER;
}

/** A scalar as 32 bytes big-endian (a fresh buffer the caller owns). */
export function scalarToBytes(s: bigint): Uint8Array {
  return Fn.toBytes(s);
}
