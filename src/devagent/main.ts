#!/usr/bin/env node
// spike-dev-agent: a development SPIFFE Workload API with its own CA.
// Never for production: it serves an identity to any process that can open
// the workload's socket (production uses SPIRE).
import { Command, CommanderError } from 'commander';
import { processEnv } from '../protocol/config/env.js';
import { entryDelete, entryList, entrySet, type Output } from './commands/entry.js';
import { toCliError } from './commands/errors.js';
import { runAgent } from './commands/run.js';
import { socketPath } from './commands/socket.js';

const io: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

let exitCode = 0;

/** Runs a command action, turning failures into a one-line error and an exit code. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<number> | number): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      exitCode = await fn(...args);
    } catch (e) {
      const err = toCliError(e);
      io.err(`Error: ${err.message}`);
      exitCode = err.exitCode;
    }
  };
}

function buildProgram(): Command {
  const env = processEnv();
  const program = new Command('spike-dev-agent')
    .description('Development SPIFFE Workload API for SPIKE (never for production: use SPIRE)')
    .exitOverride()
    .showSuggestionAfterError(false);

  program
    .command('run')
    .description('run the agent in the foreground: one Workload API socket per workload under $SPIKE_DEV_DIR/sockets')
    .action(action(() => runAgent(env)));

  const entry = program.command('entry').description('manage registration entries (workload name -> SPIFFE ID)');
  entry
    .command('set')
    .description('give a workload a SPIFFE ID; a running agent pushes the new SVID before this returns')
    .argument('<workload>', 'workload name ([a-z0-9-], at most 32 characters)')
    .argument('<spiffe-id>', 'SPIFFE ID in the agent trust domain, e.g. spiffe://spike.ist/spike/pilot/role/recover')
    .action(action((workload: string, id: string) => entrySet(env, workload, id, io)));
  entry
    .command('delete')
    .description("remove a workload's entry; its open streams end with PERMISSION_DENIED")
    .argument('<workload>', 'workload name')
    .action(action((workload: string) => entryDelete(env, workload, io)));
  entry
    .command('list')
    .description('list the entries')
    .option('--json', 'print a JSON object (workload -> SPIFFE ID)')
    .action(action((opts: { json?: boolean }) => entryList(env, opts.json === true, io)));

  program
    .command('socket')
    .description("print a workload's socket path (use it as SPIFFE_ENDPOINT_SOCKET=unix://<path>)")
    .argument('<workload>', 'workload name')
    .action(action((workload: string) => socketPath(env, workload, io)));

  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; every other parse failure is a usage error.
      exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    } else {
      const err = toCliError(e);
      io.err(`Error: ${err.message}`);
      exitCode = err.exitCode;
    }
  }
  process.exit(exitCode);
}

void main();
