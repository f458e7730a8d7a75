#!/usr/bin/env node
// spike-nexus: the SPIKE secrets server. Process concerns only: configuration
// from the environment (invalid → one line on stderr, exit 1), the SVID
// (must be the Nexus ID), logging, and clean shutdown on SIGTERM/SIGINT
// (stop serving, close the store, zero the root key).
import { processEnv } from '../protocol/config/env.js';
import { loadNexusConfig, type NexusConfig } from '../protocol/config/nexus.js';
import { isNexus } from '../protocol/roles.js';
import { X509Source } from '../spiffe/workloadapi.js';
import { createLogger, describeError } from '../common/log.js';
import { createLifecycle } from '../common/lifecycle.js';
import { startNexus } from './nexus.js';

function die(message: string): never {
  process.stderr.write(`spike-nexus: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: NexusConfig;
  try {
    config = loadNexusConfig(processEnv());
  } catch (e) {
    die(describeError(e));
  }
  const log = createLogger({ component: 'nexus', level: config.logLevel });
  const lifecycle = createLifecycle({ onError: (e) => log.warn('shutdown step failed', { error: describeError(e) }) });

  let source: X509Source;
  try {
    source = await X509Source.create({ address: config.spiffe.endpointSocket, timeoutMs: config.spiffe.sourceTimeoutMs });
  } catch (e) {
    die(`cannot get an X509-SVID: ${describeError(e)}`);
  }
  lifecycle.onShutdown(() => source.close());
  source.on('error', (e: unknown) => log.warn('workload API stream error', { error: describeError(e) }));

  const self = source.getX509Svid().id.toString();
  if (!isNexus(self, config.trustRoots.nexus)) {
    await source.close();
    die(`SPIFFE ID is not valid: ${self} (a SPIKE Nexus ID is required)`);
  }

  let nexus;
  try {
    nexus = await startNexus(config, source, log);
  } catch (e) {
    await source.close();
    die(`cannot start: ${describeError(e)}`);
  }
  lifecycle.onShutdown(() => nexus.close());
  log.info('serving', { spiffe_id: self });
  // A bug must not take the secrets server down: log it (no secrets) and keep serving.
  process.on('unhandledRejection', (e: unknown) => log.error('unhandled rejection', { error: describeError(e) }));
}

main().catch((e: unknown) => die(describeError(e)));
