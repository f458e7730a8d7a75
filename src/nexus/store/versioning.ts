// Upstream secret versioning (upstream state/base/secret.go) as pure
// functions over a secret's header (metadata + version list, no values), so
// that the SQLite and memory backends share one implementation. Each planner
// returns the new header and what changed; the backend persists exactly that.
import { NotFoundError, StoreError } from './errors.js';
import type { SecretMetadataInfo, SecretVersionInfo } from './types.js';

export interface SecretHeader {
  readonly metadata: SecretMetadataInfo;
  /** Sorted by version ascending. */
  readonly versions: ReadonlyMap<number, SecretVersionInfo>;
}

export interface PutPlan {
  readonly header: SecretHeader;
  readonly newVersion: number;
  /** Versions pruned beyond maxVersions: their rows must be deleted. */
  readonly pruned: readonly number[];
}

export interface DeletionPlan {
  readonly header: SecretHeader;
  /** Versions whose deletedTime changed. */
  readonly changed: readonly number[];
}

/** A version number a caller may name: a positive safe integer (0 means "current" and is handled apart). */
function isVersionNumber(v: number): boolean {
  return Number.isSafeInteger(v) && v > 0;
}

function sortedMap(entries: Iterable<[number, SecretVersionInfo]>): Map<number, SecretVersionInfo> {
  return new Map([...entries].sort((a, b) => a[0] - b[0]));
}

function highestLive(versions: ReadonlyMap<number, SecretVersionInfo>): number {
  let best = 0;
  for (const [n, v] of versions) if (v.deletedTime === null && n > best) best = n;
  return best;
}

function lowestLive(versions: ReadonlyMap<number, SecretVersionInfo>): number {
  let best = 0;
  for (const [n, v] of versions) if (v.deletedTime === null && (best === 0 || n < best)) best = n;
  return best;
}

export function planPut(existing: SecretHeader | undefined, now: Date, maxVersions: number): PutPlan {
  if (existing === undefined) {
    const versions = new Map([[1, { version: 1, createdTime: now, deletedTime: null }]]);
    return {
      header: {
        versions,
        metadata: { currentVersion: 1, oldestVersion: 1, createdTime: now, updatedTime: now, maxVersions },
      },
      newVersion: 1,
      pruned: [],
    };
  }
  let highest = 0;
  for (const n of existing.versions.keys()) if (n > highest) highest = n;
  const newVersion = Math.max(highest, existing.metadata.currentVersion) + 1;
  const all = sortedMap([...existing.versions, [newVersion, { version: newVersion, createdTime: now, deletedTime: null }]]);
  const pruned: number[] = [];
  const excess = all.size - maxVersions;
  if (excess > 0) {
    for (const n of [...all.keys()].slice(0, excess)) {
      all.delete(n);
      pruned.push(n);
    }
  }
  return {
    header: {
      versions: all,
      metadata: {
        ...existing.metadata,
        currentVersion: newVersion,
        oldestVersion: lowestLive(all),
        updatedTime: now,
        maxVersions,
      },
    },
    newVersion,
    pruned,
  };
}

export function planDelete(existing: SecretHeader, requested: readonly number[], now: Date): DeletionPlan {
  const current = existing.metadata.currentVersion;
  const targets = new Set<number>();
  for (const v of requested.length === 0 ? [0] : requested) {
    const n = v === 0 ? current : v;
    if (isVersionNumber(n) && existing.versions.has(n)) targets.add(n);
  }
  const versions = new Map(existing.versions);
  for (const n of targets) {
    const old = versions.get(n);
    if (old !== undefined) versions.set(n, { ...old, deletedTime: now });
  }
  let { currentVersion, updatedTime } = existing.metadata;
  if (targets.has(currentVersion)) {
    currentVersion = highestLive(versions);
    updatedTime = now;
  }
  return {
    header: {
      versions,
      metadata: { ...existing.metadata, currentVersion, updatedTime, oldestVersion: lowestLive(versions) },
    },
    changed: [...targets].sort((a, b) => a - b),
  };
}

/** Throws NotFoundError when nothing gets undeleted. */
export function planUndelete(existing: SecretHeader, requested: readonly number[], now: Date): DeletionPlan {
  const current = existing.metadata.currentVersion;
  let list: readonly number[] = requested;
  if (list.length === 0) {
    if (current !== 0) {
      list = [current];
    } else {
      let highestDeleted = 0;
      for (const [n, v] of existing.versions) if (v.deletedTime !== null && n > highestDeleted) highestDeleted = n;
      list = highestDeleted === 0 ? [] : [highestDeleted];
    }
  }
  const targets = new Set<number>();
  for (const v of list) {
    if (v === 0 && current === 0) continue;
    const n = v === 0 ? current : v;
    if (isVersionNumber(n) && existing.versions.get(n)?.deletedTime != null) targets.add(n);
  }
  if (targets.size === 0) throw new NotFoundError('no deleted version to undelete');
  const versions = new Map(existing.versions);
  for (const n of targets) {
    const old = versions.get(n);
    if (old !== undefined) versions.set(n, { ...old, deletedTime: null });
  }
  let { currentVersion, updatedTime } = existing.metadata;
  const highestRestored = Math.max(...targets);
  if (highestRestored > currentVersion) {
    currentVersion = highestRestored;
    updatedTime = now;
  }
  return {
    header: {
      versions,
      metadata: { ...existing.metadata, currentVersion, updatedTime, oldestVersion: lowestLive(versions) },
    },
    changed: [...targets].sort((a, b) => a - b),
  };
}

/** The live version that `requested` (0 = current) names; throws NotFoundError otherwise. */
export function resolveReadableVersion(header: SecretHeader, requested: number): number {
  return resolveReadableVersionOf(header.metadata.currentVersion, requested, (n) => header.versions.get(n));
}

/**
 * resolveReadableVersion from the current version and a lookup of single
 * versions (the get path reads only what it needs). A current version that
 * is not stored is an integrity failure, as loadHeader reports it.
 */
export function resolveReadableVersionOf(
  currentVersion: number,
  requested: number,
  lookup: (version: number) => SecretVersionInfo | undefined,
): number {
  const n = requested === 0 ? currentVersion : requested;
  if (n === 0) throw new NotFoundError('secret has no live version');
  if (!isVersionNumber(n)) throw new NotFoundError('secret version not found');
  const v = lookup(n);
  if (v === undefined) {
    if (requested === 0) throw new StoreError('integrity', 'secret metadata names a current version that is not stored');
    throw new NotFoundError('secret version not found');
  }
  if (v.deletedTime !== null) throw new NotFoundError('secret version is deleted');
  return n;
}
