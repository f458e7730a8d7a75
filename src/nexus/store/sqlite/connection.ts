// The read-write connection: WAL (upstream's default journal mode),
// synchronous=FULL so that a committed write survives power loss before the
// API answers, and a busy timeout for a second connection holding the lock.
import Database, { type Database as Db } from 'better-sqlite3';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function openConnection(file: string, busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS): Db {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
