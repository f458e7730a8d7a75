// What `spike operator rotate` says (docs/cli.md § spike operator rotate,
// docs/runbook.md § The root key must change). Lines for stdout end with a
// newline; CliError messages (printed after `Error: `) do not.
import { displayFingerprint } from '../breakglass/manifest.js';

/** A fingerprint grouped by four, or what to say when SPIKE Nexus did not name it. */
function shown(fingerprint: string): string {
  return fingerprint === '' ? '(not reported by SPIKE Nexus)' : displayFingerprint(fingerprint);
}

/** Printed on stderr before the question: what a rotation does. */
export const ROTATE_NOTICE =
  [
    'SPIKE Nexus will make a new root key, re-encrypt every stored record with it',
    'and give the Keepers new shards. All earlier recovery shard files will become',
    'useless: afterwards run `spike operator recover` and store the new files.',
  ].join('\n') + '\n';

/** The y/N question on a terminal (stderr); only y or yes, any case, goes on. */
export const ROTATE_QUESTION = 'Rotate the root key (earlier recovery files become useless)? [y/N] ';

/** Anything but yes at the question (exit 0: a decision, not a failure). */
export const ROTATE_DECLINED_LINE = 'Not rotated; nothing was sent to SPIKE Nexus.\n';

/** No terminal to ask on and no --yes (exit 2, nothing sent). */
export const ROTATE_NEEDS_YES_MESSAGE = 'refusing to rotate without confirmation: pass --yes';

/** The headline of a failed rotate call. */
export const ROTATE_FAILED = 'Failed to start the root-key rotation.';

/**
 * The rotate call got no answer: it may still have reached Nexus (a timeout),
 * so the operator is sent to status rather than told that nothing happened.
 */
export const ROTATE_NO_ANSWER = 'No answer from SPIKE Nexus to the rotation request; it may have started: check with `spike operator status`.';

/** 400 api_bad_request: upstream SPIKE (or an older spike-ts) has no rotate route (exit 1). */
export const ROTATE_UNSUPPORTED_ROUTE_MESSAGE =
  'This SPIKE Nexus does not support root-key rotation (no /v1/operator/rotate route: it is not a spike-ts Nexus, or an older one); nothing was changed.';

/** 400 rotation_unsupported: the memory or lite backend (exit 1). */
export const ROTATE_UNSUPPORTED_BACKEND_MESSAGE =
  'This SPIKE Nexus cannot rotate its root key: its backend (memory or lite) keeps no store encrypted with the root key, so there is nothing to re-encrypt; nothing was changed.';

/** state "running": another call (or an earlier run) began it (stderr). */
export function rotationAlreadyRunningLine(startedAt: string): string {
  return `A root-key rotation was already running${startedAt === '' ? '' : ` (started ${startedAt})`}; following it.\n`;
}

/** Nexus stayed out of reach (or without its root key) for too long while following (exit 1). */
export function rotationLostMessage(seconds: number): string {
  return `Lost contact with SPIKE Nexus for ${seconds} s while following the root-key rotation; it goes on by itself (also after a restart of SPIKE Nexus): follow it with \`spike operator status\`.`;
}

/** Nexus reports no rotation but still the old root key: the rotation did not finish (exit 1). */
export const ROTATION_VANISHED_MESSAGE =
  'SPIKE Nexus reports no rotation in progress but still the previous root key; the rotation did not finish. Check `spike operator status` and the SPIKE Nexus log.';

/** Nexus reports no rotation and no fingerprint: it cannot tell whether it finished (exit 1). */
export const ROTATION_UNCHECKABLE_MESSAGE =
  'SPIKE Nexus reports no rotation in progress and does not name its shard set, so the end of the rotation cannot be checked. Check `spike operator status`.';

/** --no-wait (stdout). */
export function rotationStartedText(state: 'started' | 'running', fingerprint: string, previous: string): string {
  return (
    [
      '',
      state === 'started' ? 'Root-key rotation started.' : 'A root-key rotation was already running.',
      `New shard set fingerprint:      ${shown(fingerprint)}`,
      `Previous shard set fingerprint: ${shown(previous)}`,
      '',
      'It goes on by itself; follow it with `spike operator status`. When it has',
      'finished, run `spike operator recover` and store the new recovery files:',
      'the earlier ones will be useless.',
      '',
    ].join('\n') + '\n'
  );
}

/** Success (stdout). */
export function rotationDoneText(fingerprint: string, previous: string): string {
  return (
    [
      '',
      'The root key was rotated: every stored record is now encrypted with the new',
      'root key, and every Keeper holds its new shard.',
      `New shard set fingerprint:      ${shown(fingerprint)}`,
      `Previous shard set fingerprint: ${shown(previous)}`,
      '',
      'The old recovery shard files are now USELESS: they cannot restore SPIKE Nexus.',
      'Now:',
      '  1. Run `spike operator recover` to write the new recovery files.',
      '  2. Store them as you stored the old ones (each custodian their own).',
      '  3. Destroy every old recovery file and copy.',
      '',
    ].join('\n') + '\n'
  );
}
