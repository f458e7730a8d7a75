#!/usr/bin/env node
// spike-nexus: the SPIKE secrets server. Process concerns only: the command
// line (no arguments but `store …` and --help: src/common/server-args.ts),
// configuration from the environment (invalid → one line on stderr, exit 1), the SVID
// (must be the Nexus ID), logging, and clean shutdown on SIGTERM/SIGINT
// (stop serving, close the store, zero the root key).
import { processEnv } from '../protocol/config/env.js';
import { loadNexusConfig } from './config.js';
import { isNexus } from '../protocol/roles.js';
import { createLogger, describeError } from '../common/log.js';
import { createLifecycle } from '../common/lifecycle.js';
import { acquireIdentity, fatalFor, loadConfigOrDie, type Die } from '../common/startup.js';
import { startNexus } from './nexus.js';
import { NEXUS_USAGE, parseServerArgs } from '../common/server-args.js';

const die: Die = fatalFor('spike-nexus');

async function main(): Promise<void> {
  // `spike-nexus store …` works on a store offline instead of serving (src/nexus/commands/store-copy.ts).
  if (process.argv[2] === 'store') {
    const { runStoreCommand } = await import('./commands/store-copy.js');
    const code = await runStoreCommand(process.argv.slice(3), { env: processEnv(), out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) });
    // Exit now: node-postgres can leave a refused connection open until the server drops it.
    process.exit(code);
  }
  const args = parseServerArgs(process.argv.slice(2), NEXUS_USAGE);
  if (args.kind === 'help') {
    process.stdout.write(`${NEXUS_USAGE}\n`);
    process.exit(0);
  }
  if (args.kind === 'error') die(args.message, 2);
  const config = loadConfigOrDie(die, () => loadNexusConfig(processEnv()));
  const log = createLogger({ component: 'nexus', level: config.logLevel });
  const lifecycle = createLifecycle({ onError: (e) => log.warn('shutdown step failed', { error: describeError(e) }) });

  const { source, self } = await acquireIdentity({
    spiffe: config.spiffe,
    logger: log,
    die,
    allowed: (id) => isNexus(id, config.trustRoots.nexus),
    refusal: (id) => `SPIFFE ID is not valid: ${id} (a SPIKE Nexus ID is required)`,
  });
  lifecycle.onShutdown(() => source.close());

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
