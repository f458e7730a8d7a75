/** One Shamir share: its id (the x coordinate, 1..n) and value f(id), 32 bytes big-endian. */
export interface Share {
  id: number;
  value: Uint8Array;
}
