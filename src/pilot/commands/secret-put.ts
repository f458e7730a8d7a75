// `spike secret put <path> <key=value>...` (upstream put.go): path and pair
// checks, values from files or stdin read (secret/values.ts: `key=@file`,
// `key=-`), superuser role, then POST /v1/store/secrets {"path","values"};
// prints `OK`. Unlike upstream (which skips a pair without `=` and writes the
// rest), any invalid pair refuses the whole command (exit 2, nothing sent):
// no partial writes.
import type { Command } from 'commander';
import { secretPutRequest } from '../../protocol/messages.js';
import { PATH_SECRETS } from '../../protocol/paths.js';
import type { PilotDeps } from '../runtime.js';
import { errCodeOf } from '../../client/json.js';
import { answerFailure, connectFailure, errCodeFailure } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { checkSecretPath } from '../secret/input.js';
import { parsePutPairs, resolvePutValues } from '../secret/values.js';

export const PUT_SUMMARY = 'Put secrets at the specified path';

export async function runSecretPut(deps: PilotDeps, path: string, pairs: readonly string[]): Promise<void> {
  checkSecretPath(path);
  const parsed = parsePutPairs(pairs);
  const cfg = loadConfig(deps.env);
  const values = await resolvePutValues(deps.io, parsed);
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
    // The SDK reads the answer's `err` even on a 200 (HandleAPIError's texts).
    const code = answer.status === 200 ? errCodeOf(answer.body) : undefined;
    answer.body.fill(0);
    if (answer.status !== 200) throw answerFailure(answer);
    if (code !== undefined && code !== '') throw errCodeFailure(code);
    deps.io.out('OK\n');
  });
}

export function defineSecretPut(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(PUT_SUMMARY)
    .argument('<path>', 'secret path, e.g. secrets/db/creds')
    .argument('<key=value...>', 'one or more key=value, key=@file or key=- pairs (the value may contain =)')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
Writes a new version of the secret at <path> holding exactly these keys.

Values:
  key=value     the text after the first =
  key=@file     the bytes of file, exactly (UTF-8 text, at most 1 MiB)
  key=-         standard input to EOF, exactly (one key at most; printf '%s' avoids a newline)
  key=@@text    the literal text @text (one @ dropped)
Command-line arguments are visible to other local users (ps, /proc): pass
secret values with @file or - instead.

Exit codes:
  0  written (prints OK)
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (invalid path or pair, a value file that
     cannot be read or is too large, too much standard input); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
  $ spike secret put secrets/db/creds username=admin password=@./db-password.txt
  $ printf '%s' "$TOKEN" | spike secret put secrets/api token=-`,
    )
    .action(async (path: string, pairs: string[]) => runSecretPut(deps(), path, pairs));
}
