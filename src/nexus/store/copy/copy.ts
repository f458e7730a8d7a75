// copyStore: every row of every table Nexus uses, from one store to another,
// as it is (ciphertexts under the same root key: nothing is decrypted and no
// key is needed). See docs/postgres.md § Moving a store.
//
//   1. The source is locked or on one snapshot; refused when it holds no
//      key-check value or while a root-key rotation is in progress.
//   2. The target's one transaction begins; refused when any table holds a row.
//   3. Rows go over table by table, parents first, `batchSize` at a time.
//   4. Inside the same transaction the target is read back: per table the
//      source's count, the rows copied and the target's count must agree, and
//      a SHA-256 over every column of every row must be equal; the key-check
//      row must be identical. Any difference rolls the copy back.
//   5. COMMIT. A failure anywhere before it (an error, a lost connection, a
//      killed process) leaves no copied row in the target, so running the
//      same command again is always safe.
import { CopyError } from './errors.js';
import type { SourceSide, TargetSide } from './side.js';
import { BadRowError, COPIED_TABLES, KEY_CHECK, TableDigest, type CopiedTable, type Row, type TableSpec } from './tables.js';

export const DEFAULT_BATCH_SIZE = 500;

const KEY_CHECK_SPEC = COPIED_TABLES.find((t) => t.name === KEY_CHECK) as TableSpec;

export interface CopyOptions {
  /** Rows per read and per insert (default 500). */
  readonly batchSize?: number;
  /** Called after each batch is written into the (uncommitted) target: tests and failpoints stop the copy here. */
  readonly afterBatch?: (table: CopiedTable, rowsSoFar: number) => void | Promise<void>;
  /** The bootstrap marker's time on a PostgreSQL target (default now). */
  readonly now?: () => Date;
}

export interface TableCount {
  readonly table: CopiedTable;
  readonly source: number;
  readonly copied: number;
  readonly target: number;
}

export interface CopyResult {
  readonly source: string;
  readonly target: string;
  readonly tables: readonly TableCount[];
  /** The key-check row was found identical (algorithm, value, time) in source and target. */
  readonly keyCheck: 'identical';
  /**
   * How the target was marked bootstrapped (it holds a root key's data, so a
   * Bootstrap must skip it): "spike_ts_bootstrap row set" (PostgreSQL),
   * "<dir>/bootstrap.json written" or "… kept (already there)" (SQLite).
   */
  readonly bootstrapMarker: string;
}

async function firstRow(side: { rows: SourceSide['rows'] }, spec: TableSpec): Promise<Row | undefined> {
  for await (const batch of side.rows(spec, 1)) return batch[0];
  return undefined;
}

function sameRow(spec: TableSpec, a: Row | undefined, b: Row | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const d1 = new TableDigest(spec);
  const d2 = new TableDigest(spec);
  d1.add(a);
  d2.add(b);
  return d1.hex() === d2.hex();
}

async function checkSource(source: SourceSide): Promise<void> {
  if (await source.rotationInProgress()) {
    throw new CopyError('rotation', `${source.describe}: a root-key rotation is in progress: finish the rotation first (spike operator status)`);
  }
  if ((await source.count(KEY_CHECK_SPEC)) !== 1) {
    throw new CopyError('no_key_check', `${source.describe}: the store holds no key-check value (start Nexus on it once first, or it is not a store)`);
  }
}

/** One table as read from the source: its count, the rows gone over, their digest. */
interface SourceTable {
  readonly count: number;
  readonly copied: number;
  readonly digest: string;
}

/** Copies the tables and returns each as read from the source. */
async function copyRows(source: SourceSide, target: TargetSide, batchSize: number, opts: CopyOptions): Promise<Map<CopiedTable, SourceTable>> {
  const out = new Map<CopiedTable, SourceTable>();
  for (const spec of COPIED_TABLES) {
    const count = await source.count(spec);
    const digest = new TableDigest(spec);
    for await (const batch of source.rows(spec, batchSize)) {
      for (const row of batch) digest.add(row);
      await target.insert(spec, batch);
      await opts.afterBatch?.(spec.name, digest.rows);
    }
    out.set(spec.name, { count, copied: digest.rows, digest: digest.hex() });
  }
  return out;
}

/** Reads the target back inside its transaction; CopyError 'mismatch' for any difference. */
async function verify(
  source: SourceSide,
  target: TargetSide,
  copied: ReadonlyMap<CopiedTable, SourceTable>,
  batchSize: number,
): Promise<TableCount[]> {
  const tables: TableCount[] = [];
  for (const spec of COPIED_TABLES) {
    const from = copied.get(spec.name);
    if (from === undefined) throw new CopyError('mismatch', `${spec.name}: not copied`);
    const targetCount = await target.count(spec);
    const digest = new TableDigest(spec);
    for await (const batch of target.rows(spec, batchSize)) for (const row of batch) digest.add(row);
    if (from.count !== from.copied || targetCount !== from.count || digest.rows !== from.count) {
      throw new CopyError('mismatch', `${spec.name}: ${from.count} rows in the source, ${from.copied} copied, ${targetCount} in the target: rolled back`);
    }
    if (digest.hex() !== from.digest) throw new CopyError('mismatch', `${spec.name}: the rows read back differ from the source's: rolled back`);
    tables.push({ table: spec.name, source: from.count, copied: from.copied, target: targetCount });
  }
  if (!sameRow(KEY_CHECK_SPEC, await firstRow(source, KEY_CHECK_SPEC), await firstRow(target, KEY_CHECK_SPEC))) {
    throw new CopyError('mismatch', 'the key-check row differs between source and target: rolled back');
  }
  return tables;
}

/**
 * Copies `source` into the empty `target` (both opened by the caller, who
 * closes them). Throws CopyError (one line); the target then holds no copied row.
 */
export async function copyStore(source: SourceSide, target: TargetSide, opts: CopyOptions = {}): Promise<CopyResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new CopyError('io', 'batchSize must be a positive whole number');
  if (source.describe === target.describe) throw new CopyError('same_store', `source and target are the same store (${source.describe})`);
  await checkSource(source);
  await target.begin();
  try {
    const full = await target.nonEmptyTables();
    if (full.length > 0) {
      throw new CopyError('not_empty', `${target.describe} is not empty (rows in ${full.join(', ')}): the copy goes into an empty store only`);
    }
    const copied = await copyRows(source, target, batchSize, opts);
    const tables = await verify(source, target, copied, batchSize);
    await target.markBootstrapped((opts.now ?? (() => new Date()))(), source.describe);
    await target.commit();
    return { source: source.describe, target: target.describe, tables, keyCheck: 'identical', bootstrapMarker: target.bootstrapMarker ?? 'none' };
  } catch (e) {
    await target.rollback();
    if (e instanceof BadRowError) throw new CopyError('bad_row', `${source.describe}: ${e.message}`, { cause: e });
    if (e instanceof CopyError) throw e;
    const line = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    throw new CopyError('io', `copy into ${target.describe} failed: ${line} (rolled back)`, { cause: e });
  }
}
