// `spike secret get <path> [key]` (upstream get.go): superuser role, format
// and path checks, POST /v1/store/secrets?action=get {"path","version"};
// prints `<k>: <v>` lines (sorted by key), one value, or Go-style JSON.
// On a terminal, control characters in keys and values are shown escaped
// (output/terminal.ts) unless --raw is given; elsewhere the bytes are exact.
import { InvalidArgumentError, type Command } from 'commander';
import { goQuote } from '../../gocompat/json/quote.js';
import { compareGoStrings } from '../../gocompat/json/sort.js';
import { goJsonDocument } from '../output/json.js';
import { compareYamlKeys, y, yamlMarshal } from '../../gocompat/yaml.js';
import { secretGetRequest, secretGetResponse } from '../../protocol/messages.js';
import { ACTION_GET, PATH_SECRETS } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import { ALL_FORMATS, FORMAT_HELP_ALL, parseFormat, type OutputFormat } from '../output/format.js';
import type { PilotDeps } from '../runtime.js';
import { answerFailure, connectFailure, errCodeFailure } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { checkSecretPath } from '../secret/input.js';
import { escapeControlsKeepingLines, escapeJsonControls, safeForTerminal } from '../output/terminal.js';

export const GET_SUMMARY = 'Get secrets from the specified path';

/** Upstream get.go: json.MarshalIndent(data, "", "    ") — the one -f json that indents by four (docs/cli.md § Output formats). */
const UPSTREAM_GET_INDENT = '    ';

export interface SecretGetOptions {
  version: number;
  format: string;
  /** Print control characters as they are, even on a terminal. */
  raw?: boolean;
}

/** Told once on stderr when something was shown escaped. */
export const ESCAPED_NOTICE = '(control characters are shown escaped, Go %q style; --raw prints them as they are)\n';

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
  if (answer.err !== '') throw errCodeFailure(answer.err.slice(0, 64));
  return answer.data ?? undefined;
}

/**
 * What `secret get` prints on a terminal: in human output a key or value
 * with a control character is shown %q-quoted; YAML keeps its line breaks and
 * escapes the other controls; JSON writes DEL and C1 as \u escapes too.
 */
export function renderSecretForTerminal(data: Readonly<Record<string, string>>, key: string | undefined, format: OutputFormat): string {
  if (format === 'json') return escapeJsonControls(renderSecret(data, key, format));
  if (format === 'yaml') return escapeControlsKeepingLines(renderSecret(data, key, format));
  const safe: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(data)) safe[safeForTerminal(k)] = safeForTerminal(v);
  if (key !== undefined) {
    if (!Object.hasOwn(data, key)) throw new CliError(ExitCode.nexus, 'Key not found.');
    return `${safeForTerminal(data[key] as string)}\n`;
  }
  return renderSecret(safe, undefined, format);
}

/** What `secret get` prints for `data` (the exact bytes), or a CliError for a missing key. */
export function renderSecret(data: Readonly<Record<string, string>>, key: string | undefined, format: OutputFormat): string {
  if (key !== undefined) {
    if (!Object.hasOwn(data, key)) throw new CliError(ExitCode.nexus, 'Key not found.');
    const v = data[key] as string;
    // yaml: yaml.Marshal printed with "%s\n" (so a blank line ends it).
    if (format === 'yaml') return `${yamlMarshal(y.str(v))}\n`;
    return format === 'json' ? `${goQuote(v)}\n` : `${v}\n`;
  }
  // json.MarshalIndent(map[string]string, "", "    "): keys in Go's order.
  if (format === 'json') return goJsonDocument((w) => w.stringKeyMap(data, (x, v) => x.string(v)), UPSTREAM_GET_INDENT);
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
    if (opts.raw === true || !deps.io.stdoutIsTty()) {
      deps.io.out(renderSecret(data, key, format));
      return;
    }
    const exact = renderSecret(data, key, format);
    const shown = renderSecretForTerminal(data, key, format);
    deps.io.out(shown);
    if (shown !== exact) deps.io.err(ESCAPED_NOTICE);
  });
}

export function defineSecretGet(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(GET_SUMMARY)
    .argument('<path>', 'secret path')
    .argument('[key]', 'print only the value of this key')
    .option('-v, --version <n>', 'Specific version to retrieve (0 = current)', parseVersion, 0)
    .option('-f, --format <format>', FORMAT_HELP_ALL, 'human')
    .option('--raw', 'on a terminal too, print control characters as they are (never escaped)')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
On a terminal, keys and values holding control characters (escape sequences,
line breaks, tabs) are shown quoted with Go %q escapes, e.g. "a\\x1b[2J"; in a
pipe or a file the output is exact. --raw prints them as they are.

Exit codes:
  0  the secret (or the key's value) was printed
  1  SPIKE Nexus unreachable, too slow, or answered with an error
     (no such secret or version: "Resource not found."; no such key)
  2  usage error or invalid input (bad flag, format, path or version);
     nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike secret get secrets/db/creds
  $ spike secret get secrets/db/creds password
  $ spike secret get secrets/db/creds -v 2 -f json`,
    )
    .action(async (path: string, key: string | undefined, o: SecretGetOptions) => runSecretGet(deps(), path, key, o));
}
