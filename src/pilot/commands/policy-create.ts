// `spike policy create` (upstream create.go): all four flags required;
// permissions and patterns checked locally; refuses an existing name (use
// `policy apply` to update); POST /v1/acl/policy. Prints `Policy created successfully.`
import type { Command } from 'commander';
import { listPolicies, putPolicy, type PolicySpec } from '../../client/api.js';
import { CliError, ExitCode } from '../output/exit.js';
import { asSuperuser, emptyIfNotFound } from '../nexus/calls.js';
import { checkPathPattern, checkPolicyName, checkSpiffeIdPattern, parsePermissions } from '../policy/input.js';
import type { PilotDeps } from '../runtime.js';

export const POLICY_CREATE_SUMMARY = 'Create a new policy';

export interface PolicyFlags {
  name?: string;
  pathPattern?: string;
  spiffeidPattern?: string;
  permissions?: string;
}

/** The names of the missing flags, in upstream's order. */
export function missingPolicyFlags(o: PolicyFlags): string[] {
  const missing: string[] = [];
  if (!o.name) missing.push('--name');
  if (!o.pathPattern) missing.push('--path-pattern');
  if (!o.spiffeidPattern) missing.push('--spiffeid-pattern');
  if (!o.permissions) missing.push('--permissions');
  return missing;
}

/** Local checks of a complete policy (exit 2 on failure); the result is what api.ts's putPolicy sends. */
export function checkPolicy(name: string, spiffeidPattern: string, pathPattern: string, permissions: readonly string[]): PolicySpec {
  const perms = parsePermissions(permissions);
  checkPolicyName(name);
  checkSpiffeIdPattern(spiffeidPattern);
  checkPathPattern(pathPattern);
  return { name, spiffeIdPattern: spiffeidPattern, pathPattern, permissions: perms };
}

export async function runPolicyCreate(deps: PilotDeps, o: PolicyFlags): Promise<void> {
  const missing = missingPolicyFlags(o);
  if (missing.length > 0) throw new CliError(ExitCode.usage, `All flags are required. Missing: ${missing.join(', ')}`);
  const p = checkPolicy(o.name as string, o.spiffeidPattern as string, o.pathPattern as string, [o.permissions as string]);
  await asSuperuser(deps, async (client, nexus) => {
    const existing = await emptyIfNotFound(listPolicies(client, nexus));
    if (existing.includes(p.name)) throw new CliError(ExitCode.nexus, `Policy '${p.name}' already exists.`);
    await putPolicy(client, nexus, p);
    deps.io.out('Policy created successfully.\n');
  });
}

export function addPolicyFlags(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'Policy name (required)')
    .option('--path-pattern <pattern>', 'Resource path pattern, e.g. "^secrets/db/.*$" (required)')
    .option('--spiffeid-pattern <pattern>', 'SPIFFE ID pattern, e.g. "^spiffe://example\\.org/service/.*$" (required)')
    .option('--permissions <list>', 'Comma-separated permissions: read, write, list, execute, super (required)');
}

export function definePolicyCreate(cmd: Command, deps: () => PilotDeps): Command {
  return addPolicyFlags(cmd.description(POLICY_CREATE_SUMMARY))
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Patterns are regular expressions matched against the workload's SPIFFE ID and
the secret path (unanchored unless they use ^ and $). Fails if a policy with
this name exists; \`spike policy apply\` creates or updates.

Exit codes:
  0  created
  1  SPIKE Nexus unreachable, too slow, or answered with an error
     (a policy with this name exists)
  2  usage error or invalid input (a missing flag, an invalid name, pattern or
     permission); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike policy create --name db-read \\
      --path-pattern '^secrets/db/.*$' \\
      --spiffeid-pattern '^spiffe://example\\.org/app/.*$' \\
      --permissions read,list`,
    )
    .action(async (o: PolicyFlags) => runPolicyCreate(deps(), o));
}
