// `spike secret metadata get <path>` (upstream metadata_get.go, print.go):
// POST /v1/store/secrets/metadata?action=get {"path","version"}; prints the
// versions and metadata as upstream's human layout, JSON (2-space indent) or YAML.
import type { Command } from 'commander';
import { getSecretMetadata, type SecretMetadataAnswer } from '../../client/api.js';
import { indentedJsonDocument } from '../output/json.js';
import { formatDateTimeZone, type GoTime, isZeroTime, toGoTime } from '../../gocompat/time.js';
import { y, yamlMarshal, type YamlNode } from '../../gocompat/yaml.js';
import { type GoTimeValue, secretMetadataResponse } from '../../protocol/messages.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat, type OutputFormat } from '../output/format.js';
import { asSuperuser } from '../nexus/calls.js';
import type { PilotDeps } from '../runtime.js';
import { checkSecretPath, parseSingleVersion } from '../secret/input.js';

export const METADATA_SUMMARY = 'Manage secret metadata';
export const METADATA_GET_SUMMARY = 'Gets secret metadata from the specified path';

const SEPARATOR = `${'-'.repeat(50)}\n`;

const t = (v: GoTimeValue): GoTime => toGoTime(v);

/** upstream print.go printSecretResponse; versions in ascending order (Go's map order is random). */
function renderHuman(m: SecretMetadataAnswer): string {
  let out = '';
  const md = m.metadata;
  const hasMetadata =
    md.currentVersion !== 0 || md.oldestVersion !== 0 || md.maxVersions !== 0 || !isZeroTime(t(md.createdTime)) || !isZeroTime(t(md.updatedTime));
  if (hasMetadata) {
    out += `\nMetadata:\n${SEPARATOR}`;
    out += `Current Version : ${md.currentVersion}\n`;
    out += `Oldest Version  : ${md.oldestVersion}\n`;
    out += `Created Time    : ${formatDateTimeZone(t(md.createdTime))}\n`;
    out += `Last Updated    : ${formatDateTimeZone(t(md.updatedTime))}\n`;
    out += `Max Versions    : ${md.maxVersions}\n`;
    out += SEPARATOR;
  }
  const versions = [...(m.versions ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
  if (versions.length > 0) {
    out += `\nSecret Versions:\n${SEPARATOR}`;
    for (const [n, v] of versions) {
      out += `Version ${n}:\n  Created: ${formatDateTimeZone(t(v.createdTime))}\n`;
      if (v.deletedTime !== null) out += `  Deleted: ${formatDateTimeZone(t(v.deletedTime))}\n`;
      out += SEPARATOR;
    }
  }
  return out;
}

/** json.MarshalIndent(reqres.SecretMetadataResponse, "", "  "): the wire encoding indented (versions omitted when empty, map keys in Go's order). */
function renderJson(m: SecretMetadataAnswer): string {
  // cmd.Println: one newline after the document.
  return indentedJsonDocument(secretMetadataResponse.encode({ ...m, err: '' }));
}

function renderYaml(m: SecretMetadataAnswer): string {
  const md = m.metadata;
  const versions = [...(m.versions ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
  const doc: YamlNode = y.map([
    [
      'versions',
      y.map(
        versions.map(([n, v]) => [
          n,
          y.map([
            ['createdtime', y.time(t(v.createdTime))],
            ['version', y.int(v.version)],
            ['deletedtime', v.deletedTime === null ? y.null() : y.time(t(v.deletedTime))],
          ]),
        ]),
      ),
    ],
    [
      'metadata',
      y.map([
        ['currentversion', y.int(md.currentVersion)],
        ['oldestversion', y.int(md.oldestVersion)],
        ['createdtime', y.time(t(md.createdTime))],
        ['updatedtime', y.time(t(md.updatedTime))],
        ['maxversions', y.int(md.maxVersions)],
      ]),
    ],
  ]);
  return yamlMarshal(doc);
}

export function renderSecretMetadata(m: SecretMetadataAnswer, format: OutputFormat): string {
  if (format === 'json') return renderJson(m);
  if (format === 'yaml') return renderYaml(m);
  return renderHuman(m);
}

export async function runSecretMetadataGet(deps: PilotDeps, path: string, opts: { version: string; format: string }): Promise<void> {
  const format = parseFormat(opts.format, ALL_FORMATS);
  const version = parseSingleVersion(opts.version);
  checkSecretPath(path);
  await asSuperuser(deps, async (client, nexus) => {
    deps.io.out(renderSecretMetadata(await getSecretMetadata(client, nexus, path, version), format));
  });
}

export function defineSecretMetadata(cmd: Command, deps: () => PilotDeps): Command {
  cmd.description(METADATA_SUMMARY).addHelpText(
    'after',
    `
Run \`spike secret metadata get --help\` for its flags, exit codes and examples.

Exit codes:
  0  this help was asked for (--help)
  2  no command, or an unknown one (this help is printed on stderr)

Example:
  $ spike secret metadata get secrets/db/creds`,
  );
  cmd
    .command('get')
    .description(METADATA_GET_SUMMARY)
    .argument('<path>', 'secret path')
    .option('-v, --version <n>', 'Specific version to retrieve (0 = current)', '0')
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
The requested version (0 = current) must exist and not be deleted; the answer
then lists every version, deleted ones included.

Exit codes:
  0  the metadata was printed
  1  SPIKE Nexus unreachable, too slow, or answered with an error
     (no such secret or version: "Resource not found.")
  2  usage error or invalid input (bad flag, format, path or version);
     nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike secret metadata get secrets/db/creds
  $ spike secret metadata get secrets/db/creds -v 2 -f json`,
    )
    .action(async (path: string, o: { version: string; format: string }) => runSecretMetadataGet(deps(), path, o));
  return cmd;
}
