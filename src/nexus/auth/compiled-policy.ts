// A stored policy with its patterns compiled once (upstream recompiles on
// every load; we cache, see policy-index.ts).
import type { Policy } from '../store/index.js';
import { compileFullMatch, compilePattern } from './pattern.js';
import type { PatternPair } from './reserved.js';

export interface CompiledPolicy extends PatternPair {
  readonly name: string;
  readonly permissions: readonly string[];
  /** Unanchored, as Go's MatchString. */
  readonly spiffeIdRegex: RegExp;
  readonly pathRegex: RegExp;
}

/** Compiles both patterns; throws PatternError. */
export function compilePolicy(p: Pick<Policy, 'name' | 'spiffeIdPattern' | 'pathPattern' | 'permissions'>): CompiledPolicy {
  return {
    name: p.name,
    permissions: [...p.permissions],
    spiffeIdPattern: p.spiffeIdPattern,
    pathPattern: p.pathPattern,
    spiffeIdRegex: compilePattern(p.spiffeIdPattern),
    pathRegex: compilePattern(p.pathPattern),
    spiffeIdFull: compileFullMatch(p.spiffeIdPattern),
    pathFull: compileFullMatch(p.pathPattern),
  };
}
