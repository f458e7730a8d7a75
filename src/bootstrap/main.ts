#!/usr/bin/env node
// spike-bootstrap -init: generates the root key once per store, hands share i
// to Keeper i and waits until SPIKE Nexus proves it rebuilt the same key.
import { processEnv } from '../protocol/config/env.js';
import { loadBootstrapConfig, type BootstrapConfig } from '../protocol/config/bootstrap.js';
import { isBootstrap, isKeeper, isNexus } from '../protocol/roles.js';
import { X509Source } from '../spiffe/workloadapi.js';
import { authorizeIf } from '../spiffe/authorizer.js';
import { createSpikeHttpClient } from '../client/http.js';
import { contributeShard, verifyBootstrap } from '../client/api.js';
import { createLogger, describeError } from '../common/log.js';
import { USAGE, parseBootstrapArgs } from './args.js';
import { decideBootstrap } from './decide.js';
import { markerExists } from './marker.js';
import { runBootstrap } from './run.js';

function die(message: string, code = 1): never {
  process.stderr.write(`spike-bootstrap: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const args = parseBootstrapArgs(process.argv.slice(2));
  if (args.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (args.kind === 'error') die(args.message, 2);

  let config: BootstrapConfig;
  try {
    config = loadBootstrapConfig(processEnv());
  } catch (e) {
    die(describeError(e));
  }
  const logger = createLogger({ component: 'bootstrap', level: config.logLevel });
  if (config.timeoutMs > 0) {
    setTimeout(() => die(`timed out after SPIKE_BOOTSTRAP_TIMEOUT (${config.timeoutMs} ms)`), config.timeoutMs).unref();
  }

  let already: boolean;
  try {
    already = markerExists(config.nexusDataDir);
  } catch (e) {
    die(`cannot check the bootstrap marker in ${config.nexusDataDir}: ${describeError(e)}`);
  }
  const decision = decideBootstrap({ backend: config.backend, force: config.force, alreadyBootstrapped: already });
  if (!decision.run) {
    logger.event('bootstrap_skipped', { reason: decision.reason });
    process.exit(0);
  }
  logger.info('bootstrap starting', { reason: decision.reason });

  let source: X509Source;
  try {
    source = await X509Source.create({ address: config.spiffe.endpointSocket, timeoutMs: config.spiffe.sourceTimeoutMs });
  } catch (e) {
    die(`cannot get an X509-SVID: ${describeError(e)}`);
  }
  source.on('error', (e: unknown) => logger.warn('workload API stream error', { error: describeError(e) }));
  const self = source.getX509Svid().id.toString();
  if (!isBootstrap(self, config.trustRoots.bootstrap)) {
    await source.close();
    die(`bootstrap SPIFFE ID required, got ${self}`);
  }

  const roots = config.trustRoots;
  const keepers = createSpikeHttpClient({
    source,
    serverAuthorizer: authorizeIf((id) => isKeeper(id, roots.keeper), 'a SPIKE Keeper'),
    timeoutMs: Math.min(config.httpTimeoutMs, config.keeperTimeoutMs),
  });
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
        contribute: (keeper, shard, timeoutMs) => contributeShard(keepers, keeper, shard, { timeoutMs }),
        verify: (nonce, ciphertext) => verifyBootstrap(nexus, config.nexusApiUrl, nonce, ciphertext),
      },
      onProgress: (msg, fields) => logger.info(msg, fields),
    });
  } catch (e) {
    keepers.close();
    nexus.close();
    await source.close();
    die(describeError(e));
  }
  keepers.close();
  nexus.close();
  await source.close();
  logger.event('bootstrap_completed', { keepers: config.keeperPeers.length, threshold: config.shamir.threshold });
  process.exit(0);
}

main().catch((e: unknown) => die(describeError(e)));
