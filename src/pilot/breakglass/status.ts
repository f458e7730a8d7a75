// Asking Nexus where a restore stands (/v1/operator/status, spike-ts only)
// and saying it: used by `spike operator status` and `preflight`. Against a
// Nexus without the route (upstream answers 400 api_bad_request for unknown
// paths) the answer is `unsupported`, never a guess.
import { errCodeOf } from '../../client/json.js';
import { API_BAD_REQUEST } from '../../protocol/errors.js';
import { statusResponse } from '../../protocol/messages.js';
import { PATH_OPERATOR_STATUS } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { NexusAnswer, NexusCaller } from '../runtime.js';
import { callFailure, describeAnswer } from '../nexus/calls.js';

export interface RestoreStatusView {
  ready: boolean;
  collected: number;
  remaining: number;
  threshold: number;
  ids: number[];
}

export const STATUS_UNSUPPORTED =
  'This SPIKE Nexus does not support `spike operator status` (no /v1/operator/status route: it is not a spike-ts Nexus). Use `spike operator restore` output instead.';
const FAILED = 'Failed to get the restore status from SPIKE Nexus.';

/** Decodes a status answer: the view, `unsupported`, or a CliError (exit 1, or 3 for 401). */
export function interpretStatusAnswer(answer: NexusAnswer): RestoreStatusView | 'unsupported' {
  if (answer.status === 400 && errCodeOf(answer.body) === API_BAD_REQUEST) {
    // Ours answers 400 only for a body that is not a JSON object, which we never send.
    return 'unsupported';
  }
  if (answer.status === 401) throw new CliError(ExitCode.identity, `${FAILED} (${describeAnswer(answer)})`);
  if (answer.status !== 200) throw new CliError(ExitCode.nexus, `${FAILED} (${describeAnswer(answer)})`);
  let r;
  try {
    r = statusResponse.decode(answer.body);
  } catch {
    throw new CliError(ExitCode.nexus, `${FAILED} (malformed answer)`);
  }
  if (r.err !== '') throw new CliError(ExitCode.nexus, `${FAILED} (${r.err.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')})`);
  const nonNeg = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  const ids = r.ids ?? [];
  if (![r.collected, r.remaining, r.threshold].every(nonNeg) || !ids.every((i) => Number.isSafeInteger(i) && i >= 1)) {
    throw new CliError(ExitCode.nexus, `${FAILED} (malformed answer)`);
  }
  return { ready: r.ready, collected: r.collected, remaining: r.remaining, threshold: r.threshold, ids: [...ids].sort((a, b) => a - b) };
}

/** POSTs `{}` to the status route. */
export async function fetchRestoreStatus(nexus: NexusCaller): Promise<RestoreStatusView | 'unsupported'> {
  let answer: NexusAnswer;
  try {
    answer = await nexus.post(PATH_OPERATOR_STATUS, undefined, Buffer.from('{}'));
  } catch (e) {
    throw callFailure(e, FAILED);
  }
  return interpretStatusAnswer(answer);
}

/** Human lines (restore's words where they exist). */
export function statusText(s: RestoreStatusView): string {
  if (s.ready) {
    return ['', 'SPIKE Nexus has its root key: it is ready to use, nothing to restore.', `Threshold: ${s.threshold}`, ''].join('\n') + '\n';
  }
  return (
    [
      '',
      'SPIKE Nexus is waiting for an operator restore.',
      `Shards collected: ${s.collected}`,
      `Shards remaining: ${s.remaining}`,
      `Threshold: ${s.threshold}`,
      `Shard ids received: ${s.ids.length === 0 ? 'none' : s.ids.join(', ')}`,
      '',
    ].join('\n') + '\n'
  );
}
