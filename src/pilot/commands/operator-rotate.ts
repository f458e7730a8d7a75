// `spike operator rotate` (spike-ts only): SPIKE Nexus makes a new root key,
// re-encrypts every stored record with it and gives the Keepers new shards;
// earlier recovery shard files become useless (docs/runbook.md § The root
// key must change). Superuser role. Order: --yes or a terminal to ask on
// (else exit 2, nothing sent) → SVID → role check → the question → the
// rotate call → follow it through `/v1/operator/status` until it is over
// (unless --no-wait) → report.
import type { Command } from 'commander';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import { jsonDocument } from '../output/json.js';
import type { PilotDeps } from '../runtime.js';
import { clockOf } from '../runtime-clock.js';
import { loadConfig, requireRole, withIdentity } from '../nexus/session.js';
import { startRotation, type RotationStart } from '../rotation/start.js';
import { followRotation, type FollowResult } from '../rotation/follow.js';
import { ProgressLine, rotationProgressText, UNAVAILABLE_PROGRESS_TEXT } from '../rotation/progress-line.js';
import {
  ROTATE_DECLINED_LINE,
  ROTATE_NEEDS_YES_MESSAGE,
  ROTATE_NOTICE,
  ROTATE_QUESTION,
  rotationAlreadyRunningLine,
  rotationDoneText,
  rotationStartedText,
} from '../output/rotate-texts.js';

export const ROTATE_SUMMARY = 'Replace the root key: re-encrypt every stored record and give the Keepers new shards';

export interface RotateOptions {
  format: string;
  yes?: boolean;
  /** false with --no-wait. */
  wait: boolean;
}

/** The operator's answer: y or yes (any case) goes on. */
function isYes(answer: string): boolean {
  const a = answer.trim().toLowerCase();
  return a === 'y' || a === 'yes';
}

/** What --no-wait prints with -f json. */
function startedJson(s: RotationStart): unknown {
  return {
    rotated: false,
    state: s.state,
    phase: s.phase,
    done: s.done,
    total: s.total,
    fingerprint: s.fingerprint,
    previousFingerprint: s.previousFingerprint,
    startedAt: s.startedAt === '' ? undefined : s.startedAt,
  };
}

export async function runRotate(deps: PilotDeps, opts: RotateOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const ask = opts.yes !== true;
  if (ask && !deps.io.stdinIsTty()) throw new CliError(ExitCode.usage, ROTATE_NEEDS_YES_MESSAGE);
  const cfg = loadConfig(deps.env);
  await withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'superuser', cfg);
    if (ask) {
      deps.io.err(ROTATE_NOTICE);
      if (!isYes(await deps.io.readAnswer(ROTATE_QUESTION))) {
        deps.io.out(ROTATE_DECLINED_LINE);
        return;
      }
    }
    const clock = clockOf(deps);
    const began = clock.now();
    const nexus = await identity.connectNexus();
    const start = await startRotation(nexus);
    if (start.state === 'running') deps.io.err(rotationAlreadyRunningLine(start.startedAt));
    if (!opts.wait) {
      deps.io.out(format === 'json' ? jsonDocument(startedJson(start)) : rotationStartedText(start.state, start.fingerprint, start.previousFingerprint));
      return;
    }
    const line = new ProgressLine(deps.io.err, format === 'human' && deps.io.stderrIsTty());
    let total = start.total;
    let followed: FollowResult;
    try {
      line.show(rotationProgressText(start.phase, start.done, start.total, []));
      followed = await followRotation({
        nexus,
        clock,
        fingerprint: start.fingerprint,
        previousFingerprint: start.previousFingerprint,
        onProgress: (s) => {
          total = Math.max(total, s.rotationTotal ?? 0);
          if (s.rotation !== undefined) line.show(rotationProgressText(s.rotation, s.rotationDone ?? 0, s.rotationTotal ?? 0, s.rotationWaiting ?? []));
        },
        onUnavailable: () => line.show(UNAVAILABLE_PROGRESS_TEXT),
      });
    } finally {
      line.clear();
    }
    const seconds = Math.round(clock.now() - began) / 1000;
    deps.io.out(
      format === 'json'
        ? jsonDocument({ rotated: true, fingerprint: followed.fingerprint, previousFingerprint: start.previousFingerprint, rows: total, seconds })
        : rotationDoneText(followed.fingerprint, start.previousFingerprint),
    );
  });
}

export function defineRotate(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(ROTATE_SUMMARY)
    .option('-y, --yes', 'do not ask for confirmation (needed when standard input is not a terminal)')
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .option('--no-wait', 'return once the rotation has started instead of following it to its end')
    .addHelpText(
      'after',
      `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser)
and a spike-ts SPIKE Nexus with the SQLite or PostgreSQL backend (memory and
lite keep nothing to re-encrypt: SPIKE Nexus refuses, exit 1). SPIKE Nexus
makes a new root key, re-encrypts every stored record with it and gives each
Keeper its new shard; secrets stay readable and writable all along, and a
restart of SPIKE Nexus resumes it.
Afterwards EVERY EARLIER RECOVERY SHARD FILE IS USELESS: run
\`spike operator recover\`, store the new files, destroy the old ones.

On a terminal spike asks first (y/N); elsewhere pass --yes. Without --no-wait
it follows the rotation to its end (a progress line on a terminal's stderr).
If a rotation is already running, it says so and follows that one.
JSON: {"rotated":true,"fingerprint":"…","previousFingerprint":"…","rows":1200,"seconds":3.2}.

Exit codes:
  0  rotated (or declined at the question; --no-wait: started)
  1  SPIKE Nexus refused, does not support rotation, is not ready, or was out
     of reach for 60 s while following
  2  usage error: no --yes and no terminal, bad flag or format
  3  identity failure (no SVID in time, not the superuser role, HTTP 401, or
     the server is not SPIKE Nexus)
  130 Ctrl-C at the question (nothing sent)

Example:
  $ spike operator rotate --yes`,
    )
    .action(async (o: RotateOptions) => runRotate(deps(), o));
}
