// A stored policy with its patterns compiled once (upstream recompiles on
// every load; we cache, see policy-index.ts and pattern.ts).
import type { Policy } from '../store/index.js';
import { compileFullMatch, compilePattern, type Pattern, PatternError } from './pattern.js';
import type { PatternPair } from './reserved.js';

export interface CompiledPolicy extends PatternPair {
  readonly name: string;
  readonly permissions: readonly string[];
  /** Unanchored, as Go's MatchString. */
  readonly spiffeIdRegex: Pattern;
  readonly pathRegex: Pattern;
}

/** compilePattern, with the error naming which of the policy's patterns it is (as upstream's UpsertPolicy). */
function compileNamed(p: string, what: string): Pattern {
  try {
    return compilePattern(p);
  } catch (e) {
    if (e instanceof PatternError) throw new PatternError(e.pattern, e.reason, what);
    throw e;
  }
}

/** Compiles both patterns; throws PatternError naming the pattern that does not compile. */
export function compilePolicy(p: Pick<Policy, 'name' | 'spiffeIdPattern' | 'pathPattern' | 'permissions'>): CompiledPolicy {
  return {
    name: p.name,
    permissions: [...p.permissions],
    spiffeIdPattern: p.spiffeIdPattern,
    pathPattern: p.pathPattern,
    spiffeIdRegex: compileNamed(p.spiffeIdPattern, 'SPIFFE ID pattern'),
    pathRegex: compileNamed(p.pathPattern, 'path pattern'),
    spiffeIdFull: compileFullMatch(p.spiffeIdPattern),
    pathFull: compileFullMatch(p.pathPattern),
  };
}
