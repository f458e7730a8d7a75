// Nexus's view of its Keepers: keeper i (1-based position in
// SPIKE_NEXUS_KEEPER_PEERS) holds share i. main.ts adapts src/client's
// fetchShard/contributeShard to this interface; tests use fakes.

export interface KeeperLink {
  /** Share id = 1-based position in SPIKE_NEXUS_KEEPER_PEERS. */
  readonly id: number;
  /** For logs only. */
  readonly url: string;
  /**
   * The keeper's shard (32 bytes; caller zeroes it), or undefined when the
   * keeper holds none or answered badly. Rejects on transport failure.
   */
  fetchShard(): Promise<Uint8Array | undefined>;
  /** Sends share `id` to the keeper. Rejects on any failure. */
  contributeShard(shard: Uint8Array): Promise<void>;
}
