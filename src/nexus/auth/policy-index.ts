// The compiled policies of the open store, cached. Nexus is the only writer
// of its store, so the cache is dropped on every policy write through the
// routes (invalidate) and whenever the store object changes (a root key was
// installed). Stored policies whose patterns do not compile under our rules
// are skipped with a warning, as upstream's LoadAllPolicies skips rows that
// fail to decrypt or compile.
//
// Per caller, the policies whose SPIFFE ID pattern matches it are cached too
// (at most 4096 callers, least recently used dropped first), so that a
// request tests the path patterns of its caller's policies only, not every
// policy's ID pattern: with 1,000 policies that scan was most of a policy
// get's time. Both caches are dropped together.
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { SecretsStore } from '../state/store-interface.js';
import { BoundedCache } from './bounded-cache.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';

/** Callers whose matching policies are kept. */
const MAX_CACHED_CALLERS = 4096;
/** Policy references kept in all (a caller's entry weighs its policy count + 1). */
const MAX_CACHED_REFERENCES = 1 << 20;

export class PolicyIndex {
  #store: SecretsStore | undefined;
  #policies: readonly CompiledPolicy[] = [];
  #valid = false;
  readonly #byCaller = new BoundedCache<readonly CompiledPolicy[]>(MAX_CACHED_CALLERS, MAX_CACHED_REFERENCES);

  constructor(private readonly log: Logger) {}

  /**
   * The usable policies of `store` whose SPIFFE ID pattern matches `peerId`,
   * in the order of policies() (throws if the store cannot be read).
   */
  policiesFor(store: SecretsStore, peerId: string): readonly CompiledPolicy[] {
    const all = this.policies(store);
    const cached = this.#byCaller.get(peerId);
    if (cached !== undefined) return cached;
    const mine = all.filter((p) => p.spiffeIdRegex.test(peerId));
    this.#byCaller.set(peerId, mine, mine.length + 1);
    return mine;
  }

  /** Every usable policy of `store` (throws if the store cannot be read). */
  policies(store: SecretsStore): readonly CompiledPolicy[] {
    if (this.#valid && this.#store === store) return this.#policies;
    this.#byCaller.clear();
    const out: CompiledPolicy[] = [];
    for (const p of store.listPolicies()) {
      try {
        out.push(compilePolicy(p));
      } catch (e) {
        this.log.warn('stored policy skipped: its patterns do not compile', { policy: p.name, error: describeError(e) });
      }
    }
    this.#store = store;
    this.#policies = out;
    this.#valid = true;
    return out;
  }

  /** Forget the cache (after a policy put or delete). */
  invalidate(): void {
    this.#valid = false;
    this.#policies = [];
    this.#byCaller.clear();
  }
}
