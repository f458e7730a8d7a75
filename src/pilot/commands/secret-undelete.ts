// `spike secret undelete <path>` (upstream undelete.go): restores soft-deleted
// versions. POST /v1/store/secrets?action=undelete {"path","versions"}; prints `OK`.
import type { Command } from 'commander';
import { undeleteSecret } from '../../client/api.js';
import { asSuperuser } from '../nexus/calls.js';
import type { PilotDeps } from '../runtime.js';
import { checkSecretPath, parseVersionList } from '../secret/input.js';

export const UNDELETE_SUMMARY = 'Undelete secrets at the specified path';

export async function runSecretUndelete(deps: PilotDeps, path: string, opts: { versions: string }): Promise<void> {
  checkSecretPath(path);
  const versions = parseVersionList(opts.versions);
  await asSuperuser(deps, async (client, nexus) => {
    await undeleteSecret(client, nexus, path, versions);
    deps.io.out('OK\n');
  });
}

export function defineSecretUndelete(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(UNDELETE_SUMMARY)
    .argument('<path>', 'secret path')
    .option('-v, --versions <versions>', 'Comma-separated list of versions to undelete', '0')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Version 0 is the current version. When every version is deleted there is no
current version: name the versions to bring back.

Exit codes:
  0  undeleted (prints OK)
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (invalid path or version list); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike secret undelete secrets/db/creds -v 2
  $ spike secret undelete secrets/db/creds -v 1,2,3`,
    )
    .action(async (path: string, o: { versions: string }) => runSecretUndelete(deps(), path, o));
}
