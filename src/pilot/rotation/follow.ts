// Following a root-key rotation to its end through /v1/operator/status:
// a poll every 250 ms until Nexus reports no rotation and the new shard set's
// fingerprint. SPIKE Nexus may restart meanwhile (the rotation resumes by
// itself): a poll that gets no answer, a 5xx, or a Nexus without its root key
// yet, is retried with backoff for up to 60 s in a row before giving up
// (docs/cli.md § spike operator rotate).
import { isClientError } from '../../client/errors.js';
import { PATH_OPERATOR_STATUS } from '../../protocol/paths.js';
import { CliError, ExitCode, firstLine, oneLine } from '../output/exit.js';
import { callFailure } from '../nexus/calls.js';
import type { NexusCaller, PilotClock } from '../runtime.js';
import { interpretStatusAnswer, STATUS_UNSUPPORTED, type RestoreStatusView } from '../breakglass/status.js';
import { ROTATION_UNCHECKABLE_MESSAGE, ROTATION_VANISHED_MESSAGE, rotationLostMessage } from '../output/rotate-texts.js';

export const POLL_INTERVAL_MS = 250;
/** The longest time in a row without a usable status before giving up. */
export const UNAVAILABLE_BUDGET_MS = 60_000;
const MAX_BACKOFF_MS = 4_000;

export interface FollowOptions {
  nexus: NexusCaller;
  clock: PilotClock;
  /** The new and the old shard-set fingerprint, from the rotate answer ('' when it did not say). */
  fingerprint: string;
  previousFingerprint: string;
  /** Every usable status seen while the rotation runs. */
  onProgress(status: RestoreStatusView): void;
  /** A poll that got no usable status (`why`: one line), before the wait. */
  onUnavailable(why: string): void;
}

export interface FollowResult {
  /** The last status: no rotation (of ours) runs any more. */
  status: RestoreStatusView;
  /** The new shard set's fingerprint: the rotate answer's, else the one the status reported. */
  fingerprint: string;
}

type Poll = { kind: 'status'; status: RestoreStatusView } | { kind: 'unavailable'; why: string };

/** One status call: a status, `unavailable` (worth retrying), or a CliError (not worth it). */
async function pollOnce(nexus: NexusCaller): Promise<Poll> {
  let answer;
  try {
    answer = await nexus.post(PATH_OPERATOR_STATUS, undefined, Buffer.from('{}'));
  } catch (e) {
    // The server presenting a wrong SPIFFE ID (or our SVID failing) will not heal by waiting.
    if (e instanceof CliError || (isClientError(e) && e.kind === 'identity')) throw callFailure(e, 'Failed to follow the root-key rotation.');
    return { kind: 'unavailable', why: isClientError(e) ? oneLine(e.message) : firstLine(e) };
  }
  if (answer.status >= 500) return { kind: 'unavailable', why: `HTTP ${answer.status}` };
  const s = interpretStatusAnswer(answer);
  if (s === 'unsupported') throw new CliError(ExitCode.nexus, STATUS_UNSUPPORTED);
  // Restarted and not yet given its root key by the Keepers.
  if (!s.ready) return { kind: 'unavailable', why: 'SPIKE Nexus is not ready yet' };
  return { kind: 'status', status: s };
}

/**
 * Whether the rotation towards `target` ('' while unknown) is over. One
 * rotation runs at a time, so a rotation towards another shard set, or
 * another set in use, means that ours finished before it.
 */
function finished(s: RestoreStatusView, target: string, previous: string): boolean {
  if (s.rotation !== undefined) return target !== '' && s.rotationFingerprint !== undefined && s.rotationFingerprint !== target;
  if (s.fingerprint === undefined) throw new CliError(ExitCode.nexus, ROTATION_UNCHECKABLE_MESSAGE);
  if (previous !== '' && s.fingerprint === previous) throw new CliError(ExitCode.nexus, ROTATION_VANISHED_MESSAGE);
  return true;
}

/** Polls until the rotation is over. Throws CliError (exit 1, or 3). */
export async function followRotation(o: FollowOptions): Promise<FollowResult> {
  let target = o.fingerprint;
  let lostSince: number | undefined;
  let backoff = POLL_INTERVAL_MS;
  for (;;) {
    const p = await pollOnce(o.nexus);
    if (p.kind === 'unavailable') {
      const now = o.clock.now();
      lostSince ??= now;
      if (now - lostSince >= UNAVAILABLE_BUDGET_MS) throw new CliError(ExitCode.nexus, rotationLostMessage(UNAVAILABLE_BUDGET_MS / 1000));
      o.onUnavailable(p.why);
      await o.clock.sleep(Math.min(backoff, UNAVAILABLE_BUDGET_MS - (now - lostSince)));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      continue;
    }
    lostSince = undefined;
    backoff = POLL_INTERVAL_MS;
    const s = p.status;
    if (finished(s, target, o.previousFingerprint)) return { status: s, fingerprint: target !== '' ? target : (s.fingerprint ?? '') };
    if (target === '' && s.rotationFingerprint !== undefined) target = s.rotationFingerprint;
    o.onProgress(s);
    await o.clock.sleep(POLL_INTERVAL_MS);
  }
}
