// StoreBackend over an open better-sqlite3 database and the root key(s).
import type { Database } from 'better-sqlite3';
import type { DeferredSync, SecretWrite, StoreBackend } from '../store-backend.js';
import { StoreError } from '../errors.js';
import type { Keyring } from '../keyring.js';
import type { Policy, SecretVersionInfo } from '../types.js';
import type { SecretHeader } from '../versioning.js';
import { openCurrentVersion, openMetadata, openPolicyFields, openSecretValues, sealMetadata, sealPolicyFields, sealSecretValues, type MetadataRow, type PolicyRow } from './rows.js';
import { dateToUnixSeconds, formatSqliteTime, parseSqliteTime, unixSecondsToDate } from './time.js';
import type { WalSync } from './wal-sync.js';
import type { Checkpointer } from './checkpointer.js';

interface VersionRow {
  version: number | bigint;
  created_time: unknown;
  deleted_time: unknown;
}

interface PolicyFullRow extends PolicyRow {
  name: string;
  created_time: unknown;
  updated_time: unknown;
}

function integrity(what: string): StoreError {
  return new StoreError('integrity', `stored ${what} is malformed`);
}

function toSafeInt(v: unknown, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw integrity(what);
  return n;
}

/** A copy the caller may keep (the entries are immutable). */
function copyHeader(h: SecretHeader): SecretHeader {
  return { metadata: h.metadata, versions: new Map(h.versions) };
}

/** Exactly as loadHeader reads it back: metadata times in whole seconds, version times through their stored text. */
function asStored(write: SecretWrite): SecretHeader {
  const m = write.header.metadata;
  const seconds = (d: Date): Date => unixSecondsToDate(dateToUnixSeconds(d)) ?? d;
  const viaText = (d: Date): Date => parseSqliteTime(formatSqliteTime(d)) ?? d;
  const changed = new Set(write.deletionChanged);
  if (write.insert !== undefined) changed.add(write.insert.version);
  const versions = new Map<number, SecretVersionInfo>();
  for (const n of [...write.header.versions.keys()].sort((a, b) => a - b)) {
    const v = write.header.versions.get(n) as SecretVersionInfo;
    versions.set(
      n,
      changed.has(n) ? { version: v.version, createdTime: viaText(v.createdTime), deletedTime: v.deletedTime === null ? null : viaText(v.deletedTime) } : v,
    );
  }
  return { metadata: { ...m, createdTime: seconds(m.createdTime), updatedTime: seconds(m.updatedTime) }, versions };
}

export interface SqliteBackend extends StoreBackend {
  /** Drops the memo of a row's sealed bytes (a rotation rewrites rows). */
  forgetSealedRows(): void;
}

/**
 * `keyring` is owned by the backend and zeroed on close. Rows are sealed with
 * its sealing key and opened with it (then, during a rotation, with the
 * previous key: Keyring.open).
 *
 * `checkpointer` (owned, closed before the connection): WAL checkpoints in a
 * worker thread, asked after group commits.
 *
 * `walSync` (owned too, closed after the connection): group transactions then
 * commit with synchronous=NORMAL and are made durable by its fsyncs
 * (`deferredSync`); every other transaction keeps the connection's
 * synchronous=FULL, durable when COMMIT returns. Without it, group
 * transactions are synchronous=FULL too.
 */
export function sqliteBackend(db: Database, keyring: Keyring, walSync?: WalSync, checkpointer?: Checkpointer): SqliteBackend {
  const q = {
    metadata: db.prepare<[string], MetadataRow>(
      'SELECT nonce, encrypted_current_version, encrypted_oldest_version, encrypted_created_time, encrypted_updated_time, encrypted_max_versions FROM secret_metadata WHERE path = ?',
    ),
    currentVersion: db.prepare<[string], { nonce: unknown; encrypted_current_version: unknown }>(
      'SELECT nonce, encrypted_current_version FROM secret_metadata WHERE path = ?',
    ),
    version: db.prepare<[string, number], VersionRow & { nonce: unknown; encrypted_data: unknown }>(
      'SELECT version, created_time, deleted_time, nonce, encrypted_data FROM secrets WHERE path = ? AND version = ?',
    ),
    versions: db.prepare<[string], VersionRow>('SELECT version, created_time, deleted_time FROM secrets WHERE path = ? ORDER BY version'),
    values: db.prepare<[string, number], { nonce: unknown; encrypted_data: unknown }>(
      'SELECT nonce, encrypted_data FROM secrets WHERE path = ? AND version = ?',
    ),
    upsertMetadata: db.prepare(
      `INSERT INTO secret_metadata (path, nonce, encrypted_current_version, encrypted_oldest_version, encrypted_created_time, encrypted_updated_time, encrypted_max_versions)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET nonce = excluded.nonce,
         encrypted_current_version = excluded.encrypted_current_version,
         encrypted_oldest_version = excluded.encrypted_oldest_version,
         encrypted_created_time = excluded.encrypted_created_time,
         encrypted_updated_time = excluded.encrypted_updated_time,
         encrypted_max_versions = excluded.encrypted_max_versions`,
    ),
    upsertVersion: db.prepare(
      `INSERT INTO secrets (path, version, nonce, encrypted_data, created_time, deleted_time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path, version) DO UPDATE SET nonce = excluded.nonce, encrypted_data = excluded.encrypted_data,
         created_time = excluded.created_time, deleted_time = excluded.deleted_time`,
    ),
    setDeleted: db.prepare('UPDATE secrets SET deleted_time = ? WHERE path = ? AND version = ?'),
    removeVersion: db.prepare('DELETE FROM secrets WHERE path = ? AND version = ?'),
    paths: db.prepare<[], { path: string }>('SELECT path FROM secret_metadata ORDER BY path'),
    policy: db.prepare<[string], PolicyFullRow>(
      'SELECT name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time FROM policies WHERE name = ?',
    ),
    policies: db.prepare<[], PolicyFullRow>(
      'SELECT name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time FROM policies ORDER BY name',
    ),
    upsertPolicy: db.prepare(
      `INSERT INTO policies (name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET nonce = excluded.nonce,
         encrypted_spiffe_id_pattern = excluded.encrypted_spiffe_id_pattern,
         encrypted_path_pattern = excluded.encrypted_path_pattern,
         encrypted_permissions = excluded.encrypted_permissions,
         updated_time = excluded.updated_time`,
    ),
    deletePolicy: db.prepare('DELETE FROM policies WHERE name = ?'),
  };

  const decodeVersion = (row: VersionRow): SecretVersionInfo => {
    const version = toSafeInt(row.version, 'secret version');
    const createdTime = parseSqliteTime(row.created_time);
    if (createdTime === undefined) throw integrity('secret version');
    let deletedTime: Date | null = null;
    if (row.deleted_time !== null && row.deleted_time !== undefined) {
      const d = parseSqliteTime(row.deleted_time);
      if (d === undefined) throw integrity('secret version');
      deletedTime = d;
    }
    return { version, createdTime, deletedTime };
  };

  // The get path's caches (this connection is spike.db's only writer: Nexus opens
  // one store; every write below goes through writeSecret, which drops the
  // path's entries before changing anything, so a rolled-back write leaves
  // nothing stale):
  //  - the current version of recently read secrets (a plain number, no
  //    secret): saves the metadata query and its decryption; a rotation's
  //    re-encryption keeps every plaintext, so it stays right across one;
  //  - the row read by loadVersionInfo, for the loadValues that follows it in
  //    the same synchronous call (one query for both); a rotation drops it
  //    (forgetSealedRows) before rewriting rows.
  const currentVersions = new Map<string, number>();
  const MAX_CACHED_PATHS = 4096;
  // The write path's cache: the decrypted header (metadata and version list:
  // numbers and times, no values) of recently written or read secrets, as
  // loadHeader would read it back. Set by writeSecret inside a transaction or
  // savepoint; every path set inside an `atomically` that throws (its changes
  // rolled back, a group's failing COMMIT included) is dropped again.
  const headers = new Map<string, SecretHeader>();
  /** Paths whose header was cached inside the open transaction. */
  let cachedInTx: string[] = [];
  const cacheHeader = (path: string, h: SecretHeader): void => {
    if (headers.size >= MAX_CACHED_PATHS) headers.clear();
    headers.set(path, h);
    if (db.inTransaction) cachedInTx.push(path);
  };
  let lastRow: { path: string; version: number; nonce: unknown; data: unknown } | undefined;

  // Transaction wrappers built once (better-sqlite3 builds a function per call otherwise).
  const run = db.transaction((fn: () => unknown) => fn());

  const decodePolicy = (row: PolicyFullRow): Policy => {
    const fields = keyring.open((k) => openPolicyFields(k, row));
    const createdAt = unixSecondsToDate(toSafeInt(row.created_time, 'policy'));
    const updatedAt = unixSecondsToDate(toSafeInt(row.updated_time, 'policy'));
    if (createdAt === undefined || updatedAt === undefined) throw integrity('policy');
    return { name: row.name, ...fields, createdAt, updatedAt };
  };

  const atomically = <T>(fn: () => T): T => {
    const mark = cachedInTx.length;
    try {
      const out = run.immediate(fn) as T;
      if (!db.inTransaction) cachedInTx = [];
      return out;
    } catch (e) {
      for (const path of cachedInTx.splice(mark)) headers.delete(path);
      if (!db.inTransaction) cachedInTx = [];
      throw e;
    }
  };

  const deferredSync: DeferredSync | undefined =
    walSync === undefined
      ? undefined
      : {
          atomicallyUnsynced<T>(fn: () => T): T {
            if (db.inTransaction) throw new StoreError('io', 'a group transaction cannot run inside another transaction');
            // synchronous=NORMAL in WAL mode: COMMIT writes the frames and does not sync them
            // (checkpoints still sync); FULL again for every other transaction.
            db.exec('PRAGMA synchronous = NORMAL');
            let out: T;
            try {
              out = atomically(fn);
            } finally {
              db.exec('PRAGMA synchronous = FULL');
            }
            checkpointer?.committed();
            return out;
          },
          parallel: walSync.parallel,
          sync: (done) => walSync.sync(done),
          syncNow: () => walSync.syncNow(),
        };

  return {
    kind: 'sqlite',
    ...(deferredSync === undefined ? {} : { deferredSync }),

    atomically,

    inTransaction: () => db.inTransaction,

    loadCurrentVersion(path): number | undefined {
      const cached = currentVersions.get(path);
      if (cached !== undefined) return cached;
      const m = q.currentVersion.get(path);
      if (m === undefined) return undefined;
      const n = keyring.open((k) => openCurrentVersion(k, m.nonce, m.encrypted_current_version));
      if (currentVersions.size >= MAX_CACHED_PATHS) currentVersions.clear();
      currentVersions.set(path, n);
      return n;
    },

    loadVersionInfo(path, version): SecretVersionInfo | undefined {
      const row = q.version.get(path, version);
      lastRow = row === undefined ? undefined : { path, version, nonce: row.nonce, data: row.encrypted_data };
      return row === undefined ? undefined : decodeVersion(row);
    },

    loadHeader(path): SecretHeader | undefined {
      const cached = headers.get(path);
      if (cached !== undefined) return copyHeader(cached);
      const m = q.metadata.get(path);
      if (m === undefined) return undefined;
      const metadata = keyring.open((k) => openMetadata(k, m));
      const versions = new Map<number, SecretVersionInfo>();
      for (const row of q.versions.all(path)) {
        const info = decodeVersion(row);
        versions.set(info.version, info);
      }
      if (metadata.currentVersion !== 0 && !versions.has(metadata.currentVersion)) {
        throw new StoreError('integrity', 'secret metadata names a current version that is not stored');
      }
      cacheHeader(path, { metadata, versions });
      return copyHeader({ metadata, versions });
    },

    loadValues(path, version) {
      const memo = lastRow;
      lastRow = undefined;
      if (memo !== undefined && memo.path === path && memo.version === version) {
        return keyring.open((k) => openSecretValues(k, memo.nonce, memo.data));
      }
      const row = q.values.get(path, version);
      return row === undefined ? undefined : keyring.open((k) => openSecretValues(k, row.nonce, row.encrypted_data));
    },

    writeSecret(path, write: SecretWrite) {
      currentVersions.delete(path);
      headers.delete(path);
      lastRow = undefined;
      const sm = sealMetadata(keyring.sealing, write.header.metadata);
      q.upsertMetadata.run(path, sm.nonce, sm.currentVersion, sm.oldestVersion, sm.createdTime, sm.updatedTime, sm.maxVersions);
      if (write.insert !== undefined) {
        const info = write.header.versions.get(write.insert.version);
        if (info === undefined) throw new StoreError('integrity', 'new version missing from its plan');
        const sealed = sealSecretValues(keyring.sealing, write.insert.values);
        q.upsertVersion.run(
          path,
          write.insert.version,
          sealed.nonce,
          sealed.data,
          formatSqliteTime(info.createdTime),
          info.deletedTime === null ? null : formatSqliteTime(info.deletedTime),
        );
      }
      for (const n of write.deletionChanged) {
        const info = write.header.versions.get(n);
        if (info === undefined) continue;
        q.setDeleted.run(info.deletedTime === null ? null : formatSqliteTime(info.deletedTime), path, n);
      }
      for (const n of write.removed) q.removeVersion.run(path, n);
      cacheHeader(path, asStored(write));
    },

    listPaths: () => q.paths.all().map((r) => r.path),

    loadPolicy(name) {
      const row = q.policy.get(name);
      return row === undefined ? undefined : decodePolicy(row);
    },

    savePolicy(p) {
      const sealed = sealPolicyFields(keyring.sealing, p);
      q.upsertPolicy.run(
        p.name,
        sealed.nonce,
        sealed.spiffeIdPattern,
        sealed.pathPattern,
        sealed.permissions,
        dateToUnixSeconds(p.createdAt),
        dateToUnixSeconds(p.updatedAt),
      );
    },

    deletePolicy: (name) => q.deletePolicy.run(name).changes > 0,

    listPolicies() {
      const out: Policy[] = [];
      for (const row of q.policies.all()) {
        try {
          out.push(decodePolicy(row));
        } catch (e) {
          // As upstream's LoadAllPolicies: an unreadable row is skipped, not fatal for every policy check.
          if (!(e instanceof StoreError)) throw e;
        }
      }
      return out;
    },

    forgetSealedRows() {
      lastRow = undefined;
    },

    close() {
      currentVersions.clear();
      headers.clear();
      lastRow = undefined;
      try {
        // The checkpointing connection first, so that this one is the last to close (checkpointer.ts).
        checkpointer?.close();
        if (db.open) db.close();
      } finally {
        keyring.zero();
        walSync?.close();
      }
    },
  };
}
