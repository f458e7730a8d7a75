// `spike operator recover` (alias `spike recover`): fetch every shard from a
// healthy Nexus and save one file per shard (upstream recover.go, spec README
// decision 6). Order: role check → check what already exists of the directory
// → Nexus call → validate the whole answer → create and check the directory →
// remove old files → write → report.
import type { Command } from 'commander';
import { PATH_OPERATOR_RECOVER } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../exit.js';
import { FORMAT_HELP, parseFormat } from '../format.js';
import { precheckRecoveryDir, prepareRecoveryDir } from '../recovery/directory.js';
import { decodeRecoverResponse } from '../recovery/response.js';
import { removeOldRecoveryFiles, writeRecoveryFiles } from '../recovery/writer.js';
import type { PilotDeps } from '../runtime.js';
import { callFailure, describeAnswer, loadConfig, requireRole, withIdentity } from '../session.js';
import { recoverSuccessText } from '../texts.js';

export const RECOVER_SUMMARY = 'Recover SPIKE Nexus (do this while SPIKE Nexus is healthy)';
const FAILED = 'Failed to retrieve recovery shards.';

export interface RecoverOptions {
  format: string;
}

export async function runRecover(deps: PilotDeps, opts: RecoverOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'recover', cfg);
    // Fail before fetching any shard when the directory is already known to be unusable.
    precheckRecoveryDir(cfg.recoveryDir);
    const nexus = await identity.connectNexus();
    let answer;
    try {
      answer = await nexus.post(PATH_OPERATOR_RECOVER, undefined, Buffer.from('{}'));
    } catch (e) {
      throw callFailure(e, FAILED);
    }
    let shards: Map<number, Buffer>;
    try {
      if (answer.status !== 200) throw new CliError(ExitCode.nexus, `${FAILED} (${describeAnswer(answer)})`);
      shards = decodeRecoverResponse(answer.body, cfg.maxShareCount);
    } finally {
      answer.body.fill(0);
    }
    try {
      const dir = prepareRecoveryDir(cfg.recoveryDir);
      removeOldRecoveryFiles(dir);
      const files = writeRecoveryFiles(dir, shards);
      if (format === 'json') {
        deps.io.out(JSON.stringify({ directory: dir, files }, null, 2) + '\n');
      } else {
        deps.io.out(recoverSuccessText(dir));
      }
    } finally {
      for (const v of shards.values()) v.fill(0);
    }
  });
}

export function defineRecover(cmd: Command, deps: () => PilotDeps, name = 'operator recover'): Command {
  return cmd
    .description(RECOVER_SUMMARY)
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .addHelpText(
      'after',
      `
Needs the 'recover' SPIFFE ID (spiffe://<trust root>/spike/pilot/role/recover).
Saves one file per shard, spike.recovery.<id>.txt (mode 0600), in
$SPIKE_PILOT_RECOVERY_DIR/recover, else ~/.spike/recover, else /tmp/.spike-$USER/recover.
Encrypt the shards, keep them in separate safe places, then erase the files.

Example:
  spike ${name}`,
    )
    .action(async (o: RecoverOptions) => runRecover(deps(), o));
}
