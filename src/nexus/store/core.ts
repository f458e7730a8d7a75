// SecretStore on top of any StoreBackend: input sanity checks, versioning
// plans (versioning.ts), atomicity, group commit of the queued writes
// (group-commit.ts), closed-state handling.
import type { StoreBackend } from './store-backend.js';
import { NotFoundError, StoreError } from './errors.js';
import { createGroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { checkName, checkPath, checkPolicyInput, checkValues, checkVersion, checkVersionList, copyValues } from './input-checks.js';
import type { Policy, PolicyInput, SecretMetadata, SecretStore, SecretVersionInfo, StoreRotation } from './types.js';
import { planDelete, planPut, planUndelete, resolveReadableVersion, resolveReadableVersionOf, type SecretHeader } from './versioning.js';

export interface CoreOptions {
  readonly maxVersions: number;
  readonly now: () => Date;
  /** The backend's root-key rotation (SQLite); the store exposes it, refusing calls once closed. */
  readonly rotation?: StoreRotation;
  /** Group commit limits and hooks (store.grouped). */
  readonly groupCommit?: GroupCommitOptions;
}

export function validateMaxVersions(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError('invalid_input', 'maxVersions must be a positive integer');
}

/** Deep copy (Dates included) so that callers can never reach a backend's state. */
function copyMetadata(h: SecretHeader): SecretMetadata {
  const versions = new Map<number, SecretVersionInfo>();
  for (const [n, v] of h.versions) {
    versions.set(n, { version: v.version, createdTime: new Date(v.createdTime), deletedTime: v.deletedTime === null ? null : new Date(v.deletedTime) });
  }
  const m = h.metadata;
  return { versions, metadata: { ...m, createdTime: new Date(m.createdTime), updatedTime: new Date(m.updatedTime) } };
}

/** `rotation` behind the store's closed check. */
function guardedRotation(rotation: StoreRotation, ensureOpen: () => void): StoreRotation {
  return {
    status() {
      ensureOpen();
      return rotation.status();
    },
    begin(newKey, startedBy) {
      ensureOpen();
      return rotation.begin(newKey, startedBy);
    },
    reencryptBatch(maxRows, hooks) {
      ensureOpen();
      return rotation.reencryptBatch(maxRows, hooks);
    },
    finish() {
      ensureOpen();
      rotation.finish();
    },
    withSealingKey(fn) {
      ensureOpen();
      return rotation.withSealingKey(fn);
    },
    withPreviousKey(fn) {
      ensureOpen();
      return rotation.withPreviousKey(fn);
    },
  };
}

/** A write's size for the group's byte budget: an estimate in UTF-16 code units. */
function valuesSize(values: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(values)) n += k.length + v.length;
  return n;
}

function policySize(input: PolicyInput): number {
  return input.name.length + input.spiffeIdPattern.length + input.pathPattern.length + input.permissions.join(',').length;
}

export function createStore(backend: StoreBackend, opts: CoreOptions): SecretStore {
  validateMaxVersions(opts.maxVersions);
  let closed = false;
  const open = (): StoreBackend => {
    if (closed) throw new StoreError('closed', 'the store is closed');
    // After a failed fsync of group commits: what the connection holds may not be on disk.
    const failure = committer.failure();
    if (failure !== undefined) throw failure;
    return backend;
  };
  const rotation = opts.rotation === undefined ? {} : { rotation: guardedRotation(opts.rotation, open) };
  const header = (b: StoreBackend, path: string): SecretHeader => {
    const h = b.loadHeader(path);
    if (h === undefined) throw new NotFoundError('secret not found');
    return h;
  };

  // The writes, on checked input. Each is one `atomically` call: its own
  // transaction when called alone, a savepoint inside a group transaction.
  const writes = {
    putSecret(path: string, values: Record<string, string>): number {
      const b = open();
      return b.atomically(() => {
        const plan = planPut(b.loadHeader(path), opts.now(), opts.maxVersions);
        b.writeSecret(path, {
          header: plan.header,
          insert: { version: plan.newVersion, values },
          deletionChanged: [],
          removed: plan.pruned,
        });
        return plan.newVersion;
      });
    },
    deleteSecretVersions(path: string, versions: readonly number[]): void {
      const b = open();
      b.atomically(() => {
        const plan = planDelete(header(b, path), versions, opts.now());
        b.writeSecret(path, { header: plan.header, deletionChanged: plan.changed, removed: [] });
      });
    },
    undeleteSecretVersions(path: string, versions: readonly number[]): void {
      const b = open();
      b.atomically(() => {
        const plan = planUndelete(header(b, path), versions, opts.now());
        b.writeSecret(path, { header: plan.header, deletionChanged: plan.changed, removed: [] });
      });
    },
    putPolicy(input: PolicyInput): Policy {
      const b = open();
      return b.atomically(() => {
        const now = opts.now();
        const existing = b.loadPolicy(input.name);
        const policy: Policy = {
          name: input.name,
          spiffeIdPattern: input.spiffeIdPattern,
          pathPattern: input.pathPattern,
          permissions: [...input.permissions],
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        b.savePolicy(policy);
        return policy;
      });
    },
    deletePolicy(name: string): boolean {
      const b = open();
      return b.atomically(() => b.deletePolicy(name));
    },
  };

  const deferred = backend.deferredSync;
  const committer = createGroupCommitter(
    deferred === undefined
      ? { runGroup: (fn) => open().atomically(fn), stillOpen: () => backend.inTransaction() }
      : {
          runGroup: (fn) => {
            open();
            deferred.atomicallyUnsynced(fn);
          },
          stillOpen: () => backend.inTransaction(),
          durability: deferred,
        },
    opts.groupCommit,
  );
  /**
   * For a read: nothing committed may be seen before it is durable (group
   * commits are made durable after COMMIT, docs/design.md § Store), so a read
   * first waits — synchronously — for what is not yet.
   */
  const readable = (): StoreBackend => {
    const b = open();
    committer.barrier();
    return b;
  };
  /**
   * `prepare` checks and copies the input now (a bad input rejects at once and
   * queues nothing) and gives the write for the next group and its size.
   */
  const queue = <T>(prepare: () => { readonly write: () => T; readonly bytes: number }): Promise<T> => {
    let prepared: { readonly write: () => T; readonly bytes: number };
    try {
      prepared = prepare();
      open();
    } catch (e) {
      return Promise.reject(e);
    }
    return committer.submit(prepared.write, prepared.bytes);
  };
  return {
    kind: backend.kind,
    ...rotation,

    putSecret(path, values) {
      checkPath(path);
      checkValues(values);
      return writes.putSecret(path, copyValues(values));
    },

    getSecret(path, version = 0) {
      checkPath(path);
      checkVersion(version);
      const b = readable();
      // The hot path: the current version and the one needed row only, without a
      // transaction of their own. Every write goes through this store's backend on
      // this thread and these reads run within one synchronous call, so no commit
      // can land between them: each reads the latest commit, the one snapshot a
      // transaction would have held (SQLite: its connection is spike.db's only
      // writer; the checkpoint worker's copies pages and changes no row).
      const current = b.loadCurrentVersion(path);
      if (current === undefined) throw new NotFoundError('secret not found');
      const n = resolveReadableVersionOf(current, version, (v) => b.loadVersionInfo(path, v));
      const values = b.loadValues(path, n);
      if (values === undefined) throw new StoreError('integrity', 'a listed secret version has no stored data');
      return values;
    },

    deleteSecretVersions(path, versions) {
      checkPath(path);
      checkVersionList(versions);
      writes.deleteSecretVersions(path, versions);
    },

    undeleteSecretVersions(path, versions) {
      checkPath(path);
      checkVersionList(versions);
      writes.undeleteSecretVersions(path, versions);
    },

    getSecretMetadata(path, version = 0): SecretMetadata {
      checkPath(path);
      checkVersion(version);
      const b = readable();
      return b.atomically(() => {
        const h = header(b, path);
        resolveReadableVersion(h, version);
        return copyMetadata(h);
      });
    },

    listSecretPaths() {
      return readable().listPaths();
    },

    putPolicy(input): Policy {
      checkPolicyInput(input);
      return writes.putPolicy(input);
    },

    getPolicy(name) {
      checkName(name);
      const p = readable().loadPolicy(name);
      if (p === undefined) throw new NotFoundError('policy not found');
      return p;
    },

    deletePolicy(name) {
      checkName(name);
      return writes.deletePolicy(name);
    },

    listPolicies() {
      return readable().listPolicies();
    },

    grouped: {
      putSecret: (path, values) =>
        queue(() => {
          checkPath(path);
          checkValues(values);
          const copy = copyValues(values);
          return { write: () => writes.putSecret(path, copy), bytes: path.length + valuesSize(copy) };
        }),
      deleteSecretVersions: (path, versions) =>
        queue(() => {
          checkPath(path);
          checkVersionList(versions);
          const copy = [...versions];
          return { write: () => writes.deleteSecretVersions(path, copy), bytes: path.length };
        }),
      undeleteSecretVersions: (path, versions) =>
        queue(() => {
          checkPath(path);
          checkVersionList(versions);
          const copy = [...versions];
          return { write: () => writes.undeleteSecretVersions(path, copy), bytes: path.length };
        }),
      putPolicy: (input) =>
        queue(() => {
          checkPolicyInput(input);
          const copy: PolicyInput = {
            name: input.name,
            spiffeIdPattern: input.spiffeIdPattern,
            pathPattern: input.pathPattern,
            permissions: [...input.permissions],
          };
          return { write: () => writes.putPolicy(copy), bytes: policySize(copy) };
        }),
      deletePolicy: (name) =>
        queue(() => {
          checkName(name);
          return { write: () => writes.deletePolicy(name), bytes: name.length };
        }),
    },

    durable: () => committer.durable(),

    close() {
      if (closed) return;
      // What was queued before close still runs, is made durable and is answered first.
      try {
        committer.close();
      } finally {
        closed = true;
        backend.close();
      }
    },
  };
}
