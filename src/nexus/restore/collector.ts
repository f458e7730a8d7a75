// The shard values operators submitted for a restore (docs/design.md §
// Restore): every distinct value per id is kept — a wrong value never
// displaces a right one — up to `maxValuesPerId` values per id, until the
// root key is rebuilt or the collection is reset. Values are copied in and
// zeroed when dropped. The collection is dropped `ttlMs` after the last value
// was added. Which values fit together is search.ts's job.
import { timingSafeEqual } from 'node:crypto';
import { MAX_CANDIDATE_SETS } from './search.js';

/** Distinct values kept per id (a typo or two, and the right value). */
export const MAX_VALUES_PER_ID = 4;

export interface CollectorLimits {
  /** Distinct values kept per id. */
  readonly maxValuesPerId: number;
  /** Most candidate sets one call may search (search.ts). */
  readonly maxCandidateSets: number;
}

export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = { maxValuesPerId: MAX_VALUES_PER_ID, maxCandidateSets: MAX_CANDIDATE_SETS };

/** What adding (id, value) would do: keep a new value, nothing (same value held), or nothing (the id is full). */
export type Offer = 'new' | 'duplicate' | 'full';

/** Several replicas: this collection began after the replica that collected before stopped (names only). */
export interface CollectionRestart {
  /** The replica that collects now (this one). */
  readonly collector: string;
  /** The replica whose collection was lost. */
  readonly previous: string;
}

export class RestoreCollector {
  readonly #values = new Map<number, Buffer[]>();
  #lastAdded = 0;
  #restart: CollectionRestart | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly threshold: number,
    readonly ttlMs: number,
    readonly now: () => number = Date.now,
    readonly limits: CollectorLimits = DEFAULT_COLLECTOR_LIMITS,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('threshold must be a positive integer');
    if (!Number.isInteger(limits.maxValuesPerId) || limits.maxValuesPerId < 1) throw new RangeError('maxValuesPerId must be a positive integer');
    if (!Number.isInteger(limits.maxCandidateSets) || limits.maxCandidateSets < 1) throw new RangeError('maxCandidateSets must be a positive integer');
  }

  /**
   * Runs `fn` after every earlier exclusive call finished: restore calls
   * (offer, add, search, install, reset) run one at a time, so a search
   * sees a collection no other call changes meanwhile.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** How many distinct ids are held. */
  collected(): number {
    this.#expire();
    return this.#values.size;
  }

  /** The ids held, ascending (never the values): for answers and /v1/operator/status. */
  ids(): number[] {
    this.#expire();
    return [...this.#values.keys()].sort((a, b) => a - b);
  }

  /** The ids that hold more than one distinct value, ascending. */
  conflicts(): number[] {
    this.#expire();
    return [...this.#values].filter(([, v]) => v.length > 1).map(([id]) => id).sort((a, b) => a - b);
  }

  /**
   * Whether (id, value) would be a new value, is already held, or finds the
   * id full. Compares with every held value of the id in constant time.
   */
  offer(id: number, value: Uint8Array): Offer {
    this.#expire();
    const held = this.#values.get(id) ?? [];
    let same = false;
    for (const v of held) same = (v.length === value.length && timingSafeEqual(v, value)) || same;
    if (same) return 'duplicate';
    return held.length >= this.limits.maxValuesPerId ? 'full' : 'new';
  }

  /** Keeps a copy of `value` for `id`; the caller checked offer() === 'new'. */
  add(id: number, value: Uint8Array): void {
    if (this.offer(id, value) !== 'new') throw new Error('restore collector: value is not new for this id');
    const copy = Buffer.alloc(value.length);
    copy.set(value);
    const held = this.#values.get(id);
    if (held === undefined) this.#values.set(id, [copy]);
    else held.push(copy);
    this.#lastAdded = this.now();
  }

  /** Drops (and zeroes) the value added last for `id` (a search through it could not run). */
  undoAdd(id: number): void {
    const held = this.#values.get(id);
    held?.pop()?.fill(0);
    if (held?.length === 0) this.#values.delete(id);
  }

  /**
   * The held values by id: views the collector owns. Use them synchronously
   * and do not keep them (they are zeroed by reset).
   */
  held(): ReadonlyMap<number, readonly Uint8Array[]> {
    this.#expire();
    return this.#values;
  }

  /**
   * Marks this collection as begun after another collector's was lost
   * (docs/design.md § Restore through any replica): the answers say so until
   * the collection ends (restored, reset, expired).
   */
  markRestarted(r: CollectionRestart): void {
    this.#restart = r;
  }

  /** The restart this collection began with, if any. */
  restart(): CollectionRestart | undefined {
    this.#expire();
    return this.#restart;
  }

  /** Drops (and zeroes) everything, and the restart mark; returns how many ids were held. */
  reset(): number {
    this.#restart = undefined;
    const n = this.#values.size;
    for (const vs of this.#values.values()) for (const v of vs) v.fill(0);
    this.#values.clear();
    return n;
  }

  #expire(): void {
    if (this.#values.size > 0 && this.now() - this.#lastAdded > this.ttlMs) this.reset();
  }
}
