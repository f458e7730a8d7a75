// `spike secret list` (upstream list.go): superuser role, then
// POST /v1/store/secrets?action=list {}; prints `- <path>` lines,
// `No secrets found.`, a JSON array (2-space indent) or a YAML list.
import type { Command } from 'commander';
import { goJsonDocument } from '../output/json.js';
import { y, yamlMarshal } from '../../gocompat/yaml.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat, type OutputFormat } from '../output/format.js';
import { listSecrets } from '../../client/api.js';
import { asSuperuser, emptyIfNotFound } from '../nexus/calls.js';
import type { PilotDeps } from '../runtime.js';

export const LIST_SUMMARY = 'List all secret paths';

/** What `secret list` prints for `keys` (kept in Nexus's order, which is sorted). */
export function renderSecretList(keys: readonly string[], format: OutputFormat): string {
  // json.MarshalIndent(keys, "", "  "); upstream prints `[]` for none (Go would print null).
  if (format === 'json') return goJsonDocument((w) => w.array(keys, (x, k) => x.string(k)));
  if (format === 'yaml') return keys.length === 0 ? '[]\n' : yamlMarshal(y.seq(keys.map((k) => y.str(k))));
  if (keys.length === 0) return 'No secrets found.\n';
  return keys.map((k) => `- ${k}\n`).join('');
}

export async function runSecretList(deps: PilotDeps, opts: { format: string }): Promise<void> {
  const format = parseFormat(opts.format, ALL_FORMATS);
  await asSuperuser(deps, async (client, nexus) => {
    deps.io.out(renderSecretList(await emptyIfNotFound(listSecrets(client, nexus)), format));
  });
}

export function defineSecretList(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(LIST_SUMMARY)
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Lists every stored path, sorted, including secrets whose versions are all deleted.

Exit codes:
  0  the paths (or "No secrets found.") were printed
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error (bad flag or format, an extra argument); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike secret list
  $ spike secret list -f json`,
    )
    .action(async (o: { format: string }) => runSecretList(deps(), o));
}
