// Group commit (docs/design.md § Store): writes that arrive together share
// one write transaction, hence one fsync, and each is answered only once
// that transaction is durable.
//
// submit() queues a write and schedules a flush on the next turn of the
// event loop (setImmediate: no timer, so a lone write waits for nothing but
// the requests already read in this turn). A flush takes the oldest queued
// writes — at most `maxWrites` of them and, past the first, at most
// `maxBytes` of their estimated size — and runs them, in order, inside one
// transaction (`runGroup`); whatever stays queued gets the next turn.
// Each write runs inside its own savepoint (the backend's `atomically`
// nested in the group transaction), so a write that throws (not found,
// invalid) is rolled back and rejected alone while the others go on. After
// the last write, `beforeCommit` runs (tests, failpoints); then COMMIT. If
// the group transaction fails anywhere (a throw from beforeCommit, a failing
// COMMIT) it is rolled back whole and every write of the group is rejected
// with StoreError 'io' — none was answered, none is stored.
//
// Durability after COMMIT: when the backend's COMMIT is durable by itself
// (no `durability` in GroupTransactions: memory, or SQLite with
// synchronous=FULL) the group is settled right after COMMIT. When it is not
// (SQLite: COMMIT with synchronous=NORMAL), the committed group waits for
// `durability.sync`, an fsync off the event loop that covers every commit
// made before it started; only when it returns are the group's writes
// settled, each with its own result or error (an error answer, too, may
// depend on what earlier groups wrote). A group that commits while an fsync
// runs gets an fsync of its own at once, up to `durability.parallel` in
// flight (SQLite: 1). While that many run, queued writes are not committed:
// they stay queued until one returns, and the flush scheduled then commits
// them together (fewer, larger transactions under load: every group costs
// a COMMIT that writes its pages to the WAL, and an fsync; the writes would
// wait for that fsync anyway). fsyncs may return out of order: one that
// returns answers every group committed before it started. Until a committed group is
// durable, nobody may see it: `barrier()` (before every read of the store)
// makes everything committed durable first, synchronously if it must, and
// `durable()` waits for it without blocking.
//
// A failing fsync: whether the group's frames reached the disk is unknown
// and it cannot be rolled back (it committed, and later groups may build on
// it). Every write not yet answered — committed or queued — is rejected with
// StoreError 'io', and the committer is failed for good: `failure()` is set,
// submit, barrier and durable reject or throw it. The store refuses every
// call from then on but close(); reopening reads what the disk holds.
//
// Everything between submit and COMMIT is synchronous: a flush runs to its
// end without yielding, so nothing else (reads, a root-key rotation batch,
// which are transactions of their own) can run inside a group.
import { StoreError } from './errors.js';

export const DEFAULT_GROUP_MAX_WRITES = 256;
/** Of the writes' estimated sizes (values, names); one larger write still goes alone. */
export const DEFAULT_GROUP_MAX_BYTES = 4 * 1024 * 1024;

export interface GroupCommitHooks {
  /**
   * Inside the group transaction, after its last write, before COMMIT; gets
   * the number of writes in the group. A throw rolls the whole group back.
   */
  readonly beforeCommit?: (writes: number) => void;
}

export interface GroupCommitOptions {
  /** Most writes per transaction (default 256). */
  readonly maxWrites?: number;
  /** Most estimated bytes per transaction, past its first write (default 4 MiB). */
  readonly maxBytes?: number;
  readonly hooks?: GroupCommitHooks;
}

interface Queued {
  readonly run: () => unknown;
  readonly bytes: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A committed group waiting for the fsync that makes it durable. */
interface Committed {
  readonly seq: number;
  readonly group: readonly Queued[];
  readonly outcomes: readonly Outcome[];
}

interface DurableWaiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

export interface GroupCommitter {
  /**
   * Queues `write` (it must make its change through the backend's
   * `atomically`, so that it is a savepoint inside the group). Resolves with
   * its result once the group transaction holding it is durable; rejects
   * with its own error (rolled back alone) or with StoreError 'io' when the
   * group transaction or the fsync making it durable failed.
   */
  submit<T>(write: () => T, bytes: number): Promise<T>;
  /** Runs every queued write now, group by group (committed, maybe not yet durable). */
  drain(): void;
  /** Writes waiting for a flush. */
  pending(): number;
  /**
   * Read barrier: returns once every committed group is durable, fsyncing
   * synchronously if one is not yet; throws the failure once an fsync failed.
   */
  barrier(): void;
  /** Resolves once every group committed so far is durable (at once when none waits); rejects with the failure. */
  durable(): Promise<void>;
  /** The StoreError 'io' of a failed fsync; undefined while none failed. */
  failure(): StoreError | undefined;
  /** drain(), then makes everything durable synchronously and settles it; later fsync callbacks are ignored. */
  close(): void;
}

function positiveInt(n: number | undefined, fallback: number, what: string): number {
  if (n === undefined) return fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError('invalid_input', `${what} must be a positive integer`);
  return n;
}

/** Makes committed groups durable, when COMMIT alone does not. */
export interface GroupDurability {
  /** How many `sync` calls may run at once (default 1). */
  readonly parallel?: number;
  /** Starts making every commit made so far durable; `done` once it is, or with the error. */
  sync(done: (error: Error | null) => void): void;
  /** The same, blocking; throws on failure. */
  syncNow(): void;
}

/** How the committer reaches the backend's transactions. */
export interface GroupTransactions {
  /** Runs fn inside one write transaction and commits it; a throw (from fn or COMMIT) rolls it back and propagates. */
  runGroup(fn: () => void): void;
  /**
   * Whether the group transaction is still open: SQLite ends a transaction by
   * itself on some errors (disk full, I/O); the rest of the group must not run
   * outside it, each write committing alone.
   */
  stillOpen(): boolean;
  /** Present when runGroup's COMMIT is not durable by itself. */
  readonly durability?: GroupDurability;
}

const RESOLVED: Promise<void> = Promise.resolve();

export function createGroupCommitter(tx: GroupTransactions, opts: GroupCommitOptions = {}): GroupCommitter {
  const maxWrites = positiveInt(opts.maxWrites, DEFAULT_GROUP_MAX_WRITES, 'maxWrites');
  const maxBytes = positiveInt(opts.maxBytes, DEFAULT_GROUP_MAX_BYTES, 'maxBytes');
  const beforeCommit = opts.hooks?.beforeCommit;
  const durability = tx.durability;
  let queue: Queued[] = [];
  let scheduled = false;
  /** Groups committed, and of them known durable (a prefix: the WAL is written in order). */
  let committedSeq = 0;
  let durableSeq = 0;
  const maxSyncs = durability?.parallel ?? 1;
  /** fsyncs in flight, and the last group the latest of them covers. */
  let syncing = 0;
  let syncStartedSeq = 0;
  let failed: StoreError | undefined;
  let closed = false;
  let awaiting: Committed[] = [];
  let waiters: DurableWaiter[] = [];

  const settle = (c: Committed): void => {
    c.group.forEach((w, i) => {
      const o = c.outcomes[i] as Outcome;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  const markDurable = (seq: number): void => {
    if (seq <= durableSeq) return;
    durableSeq = seq;
    let n = 0;
    while (n < awaiting.length && (awaiting[n] as Committed).seq <= seq) n++;
    const done = awaiting.slice(0, n);
    awaiting = awaiting.slice(n);
    for (const c of done) settle(c);
    const ready = waiters.filter((w) => w.seq <= seq);
    waiters = waiters.filter((w) => w.seq > seq);
    for (const w of ready) w.resolve();
  };

  const fail = (cause: unknown): StoreError => {
    if (failed !== undefined) return failed;
    const error = new StoreError('io', 'the store could not make committed writes durable (fsync of its write-ahead log failed); it refuses every further call', {
      cause,
    });
    failed = error;
    const unanswered = [...awaiting.flatMap((c) => c.group), ...queue];
    awaiting = [];
    queue = [];
    for (const w of unanswered) w.reject(error);
    const ws = waiters;
    waiters = [];
    for (const w of ws) w.reject(error);
    return error;
  };

  const startSync = (): void => {
    if (durability === undefined || closed || failed !== undefined || syncing >= maxSyncs) return;
    if (Math.max(durableSeq, syncStartedSeq) === committedSeq) return; // every commit is durable or being synced
    syncing++;
    const target = committedSeq;
    syncStartedSeq = target;
    durability.sync((error) => {
      syncing--;
      if (closed) return; // close() made everything durable itself (or failed) and settled it
      if (error !== null) fail(error);
      else markDurable(target);
      startSync();
      schedule();
    });
  };

  const syncNowOrFail = (): void => {
    if (failed !== undefined) throw failed;
    if (durability === undefined || durableSeq === committedSeq) return;
    const target = committedSeq;
    try {
      durability.syncNow();
    } catch (e) {
      throw fail(e);
    }
    markDurable(target);
  };

  const takeGroup = (): Queued[] => {
    let n = 0;
    let bytes = 0;
    while (n < queue.length && n < maxWrites) {
      const b = (queue[n] as Queued).bytes;
      if (n > 0 && bytes + b > maxBytes) break;
      bytes += b;
      n++;
    }
    const group = queue.slice(0, n);
    queue = queue.slice(n);
    return group;
  };

  const flushOne = (): void => {
    const group = takeGroup();
    if (group.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      tx.runGroup(() => {
        outcomes.length = 0;
        for (const w of group) {
          try {
            outcomes.push({ ok: true, value: w.run() });
          } catch (error) {
            if (!tx.stillOpen()) throw error;
            outcomes.push({ ok: false, error });
          }
        }
        beforeCommit?.(group.length);
      });
    } catch (cause) {
      const error = new StoreError('io', 'the group write transaction failed and was rolled back', { cause });
      for (const w of group) w.reject(error);
      return;
    }
    const committed: Committed = { seq: ++committedSeq, group, outcomes };
    if (durability === undefined) {
      // COMMIT was durable by itself: answer now.
      durableSeq = committedSeq;
      settle(committed);
      return;
    }
    // Committed, not yet durable: answered by the fsync that covers it.
    awaiting.push(committed);
    startSync();
  };

  const flush = (): void => {
    scheduled = false;
    if (failed !== undefined) return;
    // Every fsync slot busy: the writes wait, queued, for the next slot; the sync callback schedules the flush.
    if (durability !== undefined && syncing >= maxSyncs && !closed) return;
    flushOne();
    schedule();
  };

  function schedule(): void {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  const drain = (): void => {
    while (queue.length > 0 && failed === undefined) flushOne();
  };

  return {
    submit<T>(write: () => T, bytes: number): Promise<T> {
      if (failed !== undefined) return Promise.reject(failed);
      return new Promise<T>((resolve, reject) => {
        queue.push({ run: write, bytes: Number.isFinite(bytes) && bytes > 0 ? bytes : 0, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    drain,
    pending: () => queue.length,
    barrier: syncNowOrFail,
    durable() {
      if (failed !== undefined) return Promise.reject(failed);
      if (durableSeq === committedSeq) return RESOLVED;
      const seq = committedSeq;
      return new Promise<void>((resolve, reject) => waiters.push({ seq, resolve, reject }));
    },
    failure: () => failed,
    close() {
      if (closed) return;
      try {
        drain();
        syncNowOrFail();
      } catch {
        // fail() has rejected every write not yet answered.
      } finally {
        closed = true;
      }
    },
  };
}
