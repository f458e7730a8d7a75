// openPostgresStore: the NexusStore on a PostgreSQL database shared by
// several Nexus replicas.
//
// Rows are sealed exactly as SQLite's (sqlite/rows.ts: AES-256-GCM under the
// root key), versions follow the same plans (versioning.ts).
//
// Writes: each is one transaction (READ COMMITTED). A write to a secret
// first locks the secret's metadata row (SELECT … FOR UPDATE; for a new
// path, INSERT … ON CONFLICT DO NOTHING, and on a conflict the row another
// replica just created is locked instead), then reads the version list in a
// new statement — which sees everything committed by the writer it waited
// for — plans, and writes. Two replicas writing one path therefore queue on
// the row and get distinct versions. A policy write is one statement in its
// transaction, with a NOTIFY on POLICY_CHANNEL (delivered on COMMIT) so that
// the other replicas drop their compiled policies (listen.ts).
// `grouped` writes each run as their own transaction (PostgreSQL commits
// concurrent transactions in groups itself) and settle after COMMIT.
//
// Reads: one statement each (one snapshot), except the rare current-version
// read whose newest live row is not the current version (possible with rows
// copied from upstream), which reads twice on one REPEATABLE READ snapshot.
// Nothing is cached: another replica may have written since.
//
// Root-key rotation (rotation.ts, docs/postgres.md § Root-key rotation): every
// write that seals first checks, under the key fence, that this replica seals
// with the key the store expects; if not, it learns the keys (refresh) and runs
// again once. A read whose row opens with neither key refreshes the keys and
// reads again once. A replica that lacks the store's key answers
// StoreUnavailableError (503), never data sealed under another key.
import type pg from 'pg';
import { validateMaxVersions } from '../core.js';
import { keyCheckValue } from '../crypto.js';
import { KeyMismatchError, NotFoundError, RetiredKeyError, StoreError } from '../errors.js';
import type { NexusStore } from '../nexus-store.js';
import {
  openCurrentVersion,
  openMetadata,
  openPolicyFields,
  openSecretValues,
  sealMetadata,
  sealPolicyFields,
  sealSecretValues,
  type MetadataRow,
  type PolicyRow,
} from '../sqlite/rows.js';
import { dateToUnixSeconds, unixSecondsToDate } from '../sqlite/time.js';
import type { Policy, PolicyInput, SecretMetadata, SecretVersionInfo } from '../types.js';
import { planDelete, planPut, planUndelete, resolveReadableVersionOf, type SecretHeader } from '../versioning.js';
import type { PostgresDatabase } from './database.js';
import { POLICY_CHANNEL } from './listen.js';
import { checkName, checkPath, checkPolicyInput, checkValues, checkVersion, checkVersionList, copyValues } from './input.js';
import { checkKeyLength, KEY_CHECK_ALGORITHM, keyVerdict } from './keycheck.js';
import { postgresRotation, ReplicaKeys, StaleKeyError, staleKeyUnavailable } from './rotation.js';
import { ADVISORY_LOCKS, KEY_CHECK_TABLE } from './schema.js';
import { asStoreError, queryOnce, withTransaction, writeTransaction, type Queryable } from './tx.js';

export interface PostgresStoreOptions {
  /** 32-byte root key; the store keeps its own copy (zeroed on close). The caller may zero its buffer. */
  readonly rootKey: Uint8Array;
  /** SPIKE_NEXUS_MAX_SECRET_VERSIONS (positive). */
  readonly maxVersions: number;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** close() leaves `db` open (its owner ends it): a replica that drops a retired key opens the store again on the same pool. */
  readonly keepDatabaseOpen?: boolean;
  /** This replica's keys changed, or it lacks the store's current key (rotation.ts). */
  readonly onKeys?: (what: 'changed' | 'stale') => void;
}

const METADATA_COLUMNS = 'nonce, encrypted_current_version, encrypted_oldest_version, encrypted_created_time, encrypted_updated_time, encrypted_max_versions';
const POLICY_COLUMNS = 'name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time';

/** A secrets row's version columns (null throughout where a LEFT JOIN found no row). */
interface VersionRow {
  version: string | number | null;
  created_time: Date;
  deleted_time: Date | null;
}

interface PolicyFullRow extends PolicyRow {
  name: string;
  created_time: string | number;
  updated_time: string | number;
}

/** Named statements: prepared once per connection. */
const Q = {
  lockMetadata: `SELECT ${METADATA_COLUMNS} FROM secret_metadata WHERE path = $1 FOR UPDATE`,
  insertMetadata: `INSERT INTO secret_metadata (path, ${METADATA_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (path) DO NOTHING`,
  updateMetadata: `UPDATE secret_metadata SET nonce = $2, encrypted_current_version = $3, encrypted_oldest_version = $4,
    encrypted_created_time = $5, encrypted_updated_time = $6, encrypted_max_versions = $7 WHERE path = $1`,
  versions: 'SELECT version, created_time, deleted_time FROM secrets WHERE path = $1 ORDER BY version',
  insertVersion: 'INSERT INTO secrets (path, version, nonce, encrypted_data, created_time, deleted_time) VALUES ($1, $2, $3, $4, $5, $6)',
  setDeleted: 'UPDATE secrets SET deleted_time = $3 WHERE path = $1 AND version = ANY($2::bigint[])',
  removeVersions: 'DELETE FROM secrets WHERE path = $1 AND version = ANY($2::bigint[])',
  // The current version's nonce and sealed number, with the newest live row (usually the current one).
  current: `SELECT m.nonce AS m_nonce, m.encrypted_current_version, s.version, s.created_time, s.deleted_time, s.nonce, s.encrypted_data
    FROM secret_metadata m
    LEFT JOIN LATERAL (SELECT version, created_time, deleted_time, nonce, encrypted_data FROM secrets
                       WHERE path = m.path AND deleted_time IS NULL ORDER BY version DESC LIMIT 1) s ON true
    WHERE m.path = $1`,
  currentOnly: 'SELECT nonce AS m_nonce, encrypted_current_version FROM secret_metadata WHERE path = $1',
  version: `SELECT s.version, s.created_time, s.deleted_time, s.nonce, s.encrypted_data
    FROM secret_metadata m LEFT JOIN secrets s ON s.path = m.path AND s.version = $2 WHERE m.path = $1`,
  header: `SELECT m.nonce AS m_nonce, m.encrypted_current_version, m.encrypted_oldest_version, m.encrypted_created_time,
      m.encrypted_updated_time, m.encrypted_max_versions, s.version, s.created_time, s.deleted_time
    FROM secret_metadata m LEFT JOIN secrets s ON s.path = m.path WHERE m.path = $1 ORDER BY s.version`,
  paths: 'SELECT path FROM secret_metadata ORDER BY path',
  policy: `SELECT ${POLICY_COLUMNS} FROM policies WHERE name = $1`,
  policies: `SELECT ${POLICY_COLUMNS} FROM policies ORDER BY name`,
  upsertPolicy: `INSERT INTO policies (${POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, encrypted_spiffe_id_pattern = excluded.encrypted_spiffe_id_pattern,
      encrypted_path_pattern = excluded.encrypted_path_pattern, encrypted_permissions = excluded.encrypted_permissions,
      updated_time = excluded.updated_time
    RETURNING created_time, updated_time`,
  deletePolicy: 'DELETE FROM policies WHERE name = $1',
  // Delivered to every replica's LISTEN connection on COMMIT, never for a rollback (listen.ts).
  notifyPolicy: 'SELECT pg_notify($1, $2)',
} as const;

type QueryName = keyof typeof Q;

function stmt(name: QueryName, values: unknown[]): pg.QueryConfig {
  return { name: `spike_ts_${name}`, text: Q[name], values };
}

function integrity(what: string): StoreError {
  return new StoreError('integrity', `stored ${what} is malformed`);
}

/** int8 columns arrive as decimal strings. */
function toSafeInt(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw integrity(what);
  return n;
}

function decodeVersion(row: VersionRow): SecretVersionInfo {
  const version = toSafeInt(row.version, 'secret version');
  if (!(row.created_time instanceof Date) || Number.isNaN(row.created_time.getTime())) throw integrity('secret version');
  if (row.deleted_time !== null && (!(row.deleted_time instanceof Date) || Number.isNaN(row.deleted_time.getTime()))) throw integrity('secret version');
  return { version, createdTime: new Date(row.created_time), deletedTime: row.deleted_time === null ? null : new Date(row.deleted_time) };
}

/** A positive safe integer, or null (a version that cannot exist: the lookup finds nothing). */
function versionParam(n: number): number | null {
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function ownKeyCopy(rootKey: Uint8Array): Buffer {
  checkKeyLength(rootKey);
  if (rootKey.every((b) => b === 0)) throw new StoreError('invalid_input', 'the root key must not be all zero');
  return Buffer.from(rootKey);
}

/**
 * Checks `key` against the database and, on a store never used with a key,
 * writes its key-check value: one transaction under an advisory lock, so two
 * replicas starting on an empty database with different keys cannot both win.
 */
async function claimKey(db: PostgresDatabase, key: Buffer): Promise<void> {
  await writeTransaction(db, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.keyCheck]);
    const verdict = await keyVerdict(c, key);
    if (verdict === 'mismatch') throw new KeyMismatchError();
    if (verdict === 'retired') throw new RetiredKeyError();
    const kcv = keyCheckValue(key);
    try {
      await c.query(`INSERT INTO ${KEY_CHECK_TABLE} (id, algorithm, value, created_time) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
        KEY_CHECK_ALGORITHM,
        kcv,
        Math.floor(Date.now() / 1000),
      ]);
    } finally {
      kcv.fill(0);
    }
  });
}

/**
 * Opens the store on `db` with `rootKey`: KeyMismatchError / RetiredKeyError
 * when the key is not this store's (nothing written); on a store never used,
 * the key's key-check value is stored. The store owns `db` from then on:
 * close() ends its pool.
 */
export async function openPostgresStore(db: PostgresDatabase, opts: PostgresStoreOptions): Promise<NexusStore> {
  validateMaxVersions(opts.maxVersions);
  const now = opts.now ?? (() => new Date());
  const maxVersions = opts.maxVersions;
  const key = ownKeyCopy(opts.rootKey);
  try {
    await claimKey(db, key);
  } catch (e) {
    key.fill(0);
    throw asStoreError(e);
  }
  const keys = new ReplicaKeys(key);
  const rotation = postgresRotation({ db, keys, now, ...(opts.onKeys === undefined ? {} : { onKeys: opts.onKeys }) });
  try {
    // A rotation may be running: learn its other key now.
    await rotation.refresh();
  } catch (e) {
    keys.zero();
    throw asStoreError(e);
  }
  const pool = db.pool;

  let closed = false;
  let closing: Promise<void> | undefined;
  const inflight = new Set<Promise<unknown>>();
  /** Runs an operation unless closed; close() waits for the ones running. */
  const run = <T>(op: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('closed', 'the store is closed'));
    if (keys.stale) return Promise.reject(staleKeyUnavailable());
    const p = op().catch((e: unknown) => {
      throw asStoreError(e);
    });
    inflight.add(p);
    const forget = (): void => {
      inflight.delete(p);
    };
    p.then(forget, forget);
    return p;
  };
  /** Input checks reject at once, before anything runs. */
  const checked = <T>(check: () => void, op: () => Promise<T>): Promise<T> => {
    try {
      check();
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return run(op);
  };

  const openMeta = (row: MetadataRow) => keys.ring.open((k) => openMetadata(k, row));

  /** Metadata (locked by the caller) and every version row, as SQLite's loadHeader reads it. */
  const lockedHeader = async (c: Queryable, path: string, meta: MetadataRow): Promise<SecretHeader> => {
    const metadata = openMeta(meta);
    const versions = new Map<number, SecretVersionInfo>();
    for (const row of (await c.query<VersionRow>(stmt('versions', [path]))).rows) {
      const info = decodeVersion(row);
      versions.set(info.version, info);
    }
    if (metadata.currentVersion !== 0 && !versions.has(metadata.currentVersion)) {
      throw new StoreError('integrity', 'secret metadata names a current version that is not stored');
    }
    return { metadata, versions };
  };

  const metadataValues = (path: string, header: SecretHeader): unknown[] => {
    const sm = sealMetadata(keys.ring.sealing, header.metadata);
    return [path, sm.nonce, sm.currentVersion, sm.oldestVersion, sm.createdTime, sm.updatedTime, sm.maxVersions];
  };

  const insertVersion = async (c: Queryable, path: string, header: SecretHeader, version: number, values: Readonly<Record<string, string>>): Promise<void> => {
    const info = header.versions.get(version);
    if (info === undefined) throw new StoreError('integrity', 'new version missing from its plan');
    const sealed = sealSecretValues(keys.ring.sealing, values);
    await c.query(stmt('insertVersion', [path, version, sealed.nonce, sealed.data, info.createdTime, info.deletedTime]));
  };

  /** Locks the secret's metadata row; undefined when the secret does not exist. */
  const lockMetadata = async (c: Queryable, path: string): Promise<MetadataRow | undefined> =>
    (await c.query<MetadataRow>(stmt('lockMetadata', [path]))).rows[0];

  /**
   * A write transaction that seals: the key fence first (rotation.ts); when the store expects
   * another key, the keys are refreshed and, when they changed meanwhile (by this refresh or a
   * concurrent one), the write runs again (at most twice more).
   */
  const sealingWrite = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const generation = keys.generation;
      try {
        return await writeTransaction(db, async (c) => {
          await keys.fence(c);
          return fn(c);
        });
      } catch (e) {
        if (!(e instanceof StaleKeyError)) throw e;
        if (attempt >= 3 || (await rotation.refresh()) === 'stale' || keys.generation === generation) throw staleKeyUnavailable();
      }
    }
  };

  /** A read: when a row opens with none of the keys, they are refreshed and, when they changed meanwhile, the read runs again once. */
  const keyedRead = async <T>(op: () => Promise<T>): Promise<T> => {
    const generation = keys.generation;
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== 'integrity') throw e;
      const sync = await rotation.refresh();
      if (sync === 'stale') throw staleKeyUnavailable();
      if (keys.generation !== generation) return op();
      throw e;
    }
  };

  const putSecret = (path: string, values: Record<string, string>): Promise<number> => {
    const at = now();
    return sealingWrite(async (c) => {
      for (;;) {
        const meta = await lockMetadata(c, path);
        if (meta === undefined) {
          const plan = planPut(undefined, at, maxVersions);
          const inserted = await c.query(stmt('insertMetadata', metadataValues(path, plan.header)));
          // Another replica created the secret meanwhile: lock its row and plan on it.
          if (inserted.rowCount !== 1) continue;
          await insertVersion(c, path, plan.header, plan.newVersion, values);
          return plan.newVersion;
        }
        const plan = planPut(await lockedHeader(c, path, meta), at, maxVersions);
        await c.query(stmt('updateMetadata', metadataValues(path, plan.header)));
        if (plan.pruned.length > 0) await c.query(stmt('removeVersions', [path, plan.pruned]));
        await insertVersion(c, path, plan.header, plan.newVersion, values);
        return plan.newVersion;
      }
    });
  };

  const changeDeletion = (path: string, versions: readonly number[], planner: typeof planDelete): Promise<void> => {
    const at = now();
    return sealingWrite(async (c) => {
      const meta = await lockMetadata(c, path);
      if (meta === undefined) throw new NotFoundError('secret not found');
      const plan = planner(await lockedHeader(c, path, meta), versions, at);
      await c.query(stmt('updateMetadata', metadataValues(path, plan.header)));
      if (plan.changed.length > 0) {
        // Every changed version gets the same deletedTime (now, or null for an undelete).
        const first = plan.header.versions.get(plan.changed[0] as number);
        await c.query(stmt('setDeleted', [path, plan.changed, first?.deletedTime ?? null]));
      }
    });
  };

  const decodePolicy = (row: PolicyFullRow): Policy => {
    const fields = keys.ring.open((k) => openPolicyFields(k, row));
    const createdAt = unixSecondsToDate(toSafeInt(row.created_time, 'policy'));
    const updatedAt = unixSecondsToDate(toSafeInt(row.updated_time, 'policy'));
    if (createdAt === undefined || updatedAt === undefined) throw integrity('policy');
    return { name: row.name, ...fields, createdAt, updatedAt };
  };

  const putPolicy = async (input: PolicyInput): Promise<Policy> => {
    const at = dateToUnixSeconds(now());
    const r = await sealingWrite(async (c) => {
      const sealed = sealPolicyFields(keys.ring.sealing, input);
      const out = await c.query<{ created_time: string; updated_time: string }>(
        stmt('upsertPolicy', [input.name, sealed.nonce, sealed.spiffeIdPattern, sealed.pathPattern, sealed.permissions, at, at]),
      );
      await c.query(stmt('notifyPolicy', [POLICY_CHANNEL, input.name]));
      return out;
    });
    const row = r.rows[0];
    if (row === undefined) throw new StoreError('io', 'PostgreSQL returned no row for a policy write');
    const createdAt = unixSecondsToDate(toSafeInt(row.created_time, 'policy'));
    const updatedAt = unixSecondsToDate(toSafeInt(row.updated_time, 'policy'));
    if (createdAt === undefined || updatedAt === undefined) throw integrity('policy');
    return { name: input.name, spiffeIdPattern: input.spiffeIdPattern, pathPattern: input.pathPattern, permissions: [...input.permissions], createdAt, updatedAt };
  };

  interface DataRow extends VersionRow {
    nonce: unknown;
    encrypted_data: unknown;
  }
  const values = (row: DataRow): Record<string, string> => keys.ring.open((k) => openSecretValues(k, row.nonce, row.encrypted_data));

  const getCurrent = async (path: string): Promise<Record<string, string>> => {
    const row = (await queryOnce<DataRow & { m_nonce: unknown; encrypted_current_version: unknown }>(pool, stmt('current', [path]))).rows[0];
    if (row === undefined) throw new NotFoundError('secret not found');
    const current = keys.ring.open((k) => openCurrentVersion(k, row.m_nonce, row.encrypted_current_version));
    if (row.version !== null && toSafeInt(row.version, 'secret version') === current) {
      resolveReadableVersionOf(current, 0, () => decodeVersion(row));
      return values(row);
    }
    // The current version is not the newest live row (or there is none): read both on one snapshot.
    return withTransaction(
      pool,
      async (c) => {
        const m = (await c.query<{ m_nonce: unknown; encrypted_current_version: unknown }>(stmt('currentOnly', [path]))).rows[0];
        if (m === undefined) throw new NotFoundError('secret not found');
        const n = keys.ring.open((k) => openCurrentVersion(k, m.m_nonce, m.encrypted_current_version));
        const wanted = versionParam(n);
        const found = wanted === null ? undefined : (await c.query<DataRow>(stmt('version', [path, wanted]))).rows[0];
        resolveReadableVersionOf(n, 0, () => (found === undefined || found.version === null ? undefined : decodeVersion(found)));
        return values(found as DataRow);
      },
      { snapshot: true },
    );
  };

  return {
    kind: 'postgres',
    rotation,
    getSecret: (path, version = 0) =>
      checked(
        () => {
          checkPath(path);
          checkVersion(version);
        },
        () => keyedRead(async () => {
          if (version === 0) return getCurrent(path);
          const row = (await queryOnce<DataRow>(pool, stmt('version', [path, versionParam(version)]))).rows[0];
          if (row === undefined) throw new NotFoundError('secret not found');
          resolveReadableVersionOf(0, version, () => (row.version === null ? undefined : decodeVersion(row)));
          return values(row);
        }),
      ),
    getSecretMetadata: (path, version = 0) =>
      checked(
        () => {
          checkPath(path);
          checkVersion(version);
        },
        () => keyedRead(async (): Promise<SecretMetadata> => {
          const rows = (await queryOnce<MetadataRow & { m_nonce: unknown } & VersionRow>(pool, stmt('header', [path]))).rows;
          const first = rows[0];
          if (first === undefined) throw new NotFoundError('secret not found');
          const metadata = openMeta({ ...first, nonce: first.m_nonce });
          const versions = new Map<number, SecretVersionInfo>();
          for (const row of rows) {
            if (row.version === null) continue;
            const info = decodeVersion(row);
            versions.set(info.version, info);
          }
          if (metadata.currentVersion !== 0 && !versions.has(metadata.currentVersion)) {
            throw new StoreError('integrity', 'secret metadata names a current version that is not stored');
          }
          resolveReadableVersionOf(metadata.currentVersion, version, (n) => versions.get(n));
          return { versions, metadata };
        }),
      ),
    listSecretPaths: () => run(async () => (await queryOnce<{ path: string }>(pool, stmt('paths', []))).rows.map((r) => r.path)),
    getPolicy: (name) =>
      checked(
        () => checkName(name),
        () =>
          keyedRead(async () => {
            const row = (await queryOnce<PolicyFullRow>(pool, stmt('policy', [name]))).rows[0];
            if (row === undefined) throw new NotFoundError('policy not found');
            return decodePolicy(row);
          }),
      ),
    listPolicies: () =>
      run(async () => {
        const load = async (): Promise<{ out: Policy[]; skipped: number }> => {
          const out: Policy[] = [];
          let skipped = 0;
          for (const row of (await queryOnce<PolicyFullRow>(pool, stmt('policies', []))).rows) {
            try {
              out.push(decodePolicy(row));
            } catch (e) {
              // As SQLite (and upstream's LoadAllPolicies): an unreadable row is skipped, not fatal for every policy check.
              if (!(e instanceof StoreError)) throw e;
              skipped++;
            }
          }
          return { out, skipped };
        };
        const generation = keys.generation;
        const first = await load();
        if (first.skipped === 0) return first.out;
        // Rows sealed under a key this replica may not have learned yet: never answer without them.
        const sync = await rotation.refresh();
        if (sync === 'stale') throw staleKeyUnavailable();
        return keys.generation !== generation ? (await load()).out : first.out;
      }),
    grouped: {
      putSecret: (path, vals) => {
        let copy: Record<string, string> = {};
        return checked(
          () => {
            checkPath(path);
            checkValues(vals);
            copy = copyValues(vals);
          },
          () => putSecret(path, copy),
        );
      },
      deleteSecretVersions: (path, versions) =>
        checked(
          () => {
            checkPath(path);
            checkVersionList(versions);
          },
          () => changeDeletion(path, [...versions], planDelete),
        ),
      undeleteSecretVersions: (path, versions) =>
        checked(
          () => {
            checkPath(path);
            checkVersionList(versions);
          },
          () => changeDeletion(path, [...versions], planUndelete),
        ),
      putPolicy: (input) =>
        checked(
          () => checkPolicyInput(input),
          () =>
            putPolicy({ name: input.name, spiffeIdPattern: input.spiffeIdPattern, pathPattern: input.pathPattern, permissions: [...input.permissions] }),
        ),
      deletePolicy: (name) =>
        checked(
          () => checkName(name),
          async () =>
            writeTransaction(db, async (c) => {
              const gone = ((await c.query(stmt('deletePolicy', [name]))).rowCount ?? 0) > 0;
              if (gone) await c.query(stmt('notifyPolicy', [POLICY_CHANNEL, name]));
              return gone;
            }),
        ),
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.allSettled([...inflight]);
        keys.zero();
        if (opts.keepDatabaseOpen !== true) await db.close();
      })();
      return closing;
    },
  };
}

