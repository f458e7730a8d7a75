// `spike operator status`: where a restore stands, without submitting a
// shard (spike-ts only; needs a Nexus with /v1/operator/status). Recover or
// restore role, or superuser. Exit 0 with the status; 1 when Nexus fails or does not
// support the route; 3 for a wrong role.
import type { Command } from 'commander';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import { jsonDocument } from '../output/json.js';
import type { PilotDeps } from '../runtime.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { fetchRestoreStatus, STATUS_UNSUPPORTED, statusText } from '../breakglass/status.js';

export const STATUS_SUMMARY = 'Show where a restore stands (shards collected, remaining, ids) without sending a shard';

/** Every Pilot role may ask (a superuser meeting a not-ready Nexus is sent here). */
export const STATUS_ROLES = ['superuser', 'recover', 'restore'] as const;

export interface StatusOptions {
  format: string;
}

export async function runStatus(deps: PilotDeps, opts: StatusOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, STATUS_ROLES, cfg);
    const s = await fetchRestoreStatus(await identity.connectNexus());
    if (s === 'unsupported') throw new CliError(ExitCode.nexus, STATUS_UNSUPPORTED);
    deps.io.out(format === 'json' ? jsonDocument(s) : statusText(s));
  });
}

export function defineStatus(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(STATUS_SUMMARY)
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .addHelpText(
      'after',
      `
Needs a Pilot role: superuser, recover or restore. Never sends or shows shard values.
JSON: {"ready":false,"collected":1,"remaining":1,"threshold":2,"ids":[2]}.
Upstream SPIKE Nexus has no status route: spike says so and exits 1.

Exit codes:
  0  the status was printed
  1  SPIKE Nexus unreachable, too slow, answered with an error, or has no
     status route (upstream SPIKE Nexus)
  2  usage error (bad flag or format)
  3  identity failure (no SVID in time, no Pilot role, or the server is not
     SPIKE Nexus)

Example:
  $ spike operator status
  $ spike operator status -f json`,
    )
    .action(async (o: StatusOptions) => runStatus(deps(), o));
}
