// `spike secret delete <path>` (upstream delete.go): soft-deletes versions.
// POST /v1/store/secrets?action=delete {"path","versions"}; prints `OK`.
import type { Command } from 'commander';
import { deleteSecret } from '../../client/api.js';
import { asSuperuser } from '../nexus/calls.js';
import type { PilotDeps } from '../runtime.js';
import { checkSecretPath, parseVersionList } from '../secret/input.js';
import { secretVersionsHelp } from '../secret/versions-help.js';

export const DELETE_SUMMARY = 'Delete secrets at the specified path';

export async function runSecretDelete(deps: PilotDeps, path: string, opts: { versions: string }): Promise<void> {
  checkSecretPath(path);
  const versions = parseVersionList(opts.versions);
  await asSuperuser(deps, async (client, nexus) => {
    await deleteSecret(client, nexus, path, versions);
    deps.io.out('OK\n');
  });
}

export function defineSecretDelete(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(DELETE_SUMMARY)
    .argument('<path>', 'secret path')
    .option('-v, --versions <versions>', 'Comma-separated list of versions to delete', '0')
    .addHelpText(
      'after',
      secretVersionsHelp(
        'Version 0 is the current version; deleted versions can be brought back with\n`spike secret undelete`.',
        'deleted',
        [
          'spike secret delete secrets/db/creds          # the current version',
          'spike secret delete secrets/db/creds -v 1,2,3 # versions 1, 2 and 3',
          'spike secret delete secrets/db/creds -v 0,1   # the current version and version 1',
        ],
      ),
    )
    .action(async (path: string, o: { versions: string }) => runSecretDelete(deps(), path, o));
}
