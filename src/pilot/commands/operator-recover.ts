// `spike operator recover` (alias `spike recover`): fetch every shard from a
// healthy Nexus and save one file per shard (upstream recover.go;
// docs/design.md § Recovery directory and files). Order: role check → check what already exists of the directory
// → Nexus call → validate the whole answer → create and check the directory →
// remove old files → write → manifest → report. spike-ts additions
// (docs/runbook.md): the manifest spike.recovery.manifest.json (no secret
// material) and, with --recipient/--recipients-file, one age-encrypted file
// per shard instead of any plaintext file. A plaintext export refuses to run
// in a directory holding earlier `.age` exports (it would delete them); an
// encrypted one replaces them (docs/runbook.md, `recover` reference).
import type { Command } from 'commander';
import { PATH_OPERATOR_RECOVER } from '../../protocol/paths.js';
import { nexusId as nexusIdOf } from '../../protocol/roles.js';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import { jsonDocument } from '../output/json.js';
import { precheckRecoveryDir, prepareRecoveryDir } from '../breakglass/recovery-directory.js';
import { decodeRecoverResponse } from '../breakglass/recover-response.js';
import { removeOldRecoveryFiles } from '../breakglass/recovery-writer.js';
import type { PilotDeps } from '../runtime.js';
import { callFailure, describeAnswer } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { recoverSuccessText } from '../output/texts.js';
import { readLimitedFile } from '../breakglass/files.js';
import { displayFingerprint } from '../breakglass/manifest.js';

export const RECOVER_SUMMARY = 'Recover SPIKE Nexus (do this while SPIKE Nexus is healthy)';
const FAILED = 'Failed to retrieve recovery shards.';

export interface RecoverOptions {
  format: string;
  recipient?: string[];
  recipientsFile?: string;
}

/** The age recipients of --recipient and --recipients-file (exit 2 when invalid); [] for plaintext. */
async function recipientsOf(opts: RecoverOptions): Promise<string[]> {
  const flags = opts.recipient ?? [];
  if (flags.length === 0 && opts.recipientsFile === undefined) return [];
  const { parseRecipients } = await import('../breakglass/age.js');
  const text = opts.recipientsFile === undefined ? undefined : readLimitedFile(opts.recipientsFile, 1024 * 1024, 'recipients file').toString('utf8');
  return parseRecipients(flags, text, opts.recipientsFile);
}

function encryptedSuccessText(dir: string): string {
  return [
    '',
    '  SPIKE Recovery shards saved, age-encrypted, to the recovery directory:',
    `  ${dir}`,
    '',
    '  No plaintext shard was written. Each spike.recovery.<id>.txt.age file',
    '  opens only with the age identity of its recipient. Hand each file to',
    '  its custodian; they check it with `spike operator verify -i <key file>`.',
    '',
  ].join('\n') + '\n';
}

function fingerprintText(fingerprint: string, manifestPath: string): string {
  return ['  Shard set fingerprint (write it into your runbook):', `  ${displayFingerprint(fingerprint)}`, `  Manifest: ${manifestPath}`, ''].join('\n') + '\n';
}

export async function runRecover(deps: PilotDeps, opts: RecoverOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const cfg = loadConfig(deps.env);
  const recipients = await recipientsOf(opts);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'recover', cfg);
    // Fail before fetching any shard when the directory is already known to be unusable.
    const plannedDir = precheckRecoveryDir(cfg.recoveryDir);
    const { assignRecipients, exportBreakglass, refuseToDropEncryptedExports } = await import('../breakglass/export.js');
    if (recipients.length === 0) refuseToDropEncryptedExports(plannedDir);
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
      // A recipient count that fits no rule is refused before the disk is touched.
      if (recipients.length > 0) assignRecipients([...shards.keys()], recipients);
      const dir = prepareRecoveryDir(cfg.recoveryDir);
      if (recipients.length === 0) refuseToDropEncryptedExports(dir); // again: files may have appeared meanwhile
      await removeOldRecoveryFiles(dir);
      const r = await exportBreakglass({
        dir,
        shards,
        nexusId: nexus.peerId?.() ?? nexusIdOf(cfg.trustRoots.nexus[0] ?? 'spike.ist'),
        recipients,
        writePlaintext: recipients.length === 0,
      });
      if (format === 'json') {
        deps.io.out(
          jsonDocument({
            directory: dir,
            files: r.files,
            manifest: r.manifestPath,
            fingerprint: r.manifest.fingerprint,
            threshold: r.manifest.threshold,
            encrypted: recipients.length > 0,
          }),
        );
      } else {
        deps.io.out((recipients.length > 0 ? encryptedSuccessText(dir) : recoverSuccessText(dir)) + fingerprintText(r.manifest.fingerprint, r.manifestPath));
      }
    } finally {
      for (const v of shards.values()) v.fill(0);
    }
  });
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function defineRecover(cmd: Command, deps: () => PilotDeps, name = 'operator recover'): Command {
  return cmd
    .description(RECOVER_SUMMARY)
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .option('-r, --recipient <age recipient>', 'encrypt to this age recipient (repeatable: one for all shards, or one per shard in id order)', collect, [])
    .option('-R, --recipients-file <file>', 'age recipients, one per line (# comments), same rule as --recipient')
    .addHelpText(
      'after',
      `
Needs the recover role (spiffe://<trust root>/spike/pilot/role/recover;
hack/spire-server-entry-recover-register.sh grants it on the local stack).
Saves one file per shard, spike.recovery.<id>.txt (mode 0600), in
$SPIKE_PILOT_RECOVERY_DIR/recover, else ~/.spike/recover, else /tmp/.spike-$USER/recover,
and the manifest spike.recovery.manifest.json (check digests, no secrets);
prints the shard set fingerprint.
With --recipient/--recipients-file: spike.recovery.<id>.txt.age (armored age)
instead, and no plaintext shard file is ever written.
Otherwise encrypt the shards, keep them in separate safe places, then erase the files.
Earlier files in that directory: spike.recovery*.txt files and the manifest
are replaced; earlier .age files are replaced by an encrypted export, and a
plaintext export refuses to run while they are there (exit 4).

Exit codes:
  0  the shard files and the manifest were saved
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (bad flag or format, invalid age recipient,
     unreadable recipients file); nothing was fetched
  3  identity failure (no SVID in time, not the recover role, or the server
     is not SPIKE Nexus)
  4  the recovery directory is unsafe or cannot be written, or a plaintext
     export would delete earlier .age exports in it

Example:
  $ spike ${name}
  $ spike ${name} -r age1alice… -r age1bob… -r age1carol…`,
    )
    .action(async (o: RecoverOptions) => runRecover(deps(), o));
}
