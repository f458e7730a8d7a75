// The failpoints of the store's group commit (src/common/failpoint.ts);
// SPIKE_NEXUS_FAILPOINTS accepts these names besides the rotation's.
export const STORE_FAILPOINTS = [
  /** Inside a group transaction, every write of the group done, before COMMIT (once per group). */
  'store.group_before_commit',
] as const;

export type StoreFailpoint = (typeof STORE_FAILPOINTS)[number];
