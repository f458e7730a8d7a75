// `spike policy delete [policy-name]` (upstream delete.go): the name must be
// listed, then a confirmation line is read from stdin (`y`/`Y` proceeds),
// then POST /v1/acl/policy?action=delete {"id":name}.
import type { Command } from 'commander';
import { deletePolicy } from '../../client/api.js';
import { asSuperuser } from '../nexus/calls.js';
import { requirePolicyExists, resolvePolicyName } from '../policy/view.js';
import type { PilotDeps } from '../runtime.js';

export const POLICY_DELETE_SUMMARY = 'Delete a policy';

export async function runPolicyDelete(deps: PilotDeps, arg: string | undefined, o: { name?: string }): Promise<void> {
  const name = resolvePolicyName(arg, o.name);
  await asSuperuser(deps, async (client, nexus) => {
    await requirePolicyExists(client, nexus, name);
    deps.io.out(`Are you sure you want to delete policy '${name}'? (y/N): `);
    const answer = (await deps.io.readLine(1024)).trim();
    if (answer !== 'y' && answer !== 'Y') {
      deps.io.out('Operation canceled.\n');
      return;
    }
    await deletePolicy(client, nexus, name);
    deps.io.out('Policy deleted successfully.\n');
  });
}

export function definePolicyDelete(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(POLICY_DELETE_SUMMARY)
    .argument('[policy-name]', 'policy name')
    .option('--name <name>', 'Policy name to delete (alternative to the argument)')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Asks for confirmation on standard input; only y or Y deletes.

Exit codes:
  0  deleted, or "Operation canceled." at the question
  1  SPIKE Nexus unreachable, too slow, or answered with an error
     (no policy with this name: "Entity not found.")
  2  usage error (no name, or both an argument and --name); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike policy delete db-read
  $ echo y | spike policy delete --name db-read`,
    )
    .action(async (arg: string | undefined, o: { name?: string }) => runPolicyDelete(deps(), arg, o));
}
