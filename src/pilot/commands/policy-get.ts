// `spike policy get [policy-name]` (upstream get.go): the name must be listed
// (`Error: Entity not found.`), then POST /v1/acl/policy?action=get {"id":name}.
import type { Command } from 'commander';
import { getPolicy } from '../../client/api.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat } from '../output/format.js';
import { asSuperuser } from '../nexus/calls.js';
import { renderPolicy, requirePolicyExists, resolvePolicyName } from '../policy/view.js';
import type { PilotDeps } from '../runtime.js';

export const POLICY_GET_SUMMARY = 'Get policy details';

export async function runPolicyGet(deps: PilotDeps, arg: string | undefined, o: { name?: string; format: string }): Promise<void> {
  const format = parseFormat(o.format, ALL_FORMATS);
  const name = resolvePolicyName(arg, o.name);
  await asSuperuser(deps, async (client, nexus) => {
    await requirePolicyExists(client, nexus, name);
    deps.io.out(renderPolicy(await getPolicy(client, nexus, name), format));
  });
}

export function definePolicyGet(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(POLICY_GET_SUMMARY)
    .argument('[policy-name]', 'policy name')
    .option('--name <name>', 'Policy name to look up (alternative to the argument)')
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).

Exit codes:
  0  the policy was printed
  1  SPIKE Nexus unreachable, too slow, or answered with an error
     (no policy with this name: "Entity not found.")
  2  usage error (no name, or both an argument and --name; bad format);
     nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike policy get db-read
  $ spike policy get --name db-read -f yaml`,
    )
    .action(async (arg: string | undefined, o: { name?: string; format: string }) => runPolicyGet(deps(), arg, o));
}
