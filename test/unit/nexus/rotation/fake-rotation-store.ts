// A fake StoreRotation with the store contract's semantics (docs/design.md §
// Root-key rotation), kept in a plain object so that a "restart" (a new
// engine over the same object) sees exactly what was committed: rows carry
// the key they are sealed with (a copy of it), a batch is staged and only
// committed when beforeCommit returns, finish retires the old key.
import { timingSafeEqual } from 'node:crypto';
import type { KeyCheck } from '../../../../src/nexus/state/store-interface.js';
import type { RotationStatus, StoreRotation } from '../../../../src/nexus/rotation/types.js';

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

export interface FakeRow {
  sealedWith: Buffer;
}

export interface Persisted {
  current: Buffer;
  retired: Buffer[];
  rows: FakeRow[];
  rotation?: { next: Buffer; phase: 'reencrypting' | 'pushing'; cursor: number; total: number; startedAt: Date; startedBy: string; unreadable: number };
}

export class FakeRotationStore implements StoreRotation {
  /** maxRows of every reencryptBatch call, and the value of `onBatch()` at each. */
  readonly batches: { maxRows: number; mark: number }[] = [];
  begins = 0;
  /** Throw this many times from reencryptBatch before working (a busy database). */
  failBatches = 0;
  onBatch: () => number = () => 0;

  constructor(readonly db: Persisted) {}

  static create(key: Uint8Array, rows: number): FakeRotationStore {
    const k = Buffer.from(key);
    return new FakeRotationStore({ current: k, retired: [], rows: Array.from({ length: rows }, () => ({ sealedWith: Buffer.from(k) })) });
  }

  status(): RotationStatus | undefined {
    const r = this.db.rotation;
    if (r === undefined) return undefined;
    return { phase: r.phase, startedAt: r.startedAt, startedBy: r.startedBy, done: Math.min(r.cursor, r.total), total: r.total, unreadable: r.unreadable };
  }

  begin(newKey: Uint8Array, startedBy: string): RotationStatus {
    if (this.db.rotation !== undefined) throw Object.assign(new Error('a rotation runs'), { code: 'conflict' });
    if (newKey.length !== 32 || newKey.every((b) => b === 0) || same(newKey, this.db.current)) throw new Error('bad key');
    this.begins++;
    this.db.rotation = { next: Buffer.from(newKey), phase: 'reencrypting', cursor: 0, total: this.db.rows.length, startedAt: new Date(), startedBy, unreadable: 0 };
    return this.status() as RotationStatus;
  }

  reencryptBatch(maxRows: number, hooks?: { beforeCommit?: () => void }): RotationStatus {
    const r = this.db.rotation;
    if (r === undefined) throw new Error('no rotation');
    this.batches.push({ maxRows, mark: this.onBatch() });
    if (this.failBatches > 0) {
      this.failBatches--;
      throw new Error('SQLITE_BUSY: database is locked');
    }
    if (r.phase === 'pushing') return this.status() as RotationStatus;
    const end = Math.min(r.cursor + maxRows, this.db.rows.length);
    const staged = this.db.rows.slice(r.cursor, end).map((row) => (same(row.sealedWith, r.next) ? row : { sealedWith: Buffer.from(r.next) }));
    hooks?.beforeCommit?.(); // a throw: nothing below happens (rolled back)
    this.db.rows.splice(r.cursor, staged.length, ...staged);
    r.cursor = end;
    if (r.cursor >= r.total) r.phase = 'pushing';
    return this.status() as RotationStatus;
  }

  finish(): void {
    const r = this.db.rotation;
    if (r?.phase !== 'pushing') throw new Error('conflict: not pushing');
    this.db.retired.push(this.db.current);
    this.db.current = r.next;
    delete this.db.rotation;
  }

  withSealingKey<T>(fn: (key: Buffer) => T): T {
    const copy = Buffer.from(this.db.rotation?.next ?? this.db.current);
    try {
      return fn(copy);
    } finally {
      copy.fill(0);
    }
  }

  withPreviousKey<T>(fn: (key: Buffer) => T): T | undefined {
    if (this.db.rotation === undefined) return undefined;
    const copy = Buffer.from(this.db.current);
    try {
      return fn(copy);
    } finally {
      copy.fill(0);
    }
  }

  /** The store's key check: the current key or a running rotation's new key match; retired ones are 'retired'. */
  check(key: Uint8Array): KeyCheck {
    if (same(key, this.db.current) || (this.db.rotation !== undefined && same(key, this.db.rotation.next))) return 'match';
    return this.db.retired.some((k) => same(k, key)) ? 'retired' : 'mismatch';
  }

  /** Every row sealed with `key`. */
  allSealedWith(key: Uint8Array): boolean {
    return this.db.rows.every((r) => same(r.sealedWith, key));
  }
}
