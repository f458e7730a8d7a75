// Byte helpers shared by every side of the protocol.

/** True when every byte is zero ("no shard" / "no key" on the wire). Reads every byte, whatever it finds. */
export function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (const x of b) acc |= x;
  return acc === 0;
}
