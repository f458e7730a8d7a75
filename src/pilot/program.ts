// The commander tree of `spike`. Every command module is light: anything
// heavy (grpc, TLS, x509, the HTTP client) is loaded with `await import()`
// inside nexus/identity.ts, only by commands that talk to Nexus.
import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { defineRecover } from './commands/operator-recover.js';
import { defineRestore } from './commands/operator-restore.js';
import { defineRotate } from './commands/operator-rotate.js';
import { definePreflight } from './commands/operator-preflight.js';
import { defineStatus } from './commands/operator-status.js';
import { defineVerify } from './commands/operator-verify.js';
import { definePolicyApply } from './commands/policy-apply.js';
import { definePolicyCreate } from './commands/policy-create.js';
import { definePolicyDelete } from './commands/policy-delete.js';
import { definePolicyGet } from './commands/policy-get.js';
import { definePolicyList } from './commands/policy-list.js';
import { defineSecretDelete } from './commands/secret-delete.js';
import { defineSecretGet } from './commands/secret-get.js';
import { defineSecretList } from './commands/secret-list.js';
import { defineSecretMetadata } from './commands/secret-metadata-get.js';
import { defineSecretPut } from './commands/secret-put.js';
import { defineSecretUndelete } from './commands/secret-undelete.js';
import type { PilotDeps } from './runtime.js';
import { loadFormatSetting } from './config.js';
import { installFormatFlags } from './format-flags.js';

export const VERSION: string = pkg.version;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (restore: also "shard accepted, more shards needed")
  1  SPIKE Nexus unreachable or answered with an error
  2  usage error or invalid input (bad flag, malformed shard, invalid path,
     rotate without --yes and without a terminal)
  3  identity failure (no SVID in time, wrong role, server is not SPIKE Nexus)
  4  local filesystem failure (recovery directory unsafe or unwritable)
  5  restore: Nexus did not take the shard (the shards held do not fit yet
     or belong to a previous root key, a drill shard does NOT match the root
     key or cannot be checked, or too many values for one id)
  130 interrupted (Ctrl-C at a prompt; nothing was sent)`;

export interface ProgramOutput {
  out(text: string): void;
  err(text: string): void;
}

export function buildProgram(deps: () => PilotDeps, output: ProgramOutput): Command {
  const program = new Command('spike');
  // Set before adding subcommands: commander copies these settings to them.
  program
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s), outputError: () => undefined })
    .exitOverride()
    .helpCommand(true)
    .description(`SPIKE v${VERSION}\n>> Secure your secrets with SPIFFE: https://spike.ist/ #`)
    .version(VERSION, '-V, --version', 'Print the version of spike')
    .addHelpText('after', `${EXIT_CODES_HELP}

Examples:
  spike operator recover        save recovery shards (while SPIKE Nexus is healthy)
  spike operator restore        feed one shard to SPIKE Nexus after a total failure
  spike operator verify         check shard files offline against the manifest
  spike operator rotate         replace the root key (then run recover again)
  spike secret put secrets/db/creds username=admin password=s3cr3t
  spike secret get secrets/db/creds
  spike policy list`);

  const operator = program.command('operator').description('Manage admin operations');
  defineRecover(operator.command('recover'), deps);
  defineRestore(operator.command('restore'), deps);
  // spike-ts break-glass additions (docs/runbook.md).
  defineStatus(operator.command('status'), deps);
  defineVerify(operator.command('verify'), deps);
  definePreflight(operator.command('preflight'), deps);
  defineRotate(operator.command('rotate'), deps);

  const secret = program.command('secret').description('Manage secrets');
  defineSecretPut(secret.command('put'), deps);
  defineSecretGet(secret.command('get'), deps);
  defineSecretList(secret.command('list'), deps);
  defineSecretDelete(secret.command('delete'), deps);
  defineSecretUndelete(secret.command('undelete'), deps);
  defineSecretMetadata(secret.command('metadata'), deps);

  const policy = program.command('policy').description('Manage policies');
  definePolicyCreate(policy.command('create'), deps);
  definePolicyApply(policy.command('apply'), deps);
  definePolicyList(policy.command('list'), deps);
  definePolicyGet(policy.command('get'), deps);
  definePolicyDelete(policy.command('delete'), deps);

  // The seed documents' older spelling.
  defineRecover(program.command('recover'), deps, 'recover').summary('Alias of `spike operator recover`');
  defineRestore(program.command('restore'), deps, 'restore').summary('Alias of `spike operator restore`');
  installFormatFlags(program, () => loadFormatSetting(deps().env));
  return program;
}
