// Small schema queries shared by the read-only key check and the read-write store.
import type { Database as Db } from 'better-sqlite3';

export function tableExists(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?').get('table', name) !== undefined;
}
