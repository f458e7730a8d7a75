// The compiled policies of the open store, cached. Nexus is the only writer
// of its store, so the cache is dropped on every policy write through the
// routes (invalidate) and whenever the store object changes (a root key was
// installed). Stored policies whose patterns do not compile under our rules
// are skipped with a warning, as upstream's LoadAllPolicies skips rows that
// fail to decrypt or compile.
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { SecretsStore } from '../state/store-interface.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';

export class PolicyIndex {
  #store: SecretsStore | undefined;
  #policies: readonly CompiledPolicy[] = [];
  #valid = false;

  constructor(private readonly log: Logger) {}

  /** Every usable policy of `store` (throws if the store cannot be read). */
  policies(store: SecretsStore): readonly CompiledPolicy[] {
    if (this.#valid && this.#store === store) return this.#policies;
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
  }
}
