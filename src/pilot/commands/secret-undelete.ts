// `spike secret undelete <path>` (upstream undelete.go): restores soft-deleted
// versions. POST /v1/store/secrets?action=undelete {"path","versions"}; prints `OK`.
import type { Command } from 'commander';
import { undeleteSecret } from '../../client/api.js';
import { asSuperuser } from '../nexus/calls.js';
import type { PilotDeps } from '../runtime.js';
import { checkSecretPath, parseVersionList } from '../secret/input.js';
import { secretVersionsHelp } from '../secret/versions-help.js';

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
      secretVersionsHelp(
        'Version 0 is the current version. When every version is deleted there is no\ncurrent version: name the versions to bring back.',
        'undeleted',
        ['spike secret undelete secrets/db/creds -v 2', 'spike secret undelete secrets/db/creds -v 1,2,3'],
      ),
    )
    .action(async (path: string, o: { versions: string }) => runSecretUndelete(deps(), path, o));
}
