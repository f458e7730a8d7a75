// `spike operator restore` (alias `spike restore`): send one recovery shard to
// a Nexus that waits for an operator restore (upstream restore.go;
// docs/design.md § Texts and § Restore input). Order: role check → read input (hidden on a TTY, stdin
// otherwise; or --file, an age file decrypted in memory with --identity) →
// strict local validation → the --manifest check (spike-ts) → Nexus call →
// report. Every local refusal is exit 2 and sends nothing.
import type { Command } from 'commander';
import { encodeRestoreRequest, restoreResponse } from '../../protocol/messages.js';
import { PATH_OPERATOR_RESTORE } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import type { PilotDeps, PilotIo } from '../runtime.js';
import { callFailure, describeAnswer } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { MAX_SHARD_INPUT_BYTES, parseShard } from '../breakglass/shard.js';
import { RESTORE_PROMPT, RESTORE_PROMPT_NOTICE, restoreCompleteText, restoreProgressText } from '../output/texts.js';

export const RESTORE_SUMMARY = 'Restore SPIKE Nexus (do this if SPIKE Nexus cannot auto-recover)';
const FAILED = 'Failed to communicate with SPIKE Nexus.';

export interface RestoreOptions {
  format: string;
  file?: string;
  identity?: string;
  manifest?: string;
  fingerprint?: string;
}

export interface RestoreStatus {
  collected: number;
  remaining: number;
  restored: boolean;
}

/** Reads the shard text: hidden prompt on a terminal, else stdin to EOF (≤ 4096 bytes). */
export async function readShardInput(io: PilotIo): Promise<Buffer> {
  if (io.stdinIsTty()) {
    io.err(RESTORE_PROMPT_NOTICE);
    const line = await io.readHidden(RESTORE_PROMPT);
    // `read` hands us a JS string; copy it into a Buffer we can zero.
    return Buffer.from(line, 'utf8');
  }
  return io.readStdin(MAX_SHARD_INPUT_BYTES);
}

/** Decodes a 200 restore answer `{"collected":n,"remaining":m,"restored":b}` as Go would (err → failure). */
export function decodeRestoreResponse(body: Uint8Array): RestoreStatus {
  let answer;
  try {
    answer = restoreResponse.decode(body);
  } catch {
    throw new CliError(ExitCode.nexus, `${FAILED} (malformed answer)`);
  }
  if (answer.err !== '') {
    throw new CliError(ExitCode.nexus, `${FAILED} (${answer.err.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')})`);
  }
  const { collected, remaining, restored } = answer;
  if (collected < 0 || remaining < 0) throw new CliError(ExitCode.nexus, `${FAILED} (malformed answer)`);
  return { collected, remaining, restored };
}

export async function runRestore(deps: PilotDeps, opts: RestoreOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'restore', cfg);
    const manifest = opts.manifest === undefined ? undefined : (await import('../breakglass/load.js')).loadManifest(opts.manifest, opts.fingerprint);
    if (manifest === undefined && opts.fingerprint !== undefined) throw new CliError(ExitCode.usage, '--fingerprint needs --manifest <file>.');
    const fromFile = opts.file !== undefined || opts.identity !== undefined;
    const input = fromFile ? await (await import('../breakglass/restore-source.js')).readShardFromFile(opts) : await readShardInput(deps.io);
    let shard;
    try {
      shard = parseShard(input, cfg.maxShareCount);
    } finally {
      input.fill(0);
    }
    if (manifest !== undefined) {
      try {
        (await import('../breakglass/restore-source.js')).checkShardAgainstManifest(manifest, shard.id, shard.value);
      } catch (e) {
        shard.value.fill(0);
        throw e;
      }
    }
    let status: RestoreStatus;
    try {
      const body = encodeRestoreRequest(shard.id, shard.value);
      shard.value.fill(0);
      let answer;
      try {
        const nexus = await identity.connectNexus();
        answer = await nexus.post(PATH_OPERATOR_RESTORE, undefined, body);
      } catch (e) {
        throw callFailure(e, FAILED);
      } finally {
        body.fill(0);
      }
      try {
        if (answer.status !== 200) throw new CliError(ExitCode.nexus, `${FAILED} (${describeAnswer(answer)})`);
        status = decodeRestoreResponse(answer.body);
      } finally {
        answer.body.fill(0);
      }
    } finally {
      shard.value.fill(0);
    }
    if (format === 'json') {
      deps.io.out(JSON.stringify(status) + '\n');
    } else if (status.restored) {
      deps.io.out(restoreCompleteText());
    } else {
      deps.io.out(restoreProgressText(status.collected, status.remaining));
    }
  });
}

export function defineRestore(cmd: Command, deps: () => PilotDeps, name = 'operator restore'): Command {
  return cmd
    .description(RESTORE_SUMMARY)
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .option('--file <file>', 'read the shard from this file (spike.recovery.<id>.txt, or .txt.age with --identity)')
    .option('-i, --identity <file>', 'age identity file to decrypt an encrypted shard file in memory')
    .option('-m, --manifest <file>', 'check the shard against this manifest before sending it')
    .option('--fingerprint <hex>', 'with --manifest: the shard set fingerprint written down at export')
    .addHelpText(
      'after',
      `
Needs the 'restore' SPIFFE ID (spiffe://<trust root>/spike/pilot/role/restore).
Reads one shard, spike:<id>:<64 hex characters>: hidden from a terminal, or
from standard input to EOF (at most 4096 bytes), or from --file. Run once per
shard until SPIKE Nexus reports that it is restored. With --manifest a shard
that is not in the manifest's set is refused locally (exit 2, nothing sent).

Examples:
  spike ${name}
  spike ${name} < spike.recovery.1.txt
  spike ${name} --file spike.recovery.1.txt.age -i ~/alice.agekey -m spike.recovery.manifest.json`,
    )
    .action(async (o: RestoreOptions) => runRestore(deps(), o));
}
