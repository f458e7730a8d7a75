// The rotate call (/v1/operator/rotate, spike-ts only): POST `{}` and read
// the answer, checked field by field. What each refusal means for the
// operator is decided here (docs/cli.md § spike operator rotate): an
// upstream Nexus has no such route, the memory and lite backends have
// nothing to rotate, a Nexus without its root key is not ready.
import { errCodeOf } from '../../client/json.js';
import { isClientError } from '../../client/errors.js';
import { API_BAD_REQUEST, ROTATION_UNSUPPORTED, STATE_NOT_READY } from '../../protocol/errors.js';
import { rotateResponse, type RotateResponse } from '../../protocol/messages.js';
import { PATH_OPERATOR_ROTATE } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import { answerFailure, callFailure, describeAnswer } from '../nexus/calls.js';
import type { NexusAnswer, NexusCaller } from '../runtime.js';
import {
  ROTATE_FAILED,
  ROTATE_NO_ANSWER,
  ROTATE_UNSUPPORTED_BACKEND_MESSAGE,
  ROTATE_UNSUPPORTED_ROUTE_MESSAGE,
} from '../output/rotate-texts.js';
import { isFingerprintOrEmpty, isTimestampOrEmpty, type RotationPhase } from '../breakglass/status.js';

/** A checked rotate answer. */
export interface RotationStart {
  /** `started`: this call began it; `running`: one was already in progress. */
  state: 'started' | 'running';
  phase: RotationPhase;
  done: number;
  total: number;
  /** Shard-set fingerprints (64 hex) of the old and the new root key; '' when Nexus did not say (`running` only). */
  previousFingerprint: string;
  fingerprint: string;
  /** RFC 3339 as sent, or ''. */
  startedAt: string;
}

function malformed(why: string): CliError {
  return new CliError(ExitCode.nexus, `${ROTATE_FAILED} (malformed answer: ${why})`);
}

/** A printable, short form of an `err` code from Nexus. */
function errText(err: string): string {
  return err.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}

/** A 200 body → the start, or a CliError. */
function checkedStart(r: RotateResponse): RotationStart {
  if (r.state !== 'started' && r.state !== 'running') throw malformed(`state '${errText(r.state)}'`);
  if (r.phase !== 'reencrypting' && r.phase !== 'pushing') throw malformed(`phase '${errText(r.phase)}'`);
  if (![r.done, r.total].every((n) => Number.isSafeInteger(n) && n >= 0)) throw malformed('negative progress');
  // A rotation Nexus found in its store but could not describe yet may come
  // without fingerprints (`running` only): following it learns the new one.
  const missing = r.fingerprint === '' || r.previousFingerprint === '';
  if ((missing && r.state === 'started') || !isFingerprintOrEmpty(r.fingerprint) || !isFingerprintOrEmpty(r.previousFingerprint)) {
    throw malformed('the fingerprints are not 64 hex digits');
  }
  if (!missing && r.fingerprint === r.previousFingerprint) throw malformed('the new fingerprint is the old one');
  if (!isTimestampOrEmpty(r.startedAt)) throw malformed('startedAt is not an RFC 3339 time');
  return {
    state: r.state,
    phase: r.phase,
    done: r.done,
    total: r.total,
    previousFingerprint: r.previousFingerprint,
    fingerprint: r.fingerprint,
    startedAt: r.startedAt,
  };
}

/** Nexus's answer to the rotate call → the start, or the CliError the operator sees. */
export function interpretRotateAnswer(answer: NexusAnswer): RotationStart {
  const code = errCodeOf(answer.body);
  if (answer.status === 400 && code === API_BAD_REQUEST) throw new CliError(ExitCode.nexus, ROTATE_UNSUPPORTED_ROUTE_MESSAGE);
  if (answer.status === 400 && code === ROTATION_UNSUPPORTED) throw new CliError(ExitCode.nexus, ROTATE_UNSUPPORTED_BACKEND_MESSAGE);
  if (answer.status === 503 || code === STATE_NOT_READY) throw answerFailure({ status: 503 });
  if (answer.status === 401) throw new CliError(ExitCode.identity, `${ROTATE_FAILED} (${describeAnswer(answer)})`);
  if (answer.status !== 200) throw new CliError(ExitCode.nexus, `${ROTATE_FAILED} (${describeAnswer(answer)})`);
  let r: RotateResponse;
  try {
    r = rotateResponse.decode(answer.body);
  } catch {
    throw new CliError(ExitCode.nexus, `${ROTATE_FAILED} (malformed answer)`);
  }
  if (r.err !== '') throw new CliError(ExitCode.nexus, `${ROTATE_FAILED} (${errText(r.err)})`);
  return checkedStart(r);
}

/**
 * POSTs `{}` to the rotate route. A call that timed out may have reached
 * Nexus: the operator is sent to `spike operator status` then.
 */
export async function startRotation(nexus: NexusCaller): Promise<RotationStart> {
  let answer: NexusAnswer;
  try {
    answer = await nexus.post(PATH_OPERATOR_ROTATE, undefined, Buffer.from('{}'));
  } catch (e) {
    throw callFailure(e, isClientError(e) && e.kind === 'timeout' ? ROTATE_NO_ANSWER : ROTATE_FAILED);
  }
  return interpretRotateAnswer(answer);
}
