#!/usr/bin/env node
// spike-bootstrap -init: generates the root key once per store, hands share i
// to Keeper i and waits until SPIKE Nexus proves it rebuilt the same key.
import { processEnv } from '../protocol/config/env.js';
import { loadBootstrapConfig, type BootstrapConfig } from './config.js';
import { isBootstrap, isNexus } from '../protocol/roles.js';
import { unpinnedKeepersWarning } from '../protocol/config/shared.js';
import { createKeeperClients } from '../common/keeper-clients.js';
import { authorizeIf } from '../spiffe/authorizer.js';
import { createSpikeHttpClient } from '../client/http.js';
import { contributeShard, verifyBootstrap } from '../client/api.js';
import { createLogger, describeError } from '../common/log.js';
import { acquireIdentity, fatalFor, loadConfigOrDie, type Die } from '../common/startup.js';
import { USAGE, parseBootstrapArgs } from './args.js';
import { decideBootstrap } from './decide.js';
import { openStoreMarker, type StoreMarker } from './store-marker.js';
import { runBootstrap } from './run.js';

const die: Die = fatalFor('spike-bootstrap');

async function main(): Promise<void> {
  const args = parseBootstrapArgs(process.argv.slice(2));
  if (args.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (args.kind === 'error') die(args.message, 2);

  const config: BootstrapConfig = loadConfigOrDie(die, () => loadBootstrapConfig(processEnv()));
  const logger = createLogger({ component: 'bootstrap', level: config.logLevel });
  if (config.timeoutMs > 0) {
    setTimeout(() => die(`timed out after SPIKE_BOOTSTRAP_TIMEOUT (${config.timeoutMs} ms)`), config.timeoutMs).unref();
  }

  // The marker of this store (postgres: connected and holding the store's run lock until close()).
  let marker: StoreMarker;
  let already: boolean;
  try {
    marker = await openStoreMarker(config, {
      onWaiting: () => logger.event('bootstrap_waiting', { reason: 'another Bootstrap is running on this store; waiting for it to end' }),
      onAdopted: () => logger.info('the store holds data under a root key: recorded as bootstrapped'),
    });
    already = await marker.alreadyBootstrapped();
  } catch (e) {
    die(`cannot check the bootstrap marker (${config.backend === 'postgres' ? 'PostgreSQL' : config.nexusDataDir}): ${describeError(e)}`);
  }
  const decision = decideBootstrap({ backend: config.backend, force: config.force, alreadyBootstrapped: already });
  if (!decision.run) {
    await marker.close();
    logger.event('bootstrap_skipped', { reason: decision.reason });
    process.exit(0);
  }
  logger.info('bootstrap starting', { reason: decision.reason });

  const { source, self } = await acquireIdentity({
    spiffe: config.spiffe,
    logger,
    die,
    allowed: (id) => isBootstrap(id, config.trustRoots.bootstrap),
    refusal: (id) => `bootstrap SPIFFE ID required, got ${id}`,
  });

  const roots = config.trustRoots;
  const unpinned = unpinnedKeepersWarning(config.keepers);
  if (unpinned !== undefined) logger.warn(unpinned);
  // One client per keeper URL, pinned to that keeper's ID when configured
  // (docs/design.md § Identities): a mismatch is refused in the TLS handshake.
  const keepers = createKeeperClients(source, config.keepers, roots.keeper, Math.min(config.httpTimeoutMs, config.keeperTimeoutMs), (m) =>
    logger.error('keeper_identity_mismatch', { url: m.url, expected: m.expected, presented: m.presented }),
  );
  const nexus = createSpikeHttpClient({
    source,
    serverAuthorizer: authorizeIf((id) => isNexus(id, roots.nexus), 'SPIKE Nexus'),
    timeoutMs: config.httpTimeoutMs,
  });
  try {
    await runBootstrap({
      config,
      selfId: self,
      network: {
        contribute: (keeper, shard, timeoutMs) => contributeShard(keepers.forUrl(keeper), keeper, shard, { timeoutMs }),
        verify: (nonce, ciphertext) => verifyBootstrap(nexus, config.nexusApiUrl, nonce, ciphertext),
      },
      onProgress: (msg, fields) => logger.info(msg, fields),
      recordCompletion: (m) => marker.record(m),
      completionPlace: marker.place,
    });
  } catch (e) {
    await marker.close();
    keepers.close();
    nexus.close();
    await source.close();
    die(describeError(e));
  }
  await marker.close();
  keepers.close();
  nexus.close();
  await source.close();
  logger.event('bootstrap_completed', { keepers: config.keeperPeers.length, threshold: config.shamir.threshold });
  process.exit(0);
}

main().catch((e: unknown) => die(describeError(e)));
