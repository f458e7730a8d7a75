// The failpoints of the root-key rotation (src/common/failpoint.ts), in the
// order a rotation reaches them. SPIKE_NEXUS_FAILPOINTS accepts these names.
export const ROTATION_FAILPOINTS = [
  /** start(): after the checks, before the begin transaction. */
  'rotation.before_begin',
  /** The begin transaction committed and the in-memory root key is the new one. */
  'rotation.after_begin',
  /** Inside a re-encryption batch's transaction, the rows rewritten, before COMMIT. */
  'rotation.in_batch',
  /** A re-encryption batch committed. */
  'rotation.after_batch',
  /** The last batch committed (phase 'pushing'), before any push. */
  'rotation.after_reencrypt',
  /** The first keeper acknowledged its new shard (others may be in flight). */
  'rotation.after_push_one',
  /** Every keeper acknowledged; the finish transaction has not run. */
  'rotation.before_finish',
  /** The finish transaction committed. */
  'rotation.after_finish',
] as const;

export type RotationFailpoint = (typeof ROTATION_FAILPOINTS)[number];
