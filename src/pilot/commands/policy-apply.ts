// `spike policy apply` (upstream apply.go): create or update a policy from
// the four flags or from a YAML file (`--file`, not combined with the flags).
// POST /v1/acl/policy; prints `Policy '<name>' applied successfully`.
import type { Command } from 'commander';
import { putPolicy, type PolicySpec } from '../../client/api.js';
import { CliError, ExitCode } from '../output/exit.js';
import { asSuperuser } from '../nexus/calls.js';
import { readPolicyFile } from '../policy/file.js';
import type { PilotDeps } from '../runtime.js';
import { addPolicyFlags, checkPolicy, missingPolicyFlags, type PolicyFlags } from './policy-create.js';

export const POLICY_APPLY_SUMMARY = 'Apply a policy configuration (create or update)';

export interface PolicyApplyFlags extends PolicyFlags {
  file?: string;
}

export async function policyFromApplyFlags(o: PolicyApplyFlags): Promise<PolicySpec> {
  if (o.file !== undefined) {
    const others = (['name', 'pathPattern', 'spiffeidPattern', 'permissions'] as const).filter((k) => o[k] !== undefined);
    if (others.length > 0) throw new CliError(ExitCode.usage, '--file cannot be combined with --name, --path-pattern, --spiffeid-pattern or --permissions');
    const spec = await readPolicyFile(o.file);
    return checkPolicy(spec.name, spec.spiffeidPattern, spec.pathPattern, spec.permissions);
  }
  const missing = missingPolicyFlags(o);
  if (missing.length > 0) throw new CliError(ExitCode.usage, `required flags are missing: ${missing.join(', ')} (or use --file to read from YAML)`);
  return checkPolicy(o.name as string, o.spiffeidPattern as string, o.pathPattern as string, [o.permissions as string]);
}

export async function runPolicyApply(deps: PilotDeps, o: PolicyApplyFlags): Promise<void> {
  const p = await policyFromApplyFlags(o);
  await asSuperuser(deps, async (client, nexus) => {
    await putPolicy(client, nexus, p);
    deps.io.out(`Policy '${p.name}' applied successfully\n`);
  });
}

export function definePolicyApply(cmd: Command, deps: () => PilotDeps): Command {
  return addPolicyFlags(cmd.description(POLICY_APPLY_SUMMARY))
    .option('--file <path>', 'Path to YAML file containing policy configuration')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Creates the policy, or replaces the one with the same name (its creation time is kept).

Policy file (YAML, read as upstream's Go yaml.v3 reads it; other keys are ignored):
  name: db-read
  spiffeidPattern: "^spiffe://example\\\\.org/app/.*$"
  pathPattern: "^secrets/db/.*$"
  permissions:
    - read
    - list

Exit codes:
  0  created or updated
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (a missing flag, --file together with other
     flags, an invalid or missing policy file, name, pattern or permission);
     nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)
  4  the policy file exists but cannot be read

Example:
  $ spike policy apply --file db-read.yaml
  $ spike policy apply --name db-read --path-pattern '^secrets/db/.*$' \\
      --spiffeid-pattern '^spiffe://example\\.org/app/.*$' --permissions read,list`,
    )
    .action(async (o: PolicyApplyFlags) => runPolicyApply(deps(), o));
}
