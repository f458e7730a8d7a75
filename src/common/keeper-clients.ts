// One mTLS client per Keeper, each pinned to what may answer at that URL
// (docs/design.md § Identities): with `URL=spiffe://td/spike/keeper/<i>` in
// SPIKE_NEXUS_KEEPER_PEERS only that exact ID; in the plain-URL form any
// Keeper ID (upstream's prefix rule, warned about at start). The check runs
// when the TLS handshake completes, before any request byte is written
// (src/client/transport.ts), so a Keeper presenting another Keeper's SVID gets no share.
import { createSpikeHttpClient, type SpikeHttpClient } from '../client/index.js';
import { AuthorizationError, authorizeId, authorizeIf, type Authorizer } from '../spiffe/authorizer.js';
import type { X509SvidSource } from '../spiffe/x509context.js';
import type { KeeperPeer } from '../protocol/config/shared.js';
import { isKeeper } from '../protocol/roles.js';

/** A Keeper URL answered with an ID it is not pinned to (`presented`; `expected` is the pinned ID). */
export type KeeperMismatchHandler = (info: { url: string; expected: string; presented: string }) => void;

/** The authorizer of one Keeper connection: exactly the pinned ID, else any Keeper ID in `keeperRoots`. */
export function keeperAuthorizer(peer: KeeperPeer, keeperRoots: readonly string[], onMismatch?: KeeperMismatchHandler): Authorizer {
  if (peer.id === undefined) return authorizeIf((id) => isKeeper(id, keeperRoots), 'a SPIKE Keeper');
  const pinned = authorizeId(peer.id);
  const expected = peer.id;
  return (id) => {
    try {
      pinned(id);
    } catch (e) {
      if (e instanceof AuthorizationError) onMismatch?.({ url: peer.url.origin, expected, presented: id.toString() });
      throw e;
    }
  };
}

export interface KeeperClients {
  /** Client of keeper i (0-based position in SPIKE_NEXUS_KEEPER_PEERS). */
  readonly clients: readonly SpikeHttpClient[];
  /** The client of the keeper at `url` (same URL as configured); throws for an unknown URL. */
  forUrl(url: URL): SpikeHttpClient;
  close(): void;
}

export function createKeeperClients(
  source: X509SvidSource,
  peers: readonly KeeperPeer[],
  keeperRoots: readonly string[],
  timeoutMs: number,
  onMismatch?: KeeperMismatchHandler,
): KeeperClients {
  const clients = peers.map((peer) =>
    createSpikeHttpClient({ source, serverAuthorizer: keeperAuthorizer(peer, keeperRoots, onMismatch), timeoutMs }),
  );
  const byUrl = new Map<string, SpikeHttpClient>();
  peers.forEach((peer, i) => byUrl.set(peer.url.href, clients[i] as SpikeHttpClient));
  return {
    clients,
    forUrl(url) {
      const c = byUrl.get(url.href);
      if (c === undefined) throw new Error(`no keeper configured at ${url.origin}`);
      return c;
    },
    close() {
      for (const c of clients) c.close();
    },
  };
}
