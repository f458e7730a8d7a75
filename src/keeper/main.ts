#!/usr/bin/env node
// spike-keeper: holds one root-key shard in memory for SPIKE Nexus.
import { processEnv } from '../protocol/config/env.js';
import { loadKeeperConfig } from '../protocol/config/keeper.js';
import { isKeeper } from '../protocol/roles.js';
import { X509Source } from '../spiffe/workloadapi.js';
import { createLogger, describeError } from '../common/log.js';
import { createLifecycle } from '../common/lifecycle.js';
import { ShardStore } from './shard-store.js';
import { keeperPeerPolicy } from './policy.js';
import { startKeeperServer } from './server.js';

function die(message: string): never {
  process.stderr.write(`spike-keeper: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadKeeperConfig(processEnv());
  } catch (e) {
    die(describeError(e));
  }
  const logger = createLogger({ component: 'keeper', level: config.logLevel });
  const lifecycle = createLifecycle({ onError: (e) => logger.warn('shutdown step failed', { error: describeError(e) }) });
  const store = new ShardStore();
  lifecycle.onShutdown(() => store.clear());

  let source: X509Source;
  try {
    source = await X509Source.create({ address: config.spiffe.endpointSocket, timeoutMs: config.spiffe.sourceTimeoutMs });
  } catch (e) {
    die(`cannot get an X509-SVID: ${describeError(e)}`);
  }
  lifecycle.onShutdown(() => source.close());
  source.on('error', (e: unknown) => logger.warn('workload API stream error', { error: describeError(e) }));

  const self = source.getX509Svid().id.toString();
  if (!isKeeper(self, config.trustRoots.keeper)) {
    await source.close();
    die(`SPIFFE ID is not valid: ${self} (a SPIKE Keeper ID is required)`);
  }

  let server;
  try {
    server = await startKeeperServer(
      { source, policy: keeperPeerPolicy(config.trustRoots), store, logger, readHeaderTimeoutMs: config.readHeaderTimeoutMs },
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
