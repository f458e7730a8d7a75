// The compiled policies of the open store, cached. The cache is dropped on
// every policy write through the routes (invalidate) and whenever the store
// object changes (a root key was installed). Stored policies whose patterns
// do not compile under our rules are skipped with a warning, as upstream's
// LoadAllPolicies skips rows that fail to decrypt or compile.
//
// Several Nexus replicas on one PostgreSQL database: another replica's policy
// write reaches this index as a notification (invalidate, through
// ReplicaCoordination.watchPolicies). While notifications may be missed (the
// LISTEN connection is down, or not up yet) the index is suspended: every
// request loads the policies afresh and nothing is installed; resume() drops
// whatever was cached and caches again (docs/postgres.md § Several replicas).
//
// Per caller, the policies whose SPIFFE ID pattern matches it are cached too
// (at most 4096 callers, least recently used dropped first), so that a
// request tests the path patterns of its caller's policies only, not every
// policy's ID pattern: with 1,000 policies that scan was most of a policy
// get's time. Both caches are dropped together.
//
// Policies are read through the async store (docs/design.md § Async store):
// concurrent callers share one load; a load is compiled in full before it is
// installed, so a half-loaded index is never served; a load that began before
// an invalidate() (a policy write), or one overtaken by a load for another
// store, is handed to the callers that asked for it but never installed, and
// later callers start a new one.
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { PolicyChangeSink, SecretsStore } from '../state/store-interface.js';
import { BoundedCache } from './bounded-cache.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';

/** Callers whose matching policies are kept. */
const MAX_CACHED_CALLERS = 4096;
/** Policy references kept in all (a caller's entry weighs its policy count + 1). */
const MAX_CACHED_REFERENCES = 1 << 20;

export class PolicyIndex implements PolicyChangeSink {
  #store: SecretsStore | undefined;
  #policies: readonly CompiledPolicy[] = [];
  #valid = false;
  /** False while changes by other replicas may go unnoticed (suspend()): nothing is cached. */
  #cacheable = true;
  /** Bumped by invalidate(): a load begun under an older generation is not installed. */
  #generation = 0;
  #loading: { readonly store: SecretsStore; readonly generation: number; readonly done: Promise<readonly CompiledPolicy[]> } | undefined;
  readonly #byCaller = new BoundedCache<readonly CompiledPolicy[]>(MAX_CACHED_CALLERS, MAX_CACHED_REFERENCES);

  constructor(private readonly log: Logger) {}

  /**
   * The usable policies of `store` whose SPIFFE ID pattern matches `peerId`,
   * in the order of policies() (rejects if the store cannot be read).
   */
  async policiesFor(store: SecretsStore, peerId: string): Promise<readonly CompiledPolicy[]> {
    const all = this.loaded(store) ?? (await this.policies(store));
    // Only the installed set feeds the per-caller cache (not a load invalidated meanwhile).
    const current = this.#valid && all === this.#policies;
    const cached = current ? this.#byCaller.get(peerId) : undefined;
    if (cached !== undefined) return cached;
    const mine = all.filter((p) => p.spiffeIdRegex.test(peerId));
    if (current) this.#byCaller.set(peerId, mine, mine.length + 1);
    return mine;
  }

  /** The installed policies of `store`, or undefined when they must be loaded first (policies()). */
  loaded(store: SecretsStore): readonly CompiledPolicy[] | undefined {
    return this.#valid && this.#store === store ? this.#policies : undefined;
  }

  /** Every usable policy of `store`, loaded when needed (rejects if the store cannot be read). */
  policies(store: SecretsStore): Promise<readonly CompiledPolicy[]> {
    const ready = this.loaded(store);
    if (ready !== undefined) return Promise.resolve(ready);
    // Suspended: a load of its own for each caller, begun after it asked, never installed.
    if (!this.#cacheable) return this.#compileAll(store);
    const running = this.#loading;
    if (running !== undefined && running.store === store && running.generation === this.#generation) return running.done;
    const generation = this.#generation;
    const done = this.#compileAll(store).then(
      (out) => {
        // Installed only if no invalidate() and no load for another store came meanwhile.
        if (this.#loading === entry && this.#generation === generation && this.#cacheable) {
          this.#byCaller.clear();
          this.#store = store;
          this.#policies = out;
          this.#valid = true;
        }
        if (this.#loading === entry) this.#loading = undefined;
        return out;
      },
      (e: unknown) => {
        if (this.#loading === entry) this.#loading = undefined;
        throw e;
      },
    );
    const entry = { store, generation, done };
    this.#loading = entry;
    return done;
  }

  async #compileAll(store: SecretsStore): Promise<readonly CompiledPolicy[]> {
    const out: CompiledPolicy[] = [];
    for (const p of await store.listPolicies()) {
      try {
        out.push(compilePolicy(p));
      } catch (e) {
        this.log.warn('stored policy skipped: its patterns do not compile', { policy: p.name, error: describeError(e) });
      }
    }
    return out;
  }

  /** Forget the cache (after a policy put or delete); a load under way is not installed. */
  invalidate(): void {
    this.#generation++;
    this.#valid = false;
    this.#policies = [];
    this.#byCaller.clear();
  }

  /** Changes may go unnoticed from now on: forget the cache and load per request until resume(). */
  suspend(): void {
    this.#cacheable = false;
    this.invalidate();
  }

  /** Changes are noticed again: forget the cache (anything may have changed meanwhile) and cache again. */
  resume(): void {
    this.invalidate();
    this.#cacheable = true;
  }

  /** Whether loaded policies are kept (false while suspended). */
  get caching(): boolean {
    return this.#cacheable;
  }
}
