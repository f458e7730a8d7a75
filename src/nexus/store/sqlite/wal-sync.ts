// Our own handles on spike.db's write-ahead log, to make group commits
// durable off the event loop (docs/design.md § Store, group commit): a group
// transaction commits with synchronous=NORMAL (its frames written to the WAL,
// not yet synced) and is answered only once an fsync of the WAL file on one
// of these descriptors has returned. fsync flushes every dirty page of the
// file, whichever descriptor wrote it, so it covers every commit made before
// the call.
//
// Why our descriptors name SQLite's WAL file: SQLite opens `<db>-wal` when the
// connection first reads in WAL mode and keeps it open until the connection
// closes; it never renames or deletes it while a connection is open (the last
// connection to close deletes it), and a WAL reset after a checkpoint rewrites
// the same file in place. So the file must exist when the store opens ours
// (after its first transaction) and stays the same inode until close.
//
// One descriptor per fsync that may be in flight (fs.fsync: the libuv
// threadpool; at most WAL_SYNCS_IN_FLIGHT at a time unless a test asks for
// more) and one for the
// synchronous fsyncs (reads that must not wait, close), all opened before the
// first group commits: Linux reports a writeback error once per open file
// description, to the first fsync on it after the error, and never to a
// description opened after it. So two fsyncs running at once never share a
// descriptor (one could swallow the error the other must see), and every
// descriptor sees every error since the store opened.
//
// The directory is fsynced once when the store opens: the WAL's directory
// entry (and spike.db's) is then durable; SQLite does not create the WAL anew
// while the connection is open.
import { closeSync, fsync as fsyncAsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../errors.js';

/** The fsync calls (tests replace them to hold or fail an fsync; default node:fs). */
export interface WalFsyncHooks {
  /** Asynchronous fsync of `fd`; `done` once it returned (default fs.fsync, on the libuv threadpool). */
  readonly fsync?: (fd: number, done: (error: Error | null) => void) => void;
  /** Synchronous fsync of `fd`; throws on failure (default fs.fsyncSync). */
  readonly fsyncSync?: (fd: number) => void;
  /** Asynchronous fsyncs that may run at once (default WAL_SYNCS_IN_FLIGHT; tests of the committer ask for more). */
  readonly inFlight?: number;
}

/**
 * Asynchronous fsyncs that may run at once (each on its own descriptor).
 * One: the writes that arrive while it runs wait for it and then commit as
 * one group, so under load groups are larger and each costs its COMMIT and
 * fsync hand-off once (docs/design.md § Store; test/bench/README.md § Nexus put).
 */
export const WAL_SYNCS_IN_FLIGHT = 1;

export interface WalSync {
  /** How many `sync` calls may be in flight at once. */
  readonly parallel: number;
  /**
   * fsyncs the WAL asynchronously; `done` once every commit made before this call is durable, or with the error.
   * At most `parallel` calls in flight (else `done` gets an error at once).
   */
  sync(done: (error: Error | null) => void): void;
  /** The same, blocking; throws on failure. */
  syncNow(): void;
  /** Closes our descriptors (one whose fsync is in flight once that returns). Idempotent. */
  close(): void;
}

export function walFile(dbFile: string): string {
  return `${dbFile}-wal`;
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens our descriptors on `<dbFile>-wal` (which the open connection must have created) and fsyncs the directory. */
export function openWalSync(dbFile: string, hooks: WalFsyncHooks = {}): WalSync {
  const doFsync = hooks.fsync ?? ((fd: number, done: (error: Error | null) => void) => fsyncAsync(fd, done));
  const doFsyncSync = hooks.fsyncSync ?? fsyncSync;
  const inFlight = hooks.inFlight ?? WAL_SYNCS_IN_FLIGHT;
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) throw new StoreError('invalid_input', 'the write-ahead log fsyncs in flight must be a positive integer');
  const path = walFile(dbFile);
  const opened: number[] = [];
  try {
    // Read-only: fsync needs no write access, and nothing here may ever write the WAL.
    for (let i = 0; i <= inFlight; i++) opened.push(openSync(path, 'r'));
    fsyncDirectory(dirname(dbFile));
  } catch (e) {
    for (const fd of opened) closeSync(fd);
    throw new StoreError('io', 'cannot open the store write-ahead log for syncing', { cause: e });
  }
  const syncFd = opened[0] as number;
  /** The asynchronous descriptors not in use. */
  const idle = opened.slice(1);
  let closed = false;
  return {
    parallel: inFlight,
    sync(done) {
      const fd = idle.pop();
      if (closed || fd === undefined) {
        done(closed ? new StoreError('closed', 'the store is closed') : new StoreError('io', 'too many write-ahead log fsyncs at once'));
        return;
      }
      doFsync(fd, (error) => {
        // Closed meanwhile: the descriptor was kept open for this call alone.
        if (closed) closeSync(fd);
        else idle.push(fd);
        done(error);
      });
    },
    syncNow() {
      if (closed) throw new StoreError('closed', 'the store is closed');
      doFsyncSync(syncFd);
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(syncFd);
      // The descriptors of fsyncs in flight close when those return.
      for (const fd of idle.splice(0)) closeSync(fd);
    },
  };
}
