// What `spike operator restore` says about each answer of SPIKE Nexus beyond
// the seed's progress and completion texts (texts.ts): a shard given twice,
// two values for one id, shards that do not fit, a drill on a healthy Nexus,
// the rate limit, the reset (docs/design.md § Texts, docs/cli.md). Lines for
// stdout end with a newline; CliError messages (printed after `Error: `) do not.

/** `1`, `1 and 2`, `1, 2 and 3`. */
function idList(ids: readonly number[]): string {
  if (ids.length <= 1) return ids.join('');
  return `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/** The same id with the same value again: nothing changed. */
export function shardAlreadyGivenLine(id: number): string {
  return `Shard ${id} was already given.\n`;
}

/** The same id with a different value: both are kept. */
export function shardConflictLine(id: number): string {
  return `Shard ${id} was given before with a different value; both values are kept and the next shard will decide which one is right.\n`;
}

/** Other ids that hold more than one value (this call did not add one to them). */
export function otherConflictsLine(ids: readonly number[]): string {
  return ids.length === 1
    ? `Shard ${ids[0]} has more than one value; all are kept until the shards fit together.\n`
    : `Shards ${idList(ids)} have more than one value each; all are kept until the shards fit together.\n`;
}

/** After a restore: ids whose values were not part of the set that rebuilt the key. */
export function shardsNotUsedLine(ids: readonly number[]): string {
  return ids.length === 1
    ? `Shard ${ids[0]} was not used: it does not belong to this root key.\n`
    : `Shards ${idList(ids)} were not used: they do not belong to this root key.\n`;
}

/** Enough ids are held but no one-value-per-id set rebuilds the stored root key (exit 5). */
export function noFitMessage(ids: readonly number[], remaining: number): string {
  const held = ids.length > 0 ? ` (shards ${idList(ids)})` : '';
  const more = remaining === 1 ? '1 more shard' : `${remaining} more shards`;
  return `The shards given so far${held} do not fit together: at least one is wrong or from another shard set. All are kept; give ${more} with \`spike operator restore\`.`;
}

/**
 * `no_fit` with `retired`: the shards held rebuild a root key that a
 * rotation replaced (exit 5). Such a key is never installed.
 */
export const RETIRED_SHARDS_MESSAGE =
  'These shards belong to a previous root key: it was replaced by a rotation. Use the recovery files written after the rotation.';

/** Drill on a healthy Nexus: the shard is share `id` of the live root key (exit 0). */
export function healthyMatchLine(id: number): string {
  return `SPIKE Nexus is healthy; nothing to restore. Shard ${id} matches the current root key.\n`;
}

/** Drill on a healthy Nexus: the shard is not share `id` of the live root key (exit 5). */
export function healthyMismatchMessage(id: number): string {
  return `SPIKE Nexus is healthy; nothing to restore. Shard ${id} does NOT match the current root key.`;
}

/**
 * A Nexus that already has its root key but cannot say whether the shard
 * matches it (upstream SPIKE, or an older spike-ts): exit 5, since a drill
 * that cannot be checked must not pass.
 */
export function cannotCheckMessage(id: number): string {
  return `SPIKE Nexus reports that it is already restored; nothing to restore. This SPIKE Nexus cannot check whether shard ${id} matches the current root key.`;
}

/** 429 (exit 1). `seconds` undefined: Nexus did not say how long. */
export function rateLimitedMessage(seconds: number | undefined): string {
  return seconds === undefined
    ? 'Too many restore attempts; try again in a few seconds.'
    : `Too many restore attempts; try again in ${seconds} s.`;
}

/** A plain 400 to a shard (exit 5): the shard passed the Pilot's format check, so Nexus found it invalid. */
export function shardRefusedMessage(id: number): string {
  return `SPIKE Nexus refused shard ${id} as invalid (HTTP 400 api_bad_request): its id may be higher than the number of shards this deployment makes, or its value is not a valid share. Nothing was kept; check the shard.`;
}

/** 400 `too_many_values` (exit 5). */
export function tooManyValuesMessage(id: number): string {
  return `SPIKE Nexus already holds as many different values for shard ${id} as it keeps; nothing was added. Run \`spike operator restore --reset\` to empty the collection, then give the shards again.`;
}

/** `--reset` done. */
export const RESET_DONE_LINE = 'Restore collection emptied; give the shards again.\n';

/** `--reset` on a Nexus that has its root key: there is no collection. */
export const RESET_HEALTHY_LINE = 'SPIKE Nexus is healthy; there is no restore collection to empty.\n';

/** `--reset` against a Nexus without it (exit 1). */
export const RESET_UNSUPPORTED_MESSAGE = 'This SPIKE Nexus does not support `spike operator restore --reset`; nothing was changed.';

/** Ctrl-C at the hidden prompt (exit 130). */
export const PROMPT_CANCELED_MESSAGE = 'Canceled; nothing was sent to SPIKE Nexus.';

/** Shards to send again: every one but those held now. */
function sendAgain(held: readonly number[]): string {
  return held.length === 0 ? 'Send every shard again' : `Send every shard again except ${held.length === 1 ? 'shard' : 'shards'} ${idList(held)} (held now)`;
}

/**
 * Several replicas: the replica collecting shards stopped and another one
 * took over with an empty collection (docs/design.md § Restore through any
 * replica). `held`: the ids the new collector holds (this call's included).
 */
export function collectionRestartedLine(collector: string, previous: string, held: readonly number[]): string {
  const who = previous === '' ? 'the replica that collected the shards before' : `replica ${previous}, which collected the shards before,`;
  const on = collector === '' ? 'another replica' : `replica ${collector}`;
  return `The restore started again on ${on}: ${who} stopped, and the shards it held are lost. ${sendAgain(held)}.
`;
}

/** The same, in `spike operator status` (no trailing newline: a line of the status text). */
export function statusRestartedLine(held: readonly number[]): string {
  return `The collection started again after the replica that collected before stopped: the shards sent before are lost. ${sendAgain(held)}.`;
}
