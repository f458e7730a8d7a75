#!/usr/bin/env node
// spike-keeper: holds one root-key shard in memory for SPIKE Nexus.
import { processEnv } from '../protocol/config/env.js';
import { loadKeeperConfig } from './config.js';
import { isKeeper } from '../protocol/roles.js';
import { createLogger, describeError } from '../common/log.js';
import { createLifecycle } from '../common/lifecycle.js';
import { acquireIdentity, fatalFor, loadConfigOrDie, type Die } from '../common/startup.js';
import { ShardStore } from './shard-store.js';
import { keeperPeerPolicy } from './policy.js';
import { startKeeperServer } from './server.js';
import { KEEPER_USAGE, parseServerArgs } from '../common/server-args.js';

const die: Die = fatalFor('spike-keeper');

async function main(): Promise<void> {
  // No arguments but --help (src/common/server-args.ts).
  const args = parseServerArgs(process.argv.slice(2), KEEPER_USAGE);
  if (args.kind === 'help') {
    process.stdout.write(`${KEEPER_USAGE}\n`);
    process.exit(0);
  }
  if (args.kind === 'error') die(args.message, 2);
  const config = loadConfigOrDie(die, () => loadKeeperConfig(processEnv()));
  const logger = createLogger({ component: 'keeper', level: config.logLevel });
  const lifecycle = createLifecycle({ onError: (e) => logger.warn('shutdown step failed', { error: describeError(e) }) });
  const store = new ShardStore();
  lifecycle.onShutdown(() => store.clear());

  const { source, self } = await acquireIdentity({
    spiffe: config.spiffe,
    logger,
    die,
    allowed: (id) => isKeeper(id, config.trustRoots.keeper),
    refusal: (id) => `SPIFFE ID is not valid: ${id} (a SPIKE Keeper ID is required)`,
  });
  lifecycle.onShutdown(() => source.close());

  let server;
  try {
    server = await startKeeperServer(
      {
        source,
        policy: keeperPeerPolicy(config.trustRoots),
        store,
        logger,
        readHeaderTimeoutMs: config.readHeaderTimeoutMs,
        maxConnections: config.maxConnections,
        maxConnectionsPerPeer: config.maxConnectionsPerPeer,
      },
      config.listen,
    );
  } catch (e) {
    await source.close();
    die(`cannot listen on port ${config.listen.port}: ${describeError(e)}`);
  }
  lifecycle.onShutdown(() => server.close());
  logger.event('keeper_listening', { port: server.port, spiffe_id: self });
}

main().catch((e: unknown) => die(describeError(e)));
