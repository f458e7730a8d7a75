// Root-key rotation on a PostgreSQL store shared by several Nexus replicas
// (docs/postgres.md § Root-key rotation; the steps are SQLite's, docs/design.md
// § Root-key rotation). The database is the source of truth; each replica's
// keyring follows it:
//   begin    one transaction holding the key fence exclusively (no write is
//            between its key check and its COMMIT): the rotation row (both keys
//            wrapped, each under the other; the new key's check value; the
//            cursor; the row count; this replica as driver with a lease);
//            NOTIFY spike_ts_rotation.
//   batch    one transaction: the rotation row locked, ≤ maxRows rows after the
//            cursor (primary-key order) re-sealed, the cursor saved, the lease
//            renewed, NOTIFY; only the lease holder may run it.
//   finish   one transaction holding the key fence exclusively: the key check
//            takes the new key's value, the old one is retired, the row goes,
//            NOTIFY.
// Every replica's refresh() reads the key check and the rotation row on one
// snapshot: holding the old key it unwraps the new one (and seals with it),
// holding the new one it unwraps the old one (to open rows not re-sealed yet),
// after a finish it drops the old one. A replica whose key the store no longer
// accepts and cannot unwrap the new one with is 'stale': it serves nothing.
// Every write checks, under the fence held shared, that it seals with the key
// the store expects (keyFence()): a replica never seals with a retired key.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DecryptError, keyCheckValue, sameKeyCheck } from '../crypto.js';
import { StoreError, StoreUnavailableError } from '../errors.js';
import { unwrapKey, wrapKey } from '../key-wrap.js';
import { Keyring } from '../keyring.js';
import type { RotationStatus } from '../types.js';
import type { PostgresDatabase } from './database.js';
import { KEY_CHECK_ALGORITHM, storedKeyCheck } from './keycheck.js';
import type { KeySync, SharedStoreRotation } from './rotation-api.js';
import {
  claimRotationLease,
  deleteRotationRow,
  insertRotationRow,
  readRotationRow,
  saveRotationProgress,
  type RotationCursor,
  type RotationRow,
} from './rotation-row.js';
import { checkNewRootKey, noRotationRunning, rotationConflict, withKeyCopy } from '../rotation/rotation-guards.js';
import { REENCRYPTED_TABLES, rotationStatusOf } from '../rotation/row-fields.js';
import { resealBatch } from './reseal.js';
import { ADVISORY_LOCKS, KEY_CHECK_TABLE, RETIRED_KEY_CHECKS_TABLE, ROTATION_TABLE } from './schema.js';
import { withTransaction, writeTransaction, type Queryable } from './tx.js';

/** Where the replicas' rotation watchers listen (payload: the phase, or 'finished'). */
export const ROTATION_CHANNEL = 'spike_ts_rotation';
/** A driver that stops renewing its lease (killed, cut off) is replaced by another replica after this long. */
export const ROTATION_LEASE_MS = 15_000;

/** A write found that the store expects another sealing key than this replica's (internal: retried after refresh). */
export class StaleKeyError extends StoreError {
  override readonly name = 'StaleKeyError';
  constructor() {
    super('conflict', "the store's root key changed");
  }
}

/** The replica's answer while it lacks the store's current key. */
export function staleKeyUnavailable(): StoreUnavailableError {
  return new StoreUnavailableError("this Nexus has not learned the store's new root key yet (a rotation through another replica)");
}

const FENCE_SQL = `SELECT pg_advisory_xact_lock_shared(${ADVISORY_LOCKS.keyFence}::bigint);
SELECT coalesce((SELECT new_key_check FROM ${ROTATION_TABLE} WHERE id = 1), (SELECT value FROM ${KEY_CHECK_TABLE} WHERE id = 1)) AS kcv`;

function notDriver(): StoreError {
  return rotationConflict('another Nexus replica drives the root-key rotation');
}

function unwrapped(wrapping: Uint8Array, wrapped: RotationRow['newKey']): Buffer {
  try {
    return unwrapKey(wrapping, wrapped);
  } catch (e) {
    if (e instanceof DecryptError) throw new StoreError('integrity', 'the stored rotation keys do not open with this key');
    throw e;
  }
}

/** The keys of one replica's store: the keyring (replaced as a whole when it changes) and its sealing key's check value. */
export class ReplicaKeys {
  #ring: Keyring;
  #sealingCheck: Buffer;
  #stale = false;
  #generation = 0;

  /** Takes ownership of `key`. */
  constructor(key: Buffer) {
    this.#ring = new Keyring(key);
    this.#sealingCheck = keyCheckValue(key);
  }

  get ring(): Keyring {
    return this.#ring;
  }

  /** True while the store's key is one this replica lacks. */
  get stale(): boolean {
    return this.#stale;
  }

  set stale(v: boolean) {
    this.#stale = v;
  }

  sealingCheck(): Buffer {
    return this.#sealingCheck;
  }

  /** Changes with every change of the keys: a caller that failed with the keys of one generation may try again with the next. */
  get generation(): number {
    return this.#generation;
  }

  /** A rotation finished: the previous key is zeroed and dropped. */
  retirePrevious(): void {
    this.#ring.retirePrevious();
    this.#generation++;
  }

  /** Replaces the keyring (takes ownership of both buffers; the old ring is zeroed). */
  replace(sealing: Buffer, previous?: Buffer): void {
    const old = this.#ring;
    this.#ring = new Keyring(sealing, previous);
    this.#sealingCheck = keyCheckValue(sealing);
    this.#generation++;
    old.zero();
  }

  /** Checks, inside a write transaction, that this replica seals with the key the store expects (else StaleKeyError). */
  async fence(c: Queryable): Promise<void> {
    const res = (await c.query(FENCE_SQL)) as unknown;
    const results = (Array.isArray(res) ? res : [res]) as { rows: { kcv?: unknown }[] }[];
    const kcv = results[results.length - 1]?.rows[0]?.kcv;
    if (!sameKeyCheck(this.#sealingCheck, kcv)) throw new StaleKeyError();
  }

  zero(): void {
    this.#ring.zero();
  }
}

export interface PostgresRotationDeps {
  readonly db: PostgresDatabase;
  readonly keys: ReplicaKeys;
  readonly now: () => Date;
  /** This replica's keys changed ('changed') or it lacks the store's key ('stale'): told after refresh() found it. */
  readonly onKeys?: (what: Exclude<KeySync, 'unchanged'>) => void;
}

export interface PostgresRotation extends SharedStoreRotation {
  /** The driver id of this store instance (random). */
  readonly driverId: string;
}

export function postgresRotation(deps: PostgresRotationDeps): PostgresRotation {
  const { db, keys } = deps;
  const driverId = randomUUID();
  let current: RotationStatus | undefined;
  let refreshing: Promise<KeySync> | undefined;
  let queued: Promise<KeySync> | undefined;

  const notify = (c: Queryable, payload: string) => c.query('SELECT pg_notify($1, $2)', [ROTATION_CHANNEL, payload]);

  /** Brings the keyring in step with what the store holds (see the header). */
  const reconcile = (storeCheck: Buffer | undefined, row: RotationRow | undefined): KeySync => {
    const ring = keys.ring;
    const mine = keys.sealingCheck();
    if (row !== undefined) {
      if (sameKeyCheck(mine, row.newKeyCheck)) {
        if (ring.previous !== undefined) return 'unchanged';
        const previous = unwrapped(ring.sealing, row.previousKey);
        keys.replace(Buffer.from(ring.sealing), previous);
        return 'changed';
      }
      if (storeCheck !== undefined && sameKeyCheck(mine, storeCheck)) {
        const next = unwrapped(ring.sealing, row.newKey);
        const check = keyCheckValue(next);
        const ok = sameKeyCheck(check, row.newKeyCheck);
        check.fill(0);
        if (!ok) {
          next.fill(0);
          throw new StoreError('integrity', "the stored rotation's new key does not match its key check");
        }
        keys.replace(next, Buffer.from(ring.sealing));
        return 'changed';
      }
      return 'stale';
    }
    if (storeCheck === undefined || sameKeyCheck(mine, storeCheck)) {
      if (ring.previous === undefined) return 'unchanged';
      keys.retirePrevious();
      return 'changed';
    }
    return 'stale';
  };

  const refreshNow = async (): Promise<KeySync> => {
    const { storeCheck, row } = await withTransaction(db.pool, async (c) => ({ storeCheck: await storedKeyCheck(c), row: await readRotationRow(c) }), {
      snapshot: true,
    });
    current = row === undefined ? undefined : rotationStatusOf(row);
    const outcome = reconcile(storeCheck, row);
    const wasStale = keys.stale;
    keys.stale = outcome === 'stale';
    if (outcome === 'changed' || (outcome === 'stale' && !wasStale)) deps.onKeys?.(outcome);
    return outcome;
  };

  /** A read that starts after the call: callers while one runs share the next one (it may have started before what they saw). */
  const refresh = (): Promise<KeySync> => {
    if (refreshing === undefined) {
      refreshing = refreshNow().finally(() => (refreshing = undefined));
      return refreshing;
    }
    queued ??= refreshing
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return refresh();
      });
    return queued;
  };

  const begin = async (newKey: Uint8Array, startedBy: string): Promise<RotationStatus> => {
    checkNewRootKey(newKey);
    if (typeof startedBy !== 'string') throw new StoreError('invalid_input', 'startedBy must be a string');
    const ring = keys.ring;
    if (ring.previous !== undefined) throw rotationConflict('a root-key rotation is already running');
    if (keys.stale) throw staleKeyUnavailable();
    const next = Buffer.from(newKey);
    const old = Buffer.from(ring.sealing);
    let owned = false;
    try {
      if (timingSafeEqual(next, old)) throw new StoreError('invalid_input', 'the new root key is the current one');
      const newKeyCheck = keyCheckValue(next);
      const row = await writeTransaction(db, async (c): Promise<RotationRow> => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.keyFence]);
        if ((await readRotationRow(c)) !== undefined) throw rotationConflict('a root-key rotation is already running');
        if (!sameKeyCheck(keys.sealingCheck(), await storedKeyCheck(c))) throw staleKeyUnavailable();
        const retired = await c.query<{ value: Buffer }>(`SELECT value FROM ${RETIRED_KEY_CHECKS_TABLE}`);
        if (retired.rows.some((r) => sameKeyCheck(newKeyCheck, r.value))) {
          throw new StoreError('invalid_input', 'the new root key was retired by an earlier rotation');
        }
        const n = await c.query<{ total: string }>(
          `SELECT (SELECT count(*) FROM ${REENCRYPTED_TABLES[0]}) + (SELECT count(*) FROM ${REENCRYPTED_TABLES[1]}) + (SELECT count(*) FROM ${REENCRYPTED_TABLES[2]}) AS total`,
        );
        const row: RotationRow = {
          phase: 'reencrypting',
          newKeyCheck,
          newKey: wrapKey(old, next),
          previousKey: wrapKey(next, old),
          cursor: { table: 0 },
          done: 0,
          total: Number(n.rows[0]?.total ?? 0),
          unreadable: 0,
          startedBy,
          startedTime: deps.now().getTime(),
          driver: driverId,
        };
        await insertRotationRow(c, row, ROTATION_LEASE_MS);
        await notify(c, 'reencrypting');
        return row;
      });
      keys.replace(next, old);
      owned = true;
      current = rotationStatusOf(row);
      return { ...current };
    } finally {
      if (!owned) {
        next.fill(0);
        old.fill(0);
      }
    }
  };

  const reencryptBatch = async (maxRows: number, hooks?: { readonly beforeCommit?: () => void }): Promise<RotationStatus> => {
    if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new StoreError('invalid_input', 'maxRows must be a positive integer');
    const ring = keys.ring;
    if (ring.previous === undefined) {
      // Not in step yet (a rotation begun elsewhere): learn both keys first.
      await refresh();
    }
    const oldKey = keys.ring.previous;
    if (oldKey === undefined) throw current === undefined ? noRotationRunning() : new StoreError('integrity', 'the rotation has no previous root key');
    const o = Buffer.from(oldKey);
    const n = Buffer.from(keys.ring.sealing);
    try {
      const row = await writeTransaction(db, async (c): Promise<RotationRow> => {
        const r = await readRotationRow(c, true);
        if (r === undefined) throw noRotationRunning();
        if (r.driver !== driverId) throw notDriver();
        if (r.phase === 'pushing') return r;
        let cursor: RotationCursor = r.cursor;
        let { done, unreadable } = r;
        let budget = maxRows;
        while (cursor.table < REENCRYPTED_TABLES.length && budget > 0) {
          const table = REENCRYPTED_TABLES[cursor.table];
          if (table === undefined) throw new StoreError('integrity', 'rotation cursor out of range');
          const out = await resealBatch(c, table, cursor.table, cursor, budget, o, n);
          done += out.rows;
          unreadable += out.unreadable;
          budget -= out.rows;
          cursor = out.tableDone ? { table: cursor.table + 1 } : out.last;
        }
        const phase = cursor.table >= REENCRYPTED_TABLES.length ? 'pushing' : 'reencrypting';
        await saveRotationProgress(c, { phase, cursor, done, unreadable }, ROTATION_LEASE_MS);
        await notify(c, phase);
        hooks?.beforeCommit?.();
        return { ...r, phase, cursor, done, unreadable };
      });
      current = rotationStatusOf(row);
      return { ...current };
    } finally {
      o.fill(0);
      n.fill(0);
    }
  };

  const finish = async (): Promise<void> => {
    const ring = keys.ring;
    const oldKey = ring.previous;
    if (oldKey === undefined) throw current === undefined ? noRotationRunning() : new StoreError('integrity', 'the rotation has no previous root key');
    const oldKcv = keyCheckValue(oldKey);
    try {
      await writeTransaction(db, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [ADVISORY_LOCKS.keyFence]);
        const r = await readRotationRow(c, true);
        if (r === undefined) throw noRotationRunning();
        if (r.driver !== driverId) throw notDriver();
        if (r.phase !== 'pushing') throw rotationConflict('the rotation has not re-encrypted every row yet');
        if (!sameKeyCheck(keys.sealingCheck(), r.newKeyCheck)) throw new StoreError('integrity', "this replica's sealing key is not the rotation's new key");
        const nowSeconds = Math.floor(deps.now().getTime() / 1000);
        await c.query(
          `INSERT INTO ${KEY_CHECK_TABLE} (id, algorithm, value, created_time) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET algorithm = excluded.algorithm, value = excluded.value, created_time = excluded.created_time`,
          [KEY_CHECK_ALGORITHM, r.newKeyCheck, nowSeconds],
        );
        await c.query(`INSERT INTO ${RETIRED_KEY_CHECKS_TABLE} (value, algorithm, retired_time) VALUES ($1, $2, $3) ON CONFLICT (value) DO NOTHING`, [
          oldKcv,
          KEY_CHECK_ALGORITHM,
          nowSeconds,
        ]);
        await deleteRotationRow(c);
        await notify(c, 'finished');
      });
    } finally {
      oldKcv.fill(0);
    }
    keys.retirePrevious();
    current = undefined;
  };

  return {
    shared: true,
    driverId,
    status: () => (current === undefined ? undefined : { ...current, startedAt: new Date(current.startedAt) }),
    begin,
    reencryptBatch,
    finish,
    async claim() {
      const got = await withTransaction(db.pool, (c) => claimRotationLease(c, driverId, ROTATION_LEASE_MS));
      if (got) await refresh();
      return got;
    },
    refresh,
    withSealingKey: (fn) => withKeyCopy(keys.ring.sealing, fn),
    withPreviousKey(fn) {
      const previous = keys.ring.previous;
      return previous === undefined ? undefined : withKeyCopy(previous, fn);
    },
  };
}
