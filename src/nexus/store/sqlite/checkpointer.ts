// WAL checkpoints off the event loop (docs/design.md § Store). SQLite's
// automatic checkpoint runs inside the COMMIT that crosses its threshold, on
// the connection that commits: copying the WAL's pages into spike.db and
// two fsyncs (WAL before, spike.db after) on the event loop, every few
// hundred writes (10–16 ms stalls measured under load). Here a worker
// thread holds a second connection to spike.db that only checkpoints
// (PASSIVE: it never blocks the writer or readers, and copies only frames
// no reader still needs), asked every `every` group commits; the store's
// connection keeps an automatic checkpoint with a far higher threshold
// (SAFETY_NET_PAGES) in case the worker falls behind, and its usual one
// (1000 pages) back should the worker fail.
//
// Durability is SQLite's own checkpoint protocol, unchanged: the worker's
// connection runs with synchronous=FULL, so it syncs the WAL before copying
// and spike.db after, as the writer's checkpoint would; the writer still
// resets the WAL at its next transaction once everything was copied. The
// WAL file stays the same inode while the store is open (wal-sync.ts): a
// connection deletes it only when it is the last to close, and close()
// closes the worker's connection first, waiting for it (bounded), so that
// the store's own connection is the last, as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** Group commits between two checkpoint requests. */
export const CHECKPOINT_EVERY_COMMITS = 64;
/** The writer's own automatic checkpoint while the worker runs (pages; SQLite's default is 1000). */
export const SAFETY_NET_PAGES = 8000;
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** How long close() waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 10_000;

// CommonJS, evaluated by the worker: the driver is required from the path the store resolved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const closed = new Int32Array(workerData.closed);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
parentPort.on('message', (m) => {
  if (m === 'close') {
    try { db.close(); } finally { Atomics.store(closed, 0, 1); Atomics.notify(closed, 0); parentPort.close(); }
    return;
  }
  let error = null;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { error = String((e && e.message) || e); }
  parentPort.postMessage({ error });
});
`;

export interface Checkpointer {
  /** A group transaction committed; every `every` of them the worker is asked to checkpoint (if it is not at it). */
  committed(): void;
  /** Checkpoints the worker completed (tests). */
  completed(): number;
  /** Closes the worker's connection (waiting for it, bounded) and ends the worker. Idempotent. */
  close(): void;
}

export interface CheckpointerOptions {
  /** Group commits between requests (default CHECKPOINT_EVERY_COMMITS). */
  readonly every?: number;
}

/** Where the worker loads the driver from (ES module or CommonJS bundle alike); undefined when it cannot be found. */
function driverPath(): string | undefined {
  try {
    // An ES module has import.meta.url; a CommonJS bundle (tests' child processes) has `require` instead.
    const url = (import.meta as { url?: string }).url;
    return (typeof url === 'string' ? createRequire(url) : require).resolve('better-sqlite3');
  } catch {
    return undefined;
  }
}

/**
 * Starts the worker for `file`, whose open writer connection is `db`;
 * undefined (the writer keeps SQLite's automatic checkpoint) when the driver
 * cannot be located for the worker.
 */
export function startCheckpointer(file: string, db: Database, opts: CheckpointerOptions = {}): Checkpointer | undefined {
  const every = opts.every ?? CHECKPOINT_EVERY_COMMITS;
  const closedFlag = new SharedArrayBuffer(4);
  const driver = driverPath();
  if (driver === undefined) return undefined;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, closed: closedFlag } });
  worker.unref(); // never keeps the process alive
  let dead = false;
  let inFlight = false;
  let commits = 0;
  let completed = 0;
  const fallBack = (): void => {
    if (dead) return;
    dead = true;
    // The worker is gone: the writer checkpoints by itself again.
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.on('message', () => {
    inFlight = false;
    completed++;
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  return {
    committed() {
      commits++;
      if (dead || inFlight || commits < every) return;
      commits = 0;
      inFlight = true;
      worker.postMessage('checkpoint');
    },
    completed: () => completed,
    close() {
      if (dead) return;
      dead = true;
      worker.postMessage('close');
      // The worker's own thread closes its connection; wait for it so that the writer's is the last to close.
      Atomics.wait(new Int32Array(closedFlag), 0, 0, CLOSE_WAIT_MS);
      void worker.terminate();
    },
  };
}
