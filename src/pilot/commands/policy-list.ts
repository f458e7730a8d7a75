// `spike policy list` (upstream list.go): POST /v1/acl/policy?action=list
// {"spiffeidPattern","pathPattern"} — Nexus filters by exact equality of the
// stored pattern; the two filters are mutually exclusive.
import { Option, type Command } from 'commander';
import { listPolicies } from '../../client/api.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat } from '../output/format.js';
import { asSuperuser, emptyIfNotFound } from '../nexus/calls.js';
import { renderPolicyList } from '../policy/view.js';
import type { PilotDeps } from '../runtime.js';

export const POLICY_LIST_SUMMARY = 'List policies, optionally filtering by path pattern or SPIFFE ID pattern';

export interface PolicyListFlags {
  pathPattern?: string;
  spiffeidPattern?: string;
  format: string;
}

export async function runPolicyList(deps: PilotDeps, o: PolicyListFlags): Promise<void> {
  const format = parseFormat(o.format, ALL_FORMATS);
  await asSuperuser(deps, async (client, nexus) => {
    const names = await emptyIfNotFound(listPolicies(client, nexus, { spiffeIdPattern: o.spiffeidPattern ?? '', pathPattern: o.pathPattern ?? '' }));
    deps.io.out(renderPolicyList(names, format));
  });
}

export function definePolicyList(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(POLICY_LIST_SUMMARY)
    .addOption(new Option('--path-pattern <pattern>', 'Only policies with exactly this path pattern').conflicts('spiffeidPattern'))
    .addOption(new Option('--spiffeid-pattern <pattern>', 'Only policies with exactly this SPIFFE ID pattern'))
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
The filters compare the stored pattern text exactly (they are not matched as
regular expressions).

Exit codes:
  0  the policies (or "No policies found.") were printed
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error (bad flag or format, both filters); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike policy list
  $ spike policy list --path-pattern '^secrets/db/.*$' -f json`,
    )
    .action(async (o: PolicyListFlags) => runPolicyList(deps(), o));
}
