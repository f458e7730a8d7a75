// `spike operator restore` (alias `spike restore`): send one recovery shard to
// a Nexus that waits for an operator restore (upstream restore.go;
// docs/design.md § Texts and § Restore input). Order: role check → read input (hidden on a TTY, stdin
// otherwise; or --file, an age file decrypted in memory with --identity) →
// strict local validation → the --manifest check (spike-ts) → Nexus call →
// report (breakglass/restore-answer.ts). Every local refusal is exit 2 and
// sends nothing. `--reset` empties Nexus's collection instead (no shard read).
import type { Command } from 'commander';
import { encodeRestoreRequest, restoreResponse } from '../../protocol/messages.js';
import { ACTION_RESET, PATH_OPERATOR_RESTORE } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat, type OutputFormat } from '../output/format.js';
import { indentedJsonDocument } from '../output/json.js';
import type { NexusAnswer, PilotDeps, PilotIdentity, PilotIo } from '../runtime.js';
import { callFailure } from '../nexus/calls.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { MAX_SHARD_INPUT_BYTES, parseShard } from '../breakglass/shard.js';
import { RESTORE_FAILED, resetReport, submitReport, type RestoreReport } from '../breakglass/restore-answer.js';
import { RESTORE_PROMPT, RESTORE_PROMPT_NOTICE } from '../output/texts.js';

export const RESTORE_SUMMARY = 'Restore SPIKE Nexus (do this if SPIKE Nexus cannot auto-recover)';

export interface RestoreOptions {
  format: string;
  file?: string;
  identity?: string;
  manifest?: string;
  fingerprint?: string;
  reset?: boolean;
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

/**
 * Prints a report, then fails with its failure, if any. `-f json`: Nexus's
 * answer with every field it carries (upstream's field order, spike-ts's
 * fields only when set), by the one JSON rule (output/json.ts).
 */
function printReport(io: PilotIo, format: OutputFormat, r: RestoreReport): void {
  if (format === 'json') io.out(indentedJsonDocument(restoreResponse.encode(r.answer)));
  else if (r.text !== '') io.out(r.text);
  if (r.failure) throw r.failure;
}

/** POSTs to the restore route; `body` is zeroed once sent. */
async function postRestore(identity: PilotIdentity, action: string | undefined, body: Buffer): Promise<NexusAnswer> {
  try {
    const nexus = await identity.connectNexus();
    return await nexus.post(PATH_OPERATOR_RESTORE, action, body);
  } catch (e) {
    throw callFailure(e, RESTORE_FAILED);
  } finally {
    body.fill(0);
  }
}

export async function runRestore(deps: PilotDeps, opts: RestoreOptions): Promise<void> {
  const format = parseFormat(opts.format);
  if (opts.reset === true && [opts.file, opts.identity, opts.manifest, opts.fingerprint].some((o) => o !== undefined)) {
    throw new CliError(ExitCode.usage, '--reset reads no shard: leave out --file, --identity, --manifest and --fingerprint.');
  }
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'restore', cfg);
    if (opts.reset === true) {
      const answer = await postRestore(identity, ACTION_RESET, Buffer.from('{}'));
      printReport(deps.io, format, resetReport(answer));
      return;
    }
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
    let report: RestoreReport;
    try {
      const body = encodeRestoreRequest(shard.id, shard.value);
      shard.value.fill(0);
      const answer = await postRestore(identity, undefined, body);
      try {
        report = submitReport(shard.id, answer);
      } finally {
        answer.body.fill(0);
      }
    } finally {
      shard.value.fill(0);
    }
    printReport(deps.io, format, report);
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
    .option('--reset', 'empty the shards SPIKE Nexus has collected so far (no shard is read)')
    .addHelpText(
      'after',
      `
Needs the 'restore' SPIFFE ID (spiffe://<trust root>/spike/pilot/role/restore).
Reads one shard, spike:<id>:<64 hex characters>: hidden from a terminal, or
from standard input to EOF (at most 4096 bytes), or from --file. Run once per
shard until SPIKE Nexus reports that it is restored. With --manifest a shard
that is not in the manifest's set is refused locally (exit 2, nothing sent).

SPIKE Nexus keeps every shard given until the root key is rebuilt: a wrong
shard never discards good ones. --reset empties the collection to start over.

Exit codes:
  0  the shard was accepted (more may be needed) or SPIKE Nexus is restored;
     --reset: the collection was emptied
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (malformed shard, unreadable --file or
     --identity, a shard not in --manifest's set); nothing was sent
  3  identity failure (no SVID in time, not the restore role, or the server
     is not SPIKE Nexus)
  5  SPIKE Nexus did not take the shard: the shards held do not fit together
     yet (give more) or belong to a previous root key, too many values for
     one id (--reset), or on a healthy Nexus (a drill) the shard does NOT
     match the current root key or Nexus cannot check it
  130 Ctrl-C at the hidden prompt; nothing was sent

Example:
  $ spike ${name}
  $ spike ${name} < spike.recovery.1.txt
  $ spike ${name} --file spike.recovery.1.txt.age -i ~/alice.agekey -m spike.recovery.manifest.json
  $ spike ${name} --reset`,
    )
    .action(async (o: RestoreOptions) => runRestore(deps(), o));
}
