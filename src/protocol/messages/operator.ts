// Operator routes: recover (shards out to `spike operator recover`),
// restore (one shard in) and spike-ts's restore status.
import { type FieldDecoder, goBool, goBytes32, goInt, goIntKeyBytes32Map, goIntSlice, goSlice, goString } from '../../gocompat/json/decode.js';
import { field, goStruct, type StructSpec } from '../../gocompat/json/struct.js';
import { bytes32, type Codec, codec, errField, errSpec, int, type ResponseCodec, responseCodec } from './codec.js';

// Recover

/** reqres.RecoverRequest (no fields; `{}` or `null`). */
export type RecoverRequest = Record<string, never>;
export const recoverRequest: Codec<RecoverRequest> = codec<RecoverRequest>('recover request', {}, (w) => w.raw('{}'));

/** reqres.RecoverResponse: `shards` map[int]*[32]byte, `err` omitempty. */
export interface RecoverResponse {
  shards: Map<number, Uint8Array | null> | null;
  err: string;
}
export const recoverResponse: ResponseCodec<RecoverResponse> = responseCodec<RecoverResponse>(
  'recover response',
  { shards: field('shards', goIntKeyBytes32Map, () => null), err: errSpec },
  (w, v) => w.object([['shards', (x) => x.intKeyMap(v.shards, bytes32)], errField(v.err)]),
);

/** Success body of recover: `{"shards":{"1":[…],"2":[…],…}}`, keys sorted as strings. */
export function encodeRecoverResponse(
  shards: ReadonlyMap<number, Uint8Array | null> | readonly { readonly id: number; readonly value: Uint8Array }[],
): Buffer {
  const entries: [number, Uint8Array | null][] =
    shards instanceof Map ? [...shards.entries()] : (shards as readonly { id: number; value: Uint8Array }[]).map((s) => [s.id, s.value]);
  return recoverResponse.encode({ shards: new Map(entries), err: '' });
}

export function decodeRecoverResponse(raw: unknown): RecoverResponse {
  return recoverResponse.decode(raw);
}


// Restore

/** reqres.RestoreRequest `{"id":int,"shard":[32 numbers]}`. `shard` is null when null/absent. */
export interface RestoreRequest {
  id: number;
  shard: Uint8Array | null;
}
export const restoreRequest: Codec<RestoreRequest> = codec<RestoreRequest>(
  'restore request',
  { id: field('id', goInt, () => 0), shard: field('shard', goBytes32, () => null) },
  (w, v) =>
    w.object([
      ['id', (x) => x.int(v.id)],
      ['shard', (x) => x.bytes32(v.shard)],
    ]),
);

export function decodeRestoreRequest(raw: unknown): RestoreRequest {
  return restoreRequest.decode(raw);
}

export function encodeRestoreRequest(id: number, shard: Uint8Array): Buffer {
  return restoreRequest.encode({ id, shard });
}

/**
 * What a restore call did (spike-ts only; upstream Nexus never sends it):
 * - `collecting`: the value is held, more shards are needed;
 * - `no_fit`: `threshold` or more ids are held but no one-value-per-id set
 *   rebuilds the stored root key yet: every value is kept, more are needed;
 * - `restored`: this call completed the restore;
 * - `healthy`: Nexus already had its root key; nothing changed (see `match`);
 * - `reset`: the collection was emptied (`?action=reset`);
 * - `rate_limited`: refused with 429 (see `retryAfter`);
 * - `too_many_values`: refused: the id already holds the most distinct values
 *   Nexus keeps per id (reset to start over).
 */
export type RestoreState = 'collecting' | 'no_fit' | 'restored' | 'healthy' | 'reset' | 'rate_limited' | 'too_many_values';
export const RESTORE_STATES: readonly RestoreState[] = ['collecting', 'no_fit', 'restored', 'healthy', 'reset', 'rate_limited', 'too_many_values'];

/**
 * reqres.RestoreResponse: the embedded RestorationStatus is flattened
 * (`collected`, `remaining`, `restored`, `err` — upstream's bytes, in
 * upstream's order). Every later field is spike-ts's, `omitempty`, so an
 * answer that uses none of them is byte-identical to upstream's and an
 * upstream Pilot (which ignores unknown fields) still works:
 * - `state`: see RestoreState ("" from an upstream Nexus);
 * - `duplicate`: this id with this very value was already held (nothing changed);
 * - `ids`: the ids held now, ascending;
 * - `conflict`: ids for which more than one distinct value is held, ascending;
 * - `rejected`: ids whose held value(s) are known not to belong to the
 *   stored root key (known once a set fits: on `restored`), ascending;
 * - `match`: only with `healthy`: whether the submitted shard equals share
 *   `id` of the live root key (null: not sent);
 * - `retryAfter`: only with `rate_limited`: seconds to wait (also sent as
 *   the `Retry-After` header);
 * - `retired`: only with `no_fit`: a set of the held values rebuilds a root
 *   key this store used before a rotation ("these shards belong to a
 *   previous root key"); such a key is never installed.
 * - `restarted`: several replicas (docs/design.md § Restore through any
 *   replica): the collection this answer reports began after the replica
 *   that collected before stopped; every shard sent before that is lost and
 *   must be sent again (all but `ids`). `collector` names the replica that
 *   collects now and `previousCollector` the one that stopped (both only
 *   with `restarted`).
 */
export interface RestoreResponse {
  collected: number;
  remaining: number;
  restored: boolean;
  err: string;
  state: RestoreState | '';
  duplicate: boolean;
  ids: number[] | null;
  conflict: number[] | null;
  rejected: number[] | null;
  match: boolean | null;
  retryAfter: number;
  retired: boolean;
  restarted: boolean;
  collector: string;
  previousCollector: string;
}

/** Go `*bool`: null stays null, anything else decodes as a bool. */
const goBoolPtr: FieldDecoder<boolean | null> = (node, prev, name) => (node.kind === 'null' ? null : goBool(node, prev ?? false, name));
/** `state`: one of RestoreState; an unknown word from a newer Nexus is kept as "" (ignored), never an error. */
const goRestoreState: FieldDecoder<RestoreState | ''> = (node, prev, name) => {
  const s = goString(node, prev, name);
  return (RESTORE_STATES as readonly string[]).includes(s) ? (s as RestoreState) : '';
};
const nonEmpty = (a: readonly number[] | null): a is number[] => a !== null && a.length > 0;

export const restoreResponse: ResponseCodec<RestoreResponse> = responseCodec<RestoreResponse>(
  'restore response',
  {
    collected: field('collected', goInt, () => 0),
    remaining: field('remaining', goInt, () => 0),
    restored: field('restored', goBool, () => false),
    err: errSpec,
    state: field('state', goRestoreState, () => ''),
    duplicate: field('duplicate', goBool, () => false),
    ids: field('ids', goIntSlice, () => null),
    conflict: field('conflict', goIntSlice, () => null),
    rejected: field('rejected', goIntSlice, () => null),
    match: field('match', goBoolPtr, () => null),
    retryAfter: field('retryAfter', goInt, () => 0),
    retired: field('retired', goBool, () => false),
    restarted: field('restarted', goBool, () => false),
    collector: field('collector', goString, () => ''),
    previousCollector: field('previousCollector', goString, () => ''),
  },
  (w, v) =>
    w.object([
      ['collected', (x) => x.int(v.collected)],
      ['remaining', (x) => x.int(v.remaining)],
      ['restored', (x) => x.bool(v.restored)],
      errField(v.err),
      v.state !== '' && ['state', (x) => x.string(v.state)],
      v.duplicate && ['duplicate', (x) => x.bool(true)],
      nonEmpty(v.ids) && ['ids', (x) => x.array(v.ids, int)],
      nonEmpty(v.conflict) && ['conflict', (x) => x.array(v.conflict, int)],
      nonEmpty(v.rejected) && ['rejected', (x) => x.array(v.rejected, int)],
      v.match !== null && ['match', (x) => x.bool(v.match as boolean)],
      v.retryAfter !== 0 && ['retryAfter', (x) => x.int(v.retryAfter)],
      v.retired && ['retired', (x) => x.bool(true)],
      v.restarted && ['restarted', (x) => x.bool(true)],
      v.collector !== '' && ['collector', (x) => x.string(v.collector)],
      v.previousCollector !== '' && ['previousCollector', (x) => x.string(v.previousCollector)],
    ]),
);

/** An upstream-shaped restore answer: the spike-ts fields empty. */
export function restoreAnswer(base: Pick<RestoreResponse, 'collected' | 'remaining' | 'restored'> & Partial<RestoreResponse>): RestoreResponse {
  return {
    err: '',
    state: '',
    duplicate: false,
    ids: null,
    conflict: null,
    rejected: null,
    match: null,
    retryAfter: 0,
    retired: false,
    restarted: false,
    collector: '',
    previousCollector: '',
    ...base,
  };
}

export function decodeRestoreResponse(raw: unknown): RestoreResponse {
  return restoreResponse.decode(raw);
}

/**
 * spike-ts only: the answer of `/v1/operator/status` (restore progress, never
 * values). `ids` are the shard ids collected so far, ascending. When the root
 * key is installed, `fingerprint` names its shard set (64 hex; the same value
 * `spike operator recover` writes into the manifest). While a root-key
 * rotation runs, `rotation` is its phase ("reencrypting" or "pushing"), with
 * progress (`rotationDone` of `rotationTotal` rows), the new set's
 * fingerprint, its start time (RFC 3339) and the keeper ids that have not
 * yet taken their new shard; all omitted when no rotation runs.
 * With several replicas on one database (PostgreSQL), `replica` names the
 * replica that answered and `replicas` lists those seen recently (name,
 * ready, last heartbeat as RFC 3339, its age in ms by the database's clock);
 * both omitted otherwise, so older clients and upstream readers ignore them.
 * While the answering replica waits for its key, the restore fields are the
 * collecting replica's (docs/design.md § Restore through any replica):
 * `collector` names it, and `restarted` says that its collection began after
 * the replica that collected before stopped (shards sent before are lost).
 */
export interface ReplicaStatus {
  name: string;
  ready: boolean;
  lastSeen: string;
  ageMs: number;
  /** The shard-set fingerprint of the key the replica serves with (64 hex; omitted when not told). */
  fingerprint: string;
  /** The root-key rotation phase the replica knows of (omitted when none). */
  rotation: string;
}
const replicaSpec: StructSpec<ReplicaStatus> = {
  name: field('name', goString, () => ''),
  ready: field('ready', goBool, () => false),
  lastSeen: field('lastSeen', goString, () => ''),
  ageMs: field('ageMs', goInt, () => 0),
  fingerprint: field('fingerprint', goString, () => ''),
  rotation: field('rotation', goString, () => ''),
};
const zeroReplica = (): ReplicaStatus => ({ name: '', ready: false, lastSeen: '', ageMs: 0, fingerprint: '', rotation: '' });

export interface StatusResponse {
  ready: boolean;
  collected: number;
  remaining: number;
  threshold: number;
  ids: number[] | null;
  fingerprint: string;
  rotation: string;
  rotationDone: number;
  rotationTotal: number;
  rotationFingerprint: string;
  rotationStartedAt: string;
  rotationWaiting: number[] | null;
  replica: string;
  replicas: ReplicaStatus[] | null;
  collector: string;
  restarted: boolean;
  err: string;
}
export const statusResponse: ResponseCodec<StatusResponse> = responseCodec<StatusResponse>(
  'status response',
  {
    ready: field('ready', goBool, () => false),
    collected: field('collected', goInt, () => 0),
    remaining: field('remaining', goInt, () => 0),
    threshold: field('threshold', goInt, () => 0),
    ids: field('ids', goIntSlice, () => null),
    fingerprint: field('fingerprint', goString, () => ''),
    rotation: field('rotation', goString, () => ''),
    rotationDone: field('rotationDone', goInt, () => 0),
    rotationTotal: field('rotationTotal', goInt, () => 0),
    rotationFingerprint: field('rotationFingerprint', goString, () => ''),
    rotationStartedAt: field('rotationStartedAt', goString, () => ''),
    rotationWaiting: field('rotationWaiting', goIntSlice, () => null),
    replica: field('replica', goString, () => ''),
    replicas: field('replicas', goSlice(goStruct(replicaSpec, 'replica'), zeroReplica), () => null),
    collector: field('collector', goString, () => ''),
    restarted: field('restarted', goBool, () => false),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      ['ready', (x) => x.bool(v.ready)],
      ['collected', (x) => x.int(v.collected)],
      ['remaining', (x) => x.int(v.remaining)],
      ['threshold', (x) => x.int(v.threshold)],
      ['ids', (x) => x.array(v.ids, int)],
      v.fingerprint !== '' && ['fingerprint', (x) => x.string(v.fingerprint)],
      v.rotation !== '' && ['rotation', (x) => x.string(v.rotation)],
      v.rotation !== '' && ['rotationDone', (x) => x.int(v.rotationDone)],
      v.rotation !== '' && ['rotationTotal', (x) => x.int(v.rotationTotal)],
      v.rotationFingerprint !== '' && ['rotationFingerprint', (x) => x.string(v.rotationFingerprint)],
      v.rotationStartedAt !== '' && ['rotationStartedAt', (x) => x.string(v.rotationStartedAt)],
      v.rotationWaiting !== null && v.rotationWaiting.length > 0 && ['rotationWaiting', (x) => x.array(v.rotationWaiting, int)],
      v.replica !== '' && ['replica', (x) => x.string(v.replica)],
      v.replicas !== null &&
        v.replicas.length > 0 && [
          'replicas',
          (x) =>
            x.array(v.replicas, (y, r) =>
              y.object([
                ['name', (z) => z.string(r.name)],
                ['ready', (z) => z.bool(r.ready)],
                ['lastSeen', (z) => z.string(r.lastSeen)],
                ['ageMs', (z) => z.int(r.ageMs)],
                r.fingerprint !== '' && ['fingerprint', (z) => z.string(r.fingerprint)],
                r.rotation !== '' && ['rotation', (z) => z.string(r.rotation)],
              ]),
            ),
        ],
      v.collector !== '' && ['collector', (x) => x.string(v.collector)],
      v.restarted && ['restarted', (x) => x.bool(true)],
      errField(v.err),
    ]),
);

/** A status answer with only the restore fields set (no fingerprint, no rotation). */
export function statusAnswer(base: Pick<StatusResponse, 'ready' | 'collected' | 'remaining' | 'threshold' | 'ids'> & Partial<StatusResponse>): StatusResponse {
  return {
    fingerprint: '',
    rotation: '',
    rotationDone: 0,
    rotationTotal: 0,
    rotationFingerprint: '',
    rotationStartedAt: '',
    rotationWaiting: null,
    replica: '',
    replicas: null,
    collector: '',
    restarted: false,
    err: '',
    ...base,
  };
}

// Rotate (spike-ts only)

/** The request of `/v1/operator/rotate`: no fields (`{}` or `null`), like recover's. */
export type RotateRequest = Record<string, never>;
export const rotateRequest: Codec<RotateRequest> = codec<RotateRequest>('rotate request', {}, (w) => w.raw('{}'));

/**
 * spike-ts only: the answer of `/v1/operator/rotate`. `state` is "started"
 * (this call began a rotation) or "running" (one was already in progress:
 * nothing new was begun). `phase`, `done`/`total`, `startedAt` as in the
 * status answer; `previousFingerprint` and `fingerprint` name the shard sets
 * of the old and the new root key (64 hex each; never key material).
 */
export interface RotateResponse {
  state: string;
  phase: string;
  done: number;
  total: number;
  previousFingerprint: string;
  fingerprint: string;
  startedAt: string;
  err: string;
}
export const rotateResponse: ResponseCodec<RotateResponse> = responseCodec<RotateResponse>(
  'rotate response',
  {
    state: field('state', goString, () => ''),
    phase: field('phase', goString, () => ''),
    done: field('done', goInt, () => 0),
    total: field('total', goInt, () => 0),
    previousFingerprint: field('previousFingerprint', goString, () => ''),
    fingerprint: field('fingerprint', goString, () => ''),
    startedAt: field('startedAt', goString, () => ''),
    err: errSpec,
  },
  (w, v) =>
    w.object([
      v.state !== '' && ['state', (x) => x.string(v.state)],
      v.phase !== '' && ['phase', (x) => x.string(v.phase)],
      v.state !== '' && ['done', (x) => x.int(v.done)],
      v.state !== '' && ['total', (x) => x.int(v.total)],
      v.previousFingerprint !== '' && ['previousFingerprint', (x) => x.string(v.previousFingerprint)],
      v.fingerprint !== '' && ['fingerprint', (x) => x.string(v.fingerprint)],
      v.startedAt !== '' && ['startedAt', (x) => x.string(v.startedAt)],
      errField(v.err),
    ]),
);
