// SPIKE Nexus wiring: store gate, root-key state, keeper recovery and push,
// routes, and the mTLS listener. main.ts adds the process concerns (env,
// SVID, signals); tests can start a Nexus in-process with their own parts.
import type { NexusConfig } from './config.js';
import type { Logger } from '../common/log.js';
import { describeError } from '../common/log.js';
import type { X509Source } from '../spiffe/workloadapi.js';
import { authorizeAny } from '../spiffe/authorizer.js';
import { attachMtlsServer, ConnectionLimitError, mtlsServerOptions, peerCertificateState, peerSpiffeId } from '../spiffe/tlsconfig.js';
import { createEarlyFilter } from './auth/early-filter.js';
import { LogThrottle } from '../common/log-throttle.js';
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import type { StoreGate } from './state/store-interface.js';
import { NexusState } from './state/nexus-state.js';
import { connectPostgresGate, liteGate, memoryGate, sqliteGate } from './state/store-gate.js';
import { RestoreCollector } from './restore/collector.js';
import { defaultAdvertiseUrl } from './restore/advertise.js';
import { RateLimiter } from './restore/rate-limit.js';
import { buildRoutes } from './routes/index.js';
import { cipherKeys } from './cipher/keys.js';
import { PolicyIndex } from './auth/policy-index.js';
import { buildNexusApp } from './server/app.js';
import { startHealthListener, type HealthListener } from './server/health.js';
import { hostname } from 'node:os';
import { KeeperSync } from './sync/push.js';
import { recoverFromKeepers } from './sync/recovery.js';
import { unpinnedKeepersWarning } from '../protocol/config/shared.js';
import { createKeeperLinks } from './keeper-links.js';
import { RotationEngine } from './rotation/engine.js';
import { keysInStep } from './rotation/replica-watch.js';
import { fingerprintOf } from './rotation/fingerprint.js';
import { createFailpoints, NO_FAILPOINTS, type Failpoints } from '../common/failpoint.js';

/** Restore: a burst of 10 calls per caller, then one every 3 s; only calls that add nothing are charged (docs/design.md § Restore). */
export const RESTORE_RATE = { capacity: 10, refillMs: 3_000 };
/** A partial restore collection is dropped 15 minutes after its last new value. */
export const RESTORE_COLLECTION_TTL_MS = 15 * 60_000;

export interface RunningNexus {
  port: number;
  state: NexusState;
  close(): Promise<void>;
}

/** The store gate of a backend that needs no connection (sqlite, memory, lite); postgres: connectGate. */
export function gateFor(config: NexusConfig, failpoints: Failpoints = NO_FAILPOINTS): StoreGate {
  switch (config.backend) {
    case 'sqlite':
      return sqliteGate(config.dataDir, config.maxSecretVersions, { beforeCommit: (writes) => failpoints.hit('store.group_before_commit', { writes }) });
    case 'memory':
      return memoryGate(config.maxSecretVersions);
    case 'lite':
      return liteGate();
    case 'postgres':
      throw new Error('the postgres backend needs a connection first (connectGate)');
  }
}

/** The store gate of any backend, connected (postgres) before Nexus starts anything else. */
export async function connectGate(config: NexusConfig, failpoints: Failpoints = NO_FAILPOINTS, log?: Logger): Promise<StoreGate> {
  if (config.backend !== 'postgres') return gateFor(config, failpoints);
  if (config.database === undefined) throw new Error('the postgres backend needs SPIKE_NEXUS_DATABASE_URL');
  if (log === undefined) throw new Error('the postgres backend needs a logger (its connection state changes are logged)');
  return connectPostgresGate(config.database, config.maxSecretVersions, log);
}

export async function startNexus(config: NexusConfig, source: X509Source, log: Logger): Promise<RunningNexus> {
  const failpoints = createFailpoints(config.failpoints, undefined, (name, pass, detail) =>
    log.error('FAILPOINT reached: killing Nexus (SIGKILL)', { ...detail, failpoint: name, pass }),
  );
  // First: the database (postgres; retried while unreachable, any other failure stops the start here).
  const gate = await connectGate(config, failpoints, log);
  const unpinned = config.backend === 'memory' ? undefined : unpinnedKeepersWarning(config.keepers);
  if (unpinned !== undefined) log.warn(unpinned);
  const keeperLinks =
    config.backend === 'memory'
      ? undefined
      : createKeeperLinks(source, config.keepers, config.trustRoots.keeper, config.keeperCallTimeoutMs, (m) =>
          log.error('keeper_identity_mismatch', { url: m.url, expected: m.expected, presented: m.presented }),
        );
  if (config.failpoints.size > 0) {
    log.warn('FAILPOINTS ARMED (SPIKE_NEXUS_FAILPOINTS): this Nexus will kill itself on purpose; a testing aid, never for production', {
      failpoints: failpoints.armed(),
    });
  }
  const collector = new RestoreCollector(config.shamir.threshold, RESTORE_COLLECTION_TTL_MS);
  let replicaName = config.replicaName ?? '';
  let advertiseUrl = config.advertiseUrl ?? '';
  // Several replicas on PostgreSQL: restore calls go through one collecting replica (docs/design.md § Restore through any replica).
  const database = config.backend === 'postgres' ? config.database : undefined;
  const replicaRestore =
    database === undefined
      ? undefined
      : (await import('./restore/replicas.js')).startReplicaRestore({
          database: { url: database.url, ...(database.password === undefined ? {} : { password: database.password }) },
          source,
          nexusRoots: config.trustRoots.nexus,
          timeoutMs: config.requestTimeoutMs,
          log,
          identity: () => ({ name: replicaName, advertiseUrl }),
          onCollectorLost: () => collector.reset(),
        });
  const state = new NexusState({
    gate,
    log,
    // Right after a recovery or a restore: push to every keeper at once
    // (a keeper that restarted while Nexus was down is refilled now), then
    // keep pushing periodically. Not awaited: answers never wait on keepers.
    onInstalled: (from) => {
      if (push === undefined) return;
      const pushed = push.pushNow(`after_${from}`);
      // The Keepers refilled (or tried): the other replicas may fetch the key from them now.
      if (from === 'restore' && replicaRestore !== undefined) {
        const announce = (): void => void replicaRestore.announceRestored().catch((e: unknown) => log.warn('restore: telling the other replicas failed', { error: describeError(e) }));
        pushed.then(announce, announce);
      }
      push.start();
    },
    // The store holds a rotation (Nexus restarted during one): finish it.
    onRotationFound: () => rotation.resume(),
  });
  const push =
    keeperLinks === undefined
      ? undefined
      : new KeeperSync({
          keepers: keeperLinks.links,
          rootKey: state.rootKey,
          threshold: config.shamir.threshold,
          shares: config.shamir.shares,
          log,
          intervalMs: config.keeperUpdateIntervalMs,
          retryMaxMs: config.recoveryMaxIntervalMs,
          // Replicas on one store: re-read the store's keys first, so that a key another replica's rotation retired is never sent.
          ...(gate.replicas === undefined ? {} : { beforePush: () => keysInStep(state) }),
        });

  const rotation = new RotationEngine({
    host: state,
    ...(push === undefined ? {} : { pusher: push }),
    threshold: config.shamir.threshold,
    shares: config.shamir.shares,
    log,
    failpoints,
    retryMaxMs: config.recoveryMaxIntervalMs,
  });

  if (config.backend === 'memory') {
    log.warn('in-memory mode: no SPIKE Keepers, not for production');
    await state.openKeyless();
  }

  const policies = new PolicyIndex(log);
  // Several replicas on one database: other replicas' policy writes drop this index (LISTEN/NOTIFY).
  gate.replicas?.watchPolicies(policies);
  const replicas = gate.replicas;
  // The cipher routes' keys: the memory backend's process key is zeroed at close.
  const cipher = cipherKeys(state, config.backend);
  const routes = buildRoutes({
    state,
    backend: config.backend,
    roots: config.trustRoots,
    shamir: config.shamir,
    log,
    collector,
    ...(replicaRestore === undefined ? {} : { restoreForward: replicaRestore.forwarding }),
    restoreLimiter: new RateLimiter(RESTORE_RATE),
    maxCiphertextSize: config.maxCiphertextSize,
    cipherKeys: cipher,
    policies,
    rotation,
    // Only where replicas share a store: a single Nexus's status answer stays as it was.
    ...(replicas === undefined ? {} : { replicas: { name: () => replicaName, list: () => replicas.list() } }),
  });
  // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval
  // (default 30 s), and drops a connection that never finishes its TLS handshake
  // only after handshakeTimeout (default 120 s): bound both by the header deadline.
  const https = {
    ...mtlsServerOptions(source),
    handshakeTimeout: config.readHeaderTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, config.readHeaderTimeoutMs),
  };
  const app = buildNexusApp({
    routes,
    backend: config.backend,
    isReady: () => state.ready(),
    log,
    peerIdOf: (req) => peerSpiffeId(req.raw.socket as TLSSocket)?.toString(),
    peerCertificateState: (req) => peerCertificateState(req.raw.socket as TLSSocket),
    earlyFilter: createEarlyFilter({ roots: config.trustRoots, backend: config.backend, policies, state, log }),
    bodyLimit: Math.max(1024 * 1024, 2 * config.maxCiphertextSize + 4096),
    requestTimeoutMs: config.requestTimeoutMs,
    https,
  });
  // TLS level: any SVID that chains to the bundle (upstream AllowAll); routes check roles.
  // Connection caps (docs/design.md § Limits): in all at accept, per peer ID after the handshake.
  const throttle = new LogThrottle(log);
  app.server.maxConnections = config.maxConnections;
  app.server.on('drop', () => throttle.warn('total', 'connection refused: too many open connections', { limit: config.maxConnections }));
  const detach = attachMtlsServer(app.server as unknown as TlsServer, source, authorizeAny(), {
    maxConnectionsPerPeer: config.maxConnectionsPerPeer,
    onReject: (err) => {
      if (err instanceof ConnectionLimitError) throttle.warn(`peer:${err.peerId}`, 'connection refused: too many open connections from one peer', { caller: err.peerId, limit: err.limit });
      else throttle.warn('tls', 'connection refused: peer verification failed', { error: err.message.split('\n')[0] ?? err.name });
    },
  });
  app.server.headersTimeout = config.readHeaderTimeoutMs;
  await app.listen({ port: config.listen.port, host: config.listen.host ?? '::' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.listen.port;
  // Before the root key is known: the emergency routes must be reachable.
  replicaName ||= `${hostname()}:${port}`;
  advertiseUrl ||= defaultAdvertiseUrl(config.listen.host, port, hostname());
  log.event('nexus_listening', { port, backend: config.backend, replica: replicaName });
  // Ready for a load balancer: the root key installed and the database answering.
  const servesNow = (): boolean => state.ready() && (replicas?.databaseUp() ?? true);
  // The key it serves with and the rotation it knows of, as public names, for `spike operator status` through any replica.
  const keyState = (): { fingerprint: string; rotation: string } => {
    if (!state.ready()) return { fingerprint: '', rotation: '' };
    try {
      return { fingerprint: state.rootKey.use((k) => fingerprintOf(k, config.shamir)) ?? '', rotation: rotation.progress()?.phase ?? '' };
    } catch {
      return { fingerprint: '', rotation: '' };
    }
  };
  replicas?.startHeartbeat(replicaName, servesNow, replicaRestore === undefined ? undefined : advertiseUrl, keyState);
  let health: HealthListener | undefined;
  if (config.health !== undefined) {
    try {
      health = await startHealthListener({ ...config.health, ready: servesNow });
    } catch (e) {
      await app.close();
      await replicaRestore?.close();
      await replicas?.stop();
      throw new Error(`the health listener cannot listen on ${config.health.host}:${config.health.port}: ${describeError(e)}`, { cause: e });
    }
    log.event('health_listening', { host: config.health.host, port: health.port });
  }

  const abort = new AbortController();
  let recovery: Promise<void> | undefined;
  const recover = (): void => {
    if (keeperLinks === undefined || abort.signal.aborted) return;
    const previous = recovery;
    recovery = (async () => {
      await previous;
      await recoverFromKeepers({
        keepers: keeperLinks.links,
        threshold: config.shamir.threshold,
        state,
        log,
        maxIntervalMs: config.recoveryMaxIntervalMs,
        signal: abort.signal,
        ...(replicaRestore === undefined ? {} : { nudges: replicaRestore.nudges }),
      });
    })().catch((e: unknown) => log.error('keeper recovery stopped', { error: describeError(e) }));
  };
  recover();
  // Root-key rotations through any replica (docs/postgres.md § Root-key rotation).
  replicas?.watchRotation?.({
    keysChanged: () => state.adoptSealingKey(),
    keyRetired: () => void state.dropRetiredKey().then(recover),
    rotationRunning: () => rotation.resume(),
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    state,
    close: () => {
      closing ??= (async () => {
        abort.abort();
        await health?.close();
        detach();
        await app.close();
        cipher.zero();
        await replicaRestore?.close();
        // Before the store ends the pool: the heartbeat row goes with a clean stop.
        await replicas?.stop();
        await recovery;
        await rotation.close();
        await push?.stop();
        keeperLinks?.close();
        await state.close();
      })();
      return closing;
    },
  };
}
