// Restore through any replica, wired for one Nexus process on PostgreSQL
// (docs/design.md § Restore through any replica):
// - the collector election (its lock connection is opened at the first
//   restore call, once the replica's name and URL are known);
// - the forwarder (this replica's SVID; the collector must present Nexus's ID);
// - a LISTEN on RESTORE_CHANNEL: when the collector has restored the key and
//   refilled the Keepers, the other replicas' Keeper recovery runs at once.
// SQLite, memory and lite never load this module.
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import { isNexus } from '../../protocol/roles.js';
import { authorizeIf } from '../../spiffe/authorizer.js';
import type { X509SvidSource } from '../../spiffe/x509context.js';
import type { PostgresConfig } from '../store/postgres/connection.js';
import { startChangeListener, type ChangeListener } from '../store/postgres/listen.js';
import { RESTORE_CHANNEL, startCollectorElection, type CollectorElection } from './collector-election.js';
import { createRestoreForwarder, type RestoreForwarding } from './forward.js';

export interface ReplicaRestoreOptions {
  readonly database: PostgresConfig;
  readonly source: X509SvidSource;
  readonly nexusRoots: readonly string[];
  readonly timeoutMs: number;
  readonly log: Logger;
  /** This replica's name and URL (known once it listens). */
  identity(): { name: string; advertiseUrl: string };
  /** The lock was lost: drop the partial collection (the operator resends to the new collector). */
  onCollectorLost(): void;
}

export interface ReplicaRestore {
  readonly forwarding: RestoreForwarding;
  /** For recoverFromKeepers: another replica restored the key. */
  readonly nudges: { subscribe(onNudge: () => void): () => void };
  /** This replica installed the key by a restore and pushed it to the Keepers: tell the others. */
  announceRestored(): Promise<void>;
  close(): Promise<void>;
}

export function startReplicaRestore(opts: ReplicaRestoreOptions): ReplicaRestore {
  const { log } = opts;
  let election: CollectorElection | undefined;
  let closed = false;
  const electionNow = (): CollectorElection => {
    if (closed) throw new Error('Nexus is stopping');
    if (election === undefined) {
      const { name, advertiseUrl } = opts.identity();
      election = startCollectorElection({
        config: opts.database,
        name,
        advertiseUrl,
        onLost: (e) => {
          opts.onCollectorLost();
          log.event('restore_collector_lost', { error: describeError(e), collection: 'dropped' });
        },
      });
    }
    return election;
  };
  const forward = createRestoreForwarder({
    source: opts.source,
    collectorAuthorizer: authorizeIf((id) => isNexus(id, opts.nexusRoots), 'a Nexus replica'),
    timeoutMs: opts.timeoutMs,
  });
  const subscribers = new Set<() => void>();
  const listener: ChangeListener = startChangeListener({
    config: opts.database,
    channel: RESTORE_CHANNEL,
    onNotify: () => {
      log.event('restore_announced', { keepers: 'recovering now' });
      for (const s of subscribers) s();
    },
    onListening: () => undefined,
    onLost: () => undefined,
  });
  let lastRole: string | undefined;
  return {
    forwarding: {
      get holds() {
        return election?.holds ?? false;
      },
      async resolve() {
        const e = electionNow();
        const role = await e.resolve();
        const now = role.kind === 'self' ? 'self' : role.kind === 'forward' ? role.name : undefined;
        if (now !== undefined && now !== lastRole) {
          log.event(
            'restore_collector',
            role.kind === 'self'
              ? { collector: 'this replica', ...(role.previous === undefined ? {} : { previousCollector: role.previous, collection: 'restarted' }) }
              : { collector: role.kind === 'forward' ? role.name : '' },
          );
          lastRole = now;
        }
        return role;
      },
      async peek() {
        return electionNow().peek();
      },
      get name() {
        return opts.identity().name;
      },
      forward,
    },
    nudges: {
      subscribe(fn) {
        subscribers.add(fn);
        return () => subscribers.delete(fn);
      },
    },
    async announceRestored() {
      if (election?.holds !== true) return;
      await election.notifyRestored();
      // The collection ended: a replica that takes the lock later must not take this one's mark for a lost collection.
      await election.release();
    },
    async close() {
      closed = true;
      await election?.close();
      await listener.close();
    },
  };
}
