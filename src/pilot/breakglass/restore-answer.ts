// What an answer of SPIKE Nexus to `spike operator restore` means for the
// operator: the text to print, the answer to print with `-f json`, and the
// failure (exit code, `Error:` line) when the shard did not help. Reads both
// spike-ts's answers (with `state`) and upstream's (without it), the HTTP
// status and the `Retry-After` header (docs/design.md § Restore, § Exit codes).
import { restoreAnswer, restoreResponse, type RestoreResponse } from '../../protocol/messages/operator.js';
import { API_BAD_REQUEST } from '../../protocol/errors.js';
import { CliError, ExitCode } from '../output/exit.js';
import { restoreCompleteText, restoreProgressText } from '../output/texts.js';
import {
  cannotCheckMessage,
  collectionRestartedLine,
  healthyMatchLine,
  healthyMismatchMessage,
  noFitMessage,
  otherConflictsLine,
  rateLimitedMessage,
  RETIRED_SHARDS_MESSAGE,
  RESET_DONE_LINE,
  RESET_HEALTHY_LINE,
  RESET_UNSUPPORTED_MESSAGE,
  shardAlreadyGivenLine,
  shardConflictLine,
  shardRefusedMessage,
  shardsNotUsedLine,
  tooManyValuesMessage,
} from '../output/restore-texts.js';
import type { NexusAnswer } from '../runtime.js';
import { describeAnswer } from '../nexus/calls.js';

export const RESTORE_FAILED = 'Failed to communicate with SPIKE Nexus.';

/** What to print, and how the command ends. */
export interface RestoreReport {
  /** Nexus's answer as decoded (retryAfter filled from the header): printed by `-f json`. */
  answer: RestoreResponse;
  /** Text for stdout in the human format ('' when there is none). */
  text: string;
  /** Thrown after printing, when the shard did not help or Nexus refused. */
  failure?: CliError;
}

/** Longest wait we repeat from a Retry-After header (a day); anything longer is nonsense. */
const MAX_RETRY_AFTER_S = 86_400;

/**
 * Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date
 * (RFC 9110 § 10.2.3). undefined when absent or not understood.
 */
export function retryAfterSeconds(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const h = header.trim();
  if (/^\d{1,9}$/.test(h)) {
    const s = Number(h);
    return s <= MAX_RETRY_AFTER_S ? s : undefined;
  }
  const at = Date.parse(h);
  if (!/^[A-Za-z]{3}, /.test(h) || Number.isNaN(at)) return undefined;
  const s = Math.max(0, Math.ceil((at - nowMs) / 1000));
  return s <= MAX_RETRY_AFTER_S ? s : undefined;
}

/** Decodes a restore body; undefined when it is not one (or is a negative count). */
function decodeBody(body: Uint8Array): RestoreResponse | undefined {
  let a: RestoreResponse;
  try {
    a = restoreResponse.decode(body);
  } catch {
    return undefined;
  }
  return a.collected < 0 || a.remaining < 0 || a.retryAfter < 0 ? undefined : a;
}

/** A replica name from Nexus, shown: printable ASCII only, at most 128 characters. */
function shownName(name: string): string {
  return name.slice(0, 128).replace(/[^\x20-\x7e]/g, '?');
}

/** A printable, short form of an `err` code from Nexus. */
function errText(err: string): string {
  return err.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}

/** 429, or a body that says `rate_limited`: exit 1 with the wait. */
function rateLimited(answer: NexusAnswer, body: RestoreResponse | undefined): RestoreReport {
  const fromHeader = retryAfterSeconds(answer.retryAfter);
  const fromBody = body !== undefined && body.retryAfter > 0 && body.retryAfter <= MAX_RETRY_AFTER_S ? body.retryAfter : undefined;
  const seconds = fromHeader ?? fromBody;
  const a: RestoreResponse = { ...(body ?? restoreAnswer({ collected: 0, remaining: 0, restored: false })), state: 'rate_limited', retryAfter: seconds ?? 0 };
  return { answer: a, text: '', failure: new CliError(ExitCode.nexus, rateLimitedMessage(seconds)) };
}

/**
 * The answer to a shard submission (`id` is the shard's id). Throws CliError
 * (exit 1) for an answer that is not a restore answer or carries an error
 * Nexus did not explain; otherwise returns the report.
 */
export function submitReport(id: number, answer: NexusAnswer): RestoreReport {
  const body = decodeBody(answer.body);
  if (answer.status === 429 || body?.state === 'rate_limited') return rateLimited(answer, body);
  if (body?.state === 'too_many_values') {
    return { answer: body, text: '', failure: new CliError(ExitCode.refused, tooManyValuesMessage(id)) };
  }
  if (answer.status === 400 && body !== undefined && body.state === '' && body.err === API_BAD_REQUEST) {
    // The shard passed our local format check, so this is Nexus's own verdict
    // on the shard (an id beyond the deployment's share count, a value that is
    // no share), not a fault of the connection.
    return { answer: body, text: '', failure: new CliError(ExitCode.refused, shardRefusedMessage(id)) };
  }
  if (answer.status !== 200) throw new CliError(ExitCode.nexus, `${RESTORE_FAILED} (${describeAnswer(answer)})`);
  if (body === undefined) throw new CliError(ExitCode.nexus, `${RESTORE_FAILED} (malformed answer)`);
  if (body.err !== '') throw new CliError(ExitCode.nexus, `${RESTORE_FAILED} (${errText(body.err)})`);

  const report = (text: string, failure?: CliError): RestoreReport => ({ answer: body, text, ...(failure ? { failure } : {}) });
  // Several replicas: the collector stopped and another started over (docs/design.md § Restore through any replica).
  const restarted =
    body.restarted && (body.state === 'collecting' || body.state === 'no_fit')
      ? collectionRestartedLine(shownName(body.collector), shownName(body.previousCollector), body.ids ?? [])
      : '';
  const given = restarted + (body.duplicate ? shardAlreadyGivenLine(id) : '');
  switch (body.state) {
    case 'collecting':
      return report(given + conflictLines(id, body) + restoreProgressText(body.collected, body.remaining));
    case 'no_fit':
      if (body.retired) return report(given, new CliError(ExitCode.refused, RETIRED_SHARDS_MESSAGE));
      return report(given, new CliError(ExitCode.refused, noFitMessage(body.ids ?? [], Math.max(1, body.remaining))));
    case 'restored':
      return report(restoreCompleteText() + (body.rejected && body.rejected.length > 0 ? `${shardsNotUsedLine(body.rejected)}\n` : ''));
    case 'healthy':
      if (body.match === true) return report(healthyMatchLine(id));
      return report('', new CliError(ExitCode.refused, body.match === false ? healthyMismatchMessage(id) : cannotCheckMessage(id)));
    case '':
      // Upstream (or an older spike-ts): no state. `restored` with nothing
      // collected is a Nexus that already had its root key: the shard was
      // not looked at, so a drill cannot pass.
      if (!body.restored) return report(restoreProgressText(body.collected, body.remaining));
      if (body.collected === 0) return report('', new CliError(ExitCode.refused, cannotCheckMessage(id)));
      return report(restoreCompleteText());
    default:
      throw new CliError(ExitCode.nexus, `${RESTORE_FAILED} (unexpected answer: state ${body.state})`);
  }
}

/** Conflict lines of a `collecting` answer: this id first, then any others. */
function conflictLines(id: number, body: RestoreResponse): string {
  const conflict = body.conflict ?? [];
  const others = conflict.filter((c) => c !== id);
  const mine = !body.duplicate && conflict.includes(id) ? shardConflictLine(id) : '';
  return mine + (others.length > 0 ? otherConflictsLine(others) : '');
}

/** The answer to `?action=reset`. Throws CliError (exit 1) when Nexus did not reset. */
export function resetReport(answer: NexusAnswer): RestoreReport {
  const body = decodeBody(answer.body);
  if (answer.status === 429 || body?.state === 'rate_limited') return rateLimited(answer, body);
  if (answer.status === 200 && body !== undefined && body.err === '') {
    if (body.state === 'reset') return { answer: body, text: RESET_DONE_LINE };
    if (body.state === 'healthy') return { answer: body, text: RESET_HEALTHY_LINE };
  }
  // Upstream and older spike-ts route an unknown action to a 400 (or treat
  // `{}` as a shard with id 0, also a 400); a 200 without `reset` did not reset.
  if (answer.status === 400 || answer.status === 404 || answer.status === 405 || answer.status === 200) {
    throw new CliError(ExitCode.nexus, `${RESET_UNSUPPORTED_MESSAGE} (${describeAnswer(answer)})`);
  }
  throw new CliError(ExitCode.nexus, `${RESTORE_FAILED} (${describeAnswer(answer)})`);
}
