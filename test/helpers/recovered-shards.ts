// The shards a test got from `recover()` (Nexus's operator recover route):
// a map from shard id to its bytes.

/** Shard `id` of `shards`; throws when the map has none for it. */
export function pickShard<T extends Uint8Array>(shards: ReadonlyMap<number, T | null>, id: number): T {
  const s = shards.get(id);
  if (!s) throw new Error(`no shard ${id}`);
  return s;
}
