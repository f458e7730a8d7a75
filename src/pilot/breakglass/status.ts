// Asking Nexus where a restore stands (/v1/operator/status, spike-ts only)
// and saying it: used by `spike operator status`, `preflight` and `rotate`
// (which follows a rotation with it). Against a Nexus without the route
// (upstream answers 400 api_bad_request for unknown paths) the answer is
// `unsupported`, never a guess. A ready Nexus names its shard set
// (fingerprint); a rotation in progress adds its phase and progress.
import { errCodeOf } from '../../client/json.js';
import { API_BAD_REQUEST } from '../../protocol/errors.js';
import { statusResponse } from '../../protocol/messages.js';
import { PATH_OPERATOR_STATUS } from '../../protocol/paths.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { NexusAnswer, NexusCaller } from '../runtime.js';
import { callFailure, describeAnswer } from '../nexus/calls.js';
import { displayFingerprint } from './manifest.js';
import { statusRestartedLine } from '../output/restore-texts.js';

export type RotationPhase = 'reencrypting' | 'pushing';
const ROTATION_PHASES: readonly string[] = ['reencrypting', 'pushing'] satisfies readonly RotationPhase[];

/**
 * A status answer, checked. The optional fields are absent (and left out of
 * `-f json`) when Nexus did not send them: `fingerprint` when it has no root
 * key (or is an older spike-ts), the `rotation*` fields when no rotation runs.
 */
export interface RestoreStatusView {
  ready: boolean;
  collected: number;
  remaining: number;
  threshold: number;
  ids: number[];
  /** The shard-set fingerprint of the root key in use (64 hex). */
  fingerprint?: string;
  rotation?: RotationPhase;
  /** Rows gone over so far, of rotationTotal. */
  rotationDone?: number;
  rotationTotal?: number;
  /** The new shard set's fingerprint. */
  rotationFingerprint?: string;
  /** RFC 3339, as Nexus sent it. */
  rotationStartedAt?: string;
  /** Keeper ids that have not taken their new shard yet, ascending. */
  rotationWaiting?: number[];
  /** The replica that answered (several Nexus replicas on one database). */
  replica?: string;
  /** The replicas seen recently, by name (PostgreSQL backend). */
  replicas?: ReplicaView[];
  /** Several replicas, waiting for a key: the replica whose collection the restore fields are. */
  collector?: string;
  /** Its collection began after the replica that collected before stopped (shards sent before are lost). */
  restarted?: true;
}

export interface ReplicaView {
  name: string;
  ready: boolean;
  /** RFC 3339, as Nexus sent it. */
  lastSeen: string;
  ageMs: number;
  /** The shard-set fingerprint of the key it serves with (64 hex), when it told. */
  fingerprint?: string;
  /** The rotation phase it knows of, when one runs. */
  rotation?: RotationPhase;
}

/** A name from the database, shown: printable ASCII only, at most 128 characters. */
const shown = (name: string): string => name.slice(0, 128).replace(/[^\x20-\x7e]/g, '?');

/** 64 lowercase hex (a shard-set fingerprint), or '' (not sent). */
export function isFingerprintOrEmpty(s: string): boolean {
  return s === '' || /^[0-9a-f]{64}$/.test(s);
}

/** An RFC 3339 time as Nexus writes it, or '' (not sent). Only shown, never computed with. */
export function isTimestampOrEmpty(s: string): boolean {
  return s === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(s);
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
  const isId = (i: number): boolean => Number.isSafeInteger(i) && i >= 1;
  const ids = r.ids ?? [];
  const waiting = r.rotationWaiting ?? [];
  const wellFormed =
    [r.collected, r.remaining, r.threshold, r.rotationDone, r.rotationTotal].every(nonNeg) &&
    ids.every(isId) &&
    waiting.every(isId) &&
    isFingerprintOrEmpty(r.fingerprint) &&
    isFingerprintOrEmpty(r.rotationFingerprint) &&
    isTimestampOrEmpty(r.rotationStartedAt) &&
    (r.replicas ?? []).every(
      (x) => nonNeg(x.ageMs) && isTimestampOrEmpty(x.lastSeen) && isFingerprintOrEmpty(x.fingerprint) && (x.rotation === '' || ROTATION_PHASES.includes(x.rotation)),
    ) &&
    (r.rotation === '' || ROTATION_PHASES.includes(r.rotation));
  if (!wellFormed) throw new CliError(ExitCode.nexus, `${FAILED} (malformed answer)`);
  const view: RestoreStatusView = { ready: r.ready, collected: r.collected, remaining: r.remaining, threshold: r.threshold, ids: [...ids].sort((a, b) => a - b) };
  if (r.fingerprint !== '') view.fingerprint = r.fingerprint;
  if (r.rotation !== '') {
    view.rotation = r.rotation as RotationPhase;
    view.rotationDone = r.rotationDone;
    view.rotationTotal = r.rotationTotal;
    if (r.rotationFingerprint !== '') view.rotationFingerprint = r.rotationFingerprint;
    if (r.rotationStartedAt !== '') view.rotationStartedAt = r.rotationStartedAt;
    view.rotationWaiting = [...waiting].sort((a, b) => a - b);
  }
  if (r.replica !== '') view.replica = shown(r.replica);
  if (r.replicas !== null && r.replicas.length > 0) {
    view.replicas = r.replicas.map((x) => ({
      name: shown(x.name),
      ready: x.ready,
      lastSeen: x.lastSeen,
      ageMs: x.ageMs,
      ...(x.fingerprint === '' ? {} : { fingerprint: x.fingerprint }),
      ...(x.rotation === '' ? {} : { rotation: x.rotation as RotationPhase }),
    }));
  }
  if (!r.ready && r.collector !== '') view.collector = shown(r.collector);
  if (!r.ready && r.restarted) view.restarted = true;
  return view;
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

/** `2`, `2 and 3`, `1, 2 and 3`. */
export function keeperList(ids: readonly number[]): string {
  return ids.length <= 1 ? ids.join('') : `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/** What a rotation is doing now, in a few words (status and rotate's progress line). */
export function rotationPhaseText(phase: RotationPhase, done: number, total: number, waiting: readonly number[]): string {
  if (phase === 'reencrypting') return `re-encrypting stored records (${done} of ${total})`;
  if (waiting.length === 0) return 'handing the new shards to the keepers';
  return `waiting for keeper${waiting.length === 1 ? '' : 's'} ${keeperList(waiting)} to take ${waiting.length === 1 ? 'its' : 'their'} new shard`;
}

/** The rotation lines of the status text ([] when none runs). */
function rotationLines(s: RestoreStatusView): string[] {
  if (s.rotation === undefined) return [];
  return [
    `Root-key rotation in progress${s.rotationStartedAt === undefined ? '' : ` (started ${s.rotationStartedAt})`}:`,
    `  ${rotationPhaseText(s.rotation, s.rotationDone ?? 0, s.rotationTotal ?? 0, s.rotationWaiting ?? [])}`,
    ...(s.rotationFingerprint === undefined ? [] : [`  New shard set fingerprint: ${displayFingerprint(s.rotationFingerprint)}`]),
  ];
}

/** What a replica's heartbeat told of its key: the first 16 hex of the fingerprint (as the status shows it), a rotation it knows of. */
function replicaKeyText(r: ReplicaView): string {
  const key = r.fingerprint === undefined ? '' : `  key ${displayFingerprint(r.fingerprint.slice(0, 16))}…`;
  return key + (r.rotation === undefined ? '' : `  rotation: ${r.rotation}`);
}

/** The replica lines of the status text ([] for a single Nexus that does not say). */
function replicaLines(s: RestoreStatusView): string[] {
  const out = s.replica === undefined ? [] : [`Answered by replica: ${s.replica}`];
  if (s.replicas === undefined) return out;
  const width = Math.max(...s.replicas.map((r) => r.name.length));
  out.push(`Replicas seen recently: ${s.replicas.length}`);
  for (const r of s.replicas) out.push(`  ${r.name.padEnd(width)}  ${r.ready ? 'ready    ' : 'not ready'}  last seen ${(r.ageMs / 1000).toFixed(1)} s ago${replicaKeyText(r)}`);
  return out;
}

/** Human lines (restore's words where they exist). */
export function statusText(s: RestoreStatusView): string {
  if (s.ready) {
    return (
      [
        '',
        'SPIKE Nexus has its root key: it is ready to use, nothing to restore.',
        `Threshold: ${s.threshold}`,
        ...(s.fingerprint === undefined ? [] : [`Shard set fingerprint: ${displayFingerprint(s.fingerprint)}`]),
        ...rotationLines(s),
        ...replicaLines(s),
        '',
      ].join('\n') + '\n'
    );
  }
  return (
    [
      '',
      'SPIKE Nexus is waiting for an operator restore.',
      `Shards collected: ${s.collected}`,
      `Shards remaining: ${s.remaining}`,
      `Threshold: ${s.threshold}`,
      `Shard ids received: ${s.ids.length === 0 ? 'none' : s.ids.join(', ')}`,
      ...(s.collector === undefined ? [] : [`Collecting replica: ${s.collector}`]),
      ...(s.restarted === true ? [statusRestartedLine(s.ids)] : []),
      ...rotationLines(s),
      ...replicaLines(s),
      '',
    ].join('\n') + '\n'
  );
}
