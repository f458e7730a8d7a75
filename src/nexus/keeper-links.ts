// KeeperLinks over the mTLS client (src/client): each Keeper URL has its own
// client whose server authorizer is the Keeper's pinned SPIFFE ID, or any
// Keeper ID in the plain-URL form (src/common/keeper-clients.ts). An empty
// keeper (400) or an unusable answer is "no shard"; transport failures (an
// identity mismatch included) reject.
import { ClientError, contributeShard, fetchShard } from '../client/index.js';
import type { X509SvidSource } from '../spiffe/x509context.js';
import type { KeeperPeer } from '../protocol/config/shared.js';
import { createKeeperClients, type KeeperMismatchHandler } from '../common/keeper-clients.js';
import type { KeeperLink } from './sync/keepers.js';

export interface KeeperLinks {
  links: KeeperLink[];
  close(): void;
}

export function createKeeperLinks(
  source: X509SvidSource,
  peers: readonly KeeperPeer[],
  keeperRoots: readonly string[],
  timeoutMs: number,
  onMismatch?: KeeperMismatchHandler,
): KeeperLinks {
  const clients = createKeeperClients(source, peers, keeperRoots, timeoutMs, onMismatch);
  const links = peers.map(({ url }, i): KeeperLink => {
    const client = clients.forUrl(url);
    return {
      id: i + 1,
      url: url.origin,
      fetchShard: async () => {
        try {
          return await fetchShard(client, url);
        } catch (e) {
          if (e instanceof ClientError && (e.kind === 'status' || e.kind === 'decode')) return undefined;
          throw e;
        }
      },
      contributeShard: (shard) => contributeShard(client, url, shard),
    };
  });
  return { links, close: () => clients.close() };
}
