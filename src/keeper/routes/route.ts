// What a Keeper route sees and answers, independent of the HTTP framework.
import { isWellFormedPeerId } from '../../protocol/roles.js';

export interface KeeperRequest {
  method: string;
  /** Exact request path (no query). */
  path: string;
  /** The `action` query parameter ('' when absent). */
  action: string;
  /** The raw request body; the router zeroes it after the route ran. */
  body: Buffer;
  /** The verified peer SPIFFE ID from the TLS layer, if any. */
  peerId: string | undefined;
}

export interface KeeperResponse {
  status: number;
  /** Response bytes; the server zeroes them after sending. */
  body: Buffer;
}

/** Who may do what (built from roles.ts predicates and the trust roots). */
export interface KeeperPeerPolicy {
  /** `PeerCanTalkToKeeper`: Nexus or Bootstrap. */
  mayContribute(id: string): boolean;
  /** `IsNexus` only. */
  mayReadShard(id: string): boolean;
}

export type KeeperRoute = (req: KeeperRequest) => KeeperResponse;

/** A peer ID upstream's guard accepts (`sdk:validation` regex); anything else is a 401. */
export function validPeerId(id: string | undefined): id is string {
  return id !== undefined && isWellFormedPeerId(id);
}
