// `spike secret put <path> <key=value>...` (upstream put.go): superuser role,
// path check, then POST /v1/store/secrets {"path","values"}; prints `OK`.
// Unlike upstream (which skips a pair without `=` and writes the rest), any
// invalid pair refuses the whole command (exit 2, nothing sent): no partial writes.
import type { Command } from 'commander';
import { secretPutRequest } from '../../protocol/messages.js';
import { PATH_SECRETS } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps } from '../runtime.js';
import { answerFailure, connectFailure } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { checkSecretPath } from '../secret/input.js';

export const PUT_SUMMARY = 'Put secrets at the specified path';

/** Splits `key=value` pairs on the first `=`; later duplicates win. Invalid pairs are reported together. */
export function parsePairs(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const invalid: string[] = [];
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    if (i < 0) invalid.push(kv);
    else values[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (invalid.length > 0) {
    // Upstream's text; the token is the operator's own argument.
    throw new CliError(ExitCode.usage, `Invalid key-value pair: ${invalid[0]}${invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : ''}`);
  }
  return values;
}

export async function runSecretPut(deps: PilotDeps, path: string, pairs: readonly string[]): Promise<void> {
  checkSecretPath(path);
  const values = parsePairs(pairs);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'superuser', cfg);
    // json.Marshal bytes of upstream's SecretPutRequest, in a Buffer zeroed below.
    const body = secretPutRequest.encode({ path, values, err: '' });
    let answer;
    try {
      const nexus = await identity.connectNexus();
      answer = await nexus.post(PATH_SECRETS, undefined, body);
    } catch (e) {
      throw connectFailure(e);
    } finally {
      body.fill(0);
    }
    answer.body.fill(0);
    if (answer.status !== 200) throw answerFailure(answer);
    deps.io.out('OK\n');
  });
}

export function defineSecretPut(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(PUT_SUMMARY)
    .argument('<path>', 'secret path, e.g. secrets/db/creds')
    .argument('<key=value...>', 'one or more key=value pairs (the value may contain =)')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Writes a new version of the secret at <path> holding exactly these keys.

Example:
  spike secret put secrets/db/creds username=admin password=s3cr3t`,
    )
    .action(async (path: string, pairs: string[]) => runSecretPut(deps(), path, pairs));
}
