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
// Two descriptors, one for the asynchronous fsyncs (fs.fsync: the libuv
// threadpool; one in flight at a time) and one for the synchronous ones
// (reads that must not wait, close): Linux reports a writeback error once per
// open file description, so a synchronous fsync running while an asynchronous
// one is in flight cannot swallow the error the other needs to see.
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
}

export interface WalSync {
  /** fsyncs the WAL asynchronously; `done` once every commit made before this call is durable, or with the error. */
  sync(done: (error: Error | null) => void): void;
  /** The same, blocking; throws on failure. */
  syncNow(): void;
  /** Closes our descriptors (the asynchronous one once its fsync in flight, if any, has returned). Idempotent. */
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
  const path = walFile(dbFile);
  let asyncFd: number | undefined;
  let syncFd: number | undefined;
  try {
    // Read-only: fsync needs no write access, and nothing here may ever write the WAL.
    asyncFd = openSync(path, 'r');
    syncFd = openSync(path, 'r');
    fsyncDirectory(dirname(dbFile));
  } catch (e) {
    if (asyncFd !== undefined) closeSync(asyncFd);
    if (syncFd !== undefined) closeSync(syncFd);
    throw new StoreError('io', 'cannot open the store write-ahead log for syncing', { cause: e });
  }
  const aFd = asyncFd;
  const sFd = syncFd;
  let inFlight = 0;
  let closed = false;
  let asyncClosed = false;
  const closeAsyncFd = (): void => {
    if (asyncClosed) return;
    asyncClosed = true;
    closeSync(aFd);
  };
  return {
    sync(done) {
      if (closed) {
        done(new StoreError('closed', 'the store is closed'));
        return;
      }
      inFlight++;
      doFsync(aFd, (error) => {
        inFlight--;
        // Closed meanwhile: the descriptor was kept open for this call alone.
        if (closed && inFlight === 0) closeAsyncFd();
        done(error);
      });
    },
    syncNow() {
      if (closed) throw new StoreError('closed', 'the store is closed');
      doFsyncSync(sFd);
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(sFd);
      if (inFlight === 0) closeAsyncFd();
    },
  };
}
