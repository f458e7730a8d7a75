// `spike secret get <path> [key]` (upstream get.go): superuser role, format
// and path checks, POST /v1/store/secrets?action=get {"path","version"};
// prints `<k>: <v>` lines (sorted by key), one value, or Go-style JSON.
import { InvalidArgumentError, type Command } from 'commander';
import { goQuote } from '../../gocompat/json/quote.js';
import { compareGoStrings } from '../../gocompat/json/sort.js';
import { goMarshalIndent } from '../../gocompat/json/indent.js';
import { compareYamlKeys, y, yamlMarshal } from '../../gocompat/yaml.js';
import { secretGetRequest, secretGetResponse } from '../../protocol/messages.js';
import { ACTION_GET, PATH_SECRETS } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat, type OutputFormat } from '../output/format.js';
import type { PilotDeps } from '../runtime.js';
import { answerFailure, connectFailure } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { checkSecretPath } from '../secret/input.js';

export const GET_SUMMARY = 'Get secrets from the specified path';

export interface SecretGetOptions {
  version: number;
  format: string;
}

function parseVersion(v: string): number {
  if (!/^[0-9]{1,9}$/.test(v)) throw new InvalidArgumentError('must be a whole number (0 = current version)');
  return Number(v);
}

/** The `data` map of a get answer (Go's json.Unmarshal into reqres.SecretReadResponse); null → undefined. */
export function decodeGetResponse(body: Uint8Array): Record<string, string> | undefined {
  let answer;
  try {
    answer = secretGetResponse.decode(body);
  } catch {
    throw new CliError(ExitCode.nexus, 'Failed to parse API response.');
  }
  if (answer.err !== '') throw new CliError(ExitCode.nexus, `[${answer.err.slice(0, 64)}]`);
  return answer.data ?? undefined;
}

/** What `secret get` prints for `data`, or a CliError for a missing key. */
export function renderSecret(data: Readonly<Record<string, string>>, key: string | undefined, format: OutputFormat): string {
  if (key !== undefined) {
    if (!Object.hasOwn(data, key)) throw new CliError(ExitCode.nexus, 'Key not found.');
    const v = data[key] as string;
    // yaml: yaml.Marshal printed with "%s\n" (so a blank line ends it).
    if (format === 'yaml') return `${yamlMarshal(y.str(v))}\n`;
    return format === 'json' ? `${goQuote(v)}\n` : `${v}\n`;
  }
  // json.MarshalIndent(map[string]string, "", "    "): keys in Go's order.
  if (format === 'json') return `${goMarshalIndent((w) => w.stringKeyMap(data, (x, v) => x.string(v)), '', '    ')}\n`;
  if (format === 'yaml') {
    // yaml.Marshal(map[string]string): keys in yaml.v3's order.
    const keys = Object.keys(data).sort(compareYamlKeys);
    return `${yamlMarshal(y.map(keys.map((k) => [k, y.str(data[k] as string)])))}\n`;
  }
  // Go ranges over a map in random order; sorted here so the output is stable.
  const keys = Object.keys(data).sort(compareGoStrings);
  if (keys.length === 0) throw new CliError(ExitCode.nexus, 'Key not found.');
  return keys.map((k) => `${k}: ${data[k] as string}\n`).join('');
}

export async function runSecretGet(deps: PilotDeps, path: string, key: string | undefined, opts: SecretGetOptions): Promise<void> {
  const format = parseFormat(opts.format, ALL_FORMATS);
  checkSecretPath(path);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'superuser', cfg);
    const req = secretGetRequest.encode({ path, version: opts.version > 0 ? opts.version : 0 });
    let answer;
    try {
      const nexus = await identity.connectNexus();
      answer = await nexus.post(PATH_SECRETS, ACTION_GET, req);
    } catch (e) {
      throw connectFailure(e);
    }
    let data;
    try {
      if (answer.status !== 200) throw answerFailure(answer);
      data = decodeGetResponse(answer.body);
    } finally {
      answer.body.fill(0);
    }
    if (data === undefined) throw new CliError(ExitCode.nexus, 'Secret has no data.');
    deps.io.out(renderSecret(data, key, format));
  });
}

export function defineSecretGet(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(GET_SUMMARY)
    .argument('<path>', 'secret path')
    .argument('[key]', 'print only the value of this key')
    .option('-v, --version <n>', 'Specific version to retrieve (0 = current)', parseVersion, 0)
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).

Examples:
  spike secret get secrets/db/creds
  spike secret get secrets/db/creds password
  spike secret get secrets/db/creds -v 2 -f json`,
    )
    .action(async (path: string, key: string | undefined, o: SecretGetOptions) => runSecretGet(deps(), path, key, o));
}
