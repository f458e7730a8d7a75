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
// the last write, `beforeCommit` runs (tests, failpoints); then COMMIT. Only
// when COMMIT returned are the writes' promises settled; if the group
// transaction fails anywhere (a throw from beforeCommit, a failing COMMIT)
// it is rolled back whole and every write of the group is rejected with
// StoreError 'io' — none was answered, none is stored.
//
// Everything here is synchronous between submit and settle: a flush runs
// to its end without yielding, so nothing else (reads, a root-key rotation
// batch, which are transactions of their own) can run inside a group.
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

export interface GroupCommitter {
  /**
   * Queues `write` (it must make its change through the backend's
   * `atomically`, so that it is a savepoint inside the group). Resolves with
   * its result once the group transaction holding it has committed; rejects
   * with its own error (rolled back alone) or with StoreError 'io' when the
   * group transaction failed.
   */
  submit<T>(write: () => T, bytes: number): Promise<T>;
  /** Runs every queued write now, group by group (used by close()). */
  drain(): void;
  /** Writes waiting for a flush. */
  pending(): number;
}

function positiveInt(n: number | undefined, fallback: number, what: string): number {
  if (n === undefined) return fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new StoreError('invalid_input', `${what} must be a positive integer`);
  return n;
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
}

export function createGroupCommitter(tx: GroupTransactions, opts: GroupCommitOptions = {}): GroupCommitter {
  const maxWrites = positiveInt(opts.maxWrites, DEFAULT_GROUP_MAX_WRITES, 'maxWrites');
  const maxBytes = positiveInt(opts.maxBytes, DEFAULT_GROUP_MAX_BYTES, 'maxBytes');
  const beforeCommit = opts.hooks?.beforeCommit;
  let queue: Queued[] = [];
  let scheduled = false;

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
    // Committed: only now does any write of the group get its answer.
    group.forEach((w, i) => {
      const o = outcomes[i] as Outcome;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  const flush = (): void => {
    scheduled = false;
    flushOne();
    schedule();
  };

  function schedule(): void {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    submit<T>(write: () => T, bytes: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ run: write, bytes: Number.isFinite(bytes) && bytes > 0 ? bytes : 0, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    drain() {
      while (queue.length > 0) flushOne();
    },
    pending: () => queue.length,
  };
}
