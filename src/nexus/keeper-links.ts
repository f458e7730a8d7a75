// KeeperLinks over the mTLS client (src/client): the Keeper's SVID is pinned
// to the Keeper role. An empty keeper (400) or an unusable answer is "no
// shard"; transport failures reject.
import { ClientError, contributeShard, createSpikeHttpClient, fetchShard, type SpikeHttpClient } from '../client/index.js';
import { authorizeIf } from '../spiffe/authorizer.js';
import type { X509Source } from '../spiffe/workloadapi.js';
import { isKeeper } from '../protocol/roles.js';
import type { KeeperLink } from './sync/keepers.js';

export interface KeeperLinks {
  links: KeeperLink[];
  close(): void;
}

export function createKeeperLinks(source: X509Source, peers: readonly URL[], keeperRoots: readonly string[], timeoutMs: number): KeeperLinks {
  const client: SpikeHttpClient = createSpikeHttpClient({
    source,
    serverAuthorizer: authorizeIf((id) => isKeeper(id, keeperRoots), 'SPIKE Keeper'),
    timeoutMs,
  });
  const links = peers.map((url, i): KeeperLink => ({
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
  }));
  return { links, close: () => client.close() };
}
