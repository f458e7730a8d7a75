// The reserved `spike/system/*` rule (upstream spike
// state/base/reserved.go): a policy may reach a reserved path
// P only deliberately — its path pattern describes P as a whole
// (`^(?:<pathPattern>)$` matches P) and its SPIFFE ID pattern is precise
// (anchored with `^…$`, or a catch-all whose full-match form matches the
// probe `spike-arbitrary-probe-value`). A policy that reaches P only by
// substring match is refused at creation and ignored when checking P.
import type { Pattern } from './pattern.js';

export const PATH_SYSTEM_ACL = 'spike/system/acl';
export const PATH_SYSTEM_SECRET = 'spike/system/secret';
export const PATH_SYSTEM_CIPHER_EXEC = 'spike/system/cipher/exec';

/** In upstream's order (the first violation is the one reported). */
export const RESERVED_PATHS: readonly string[] = Object.freeze([PATH_SYSTEM_ACL, PATH_SYSTEM_SECRET, PATH_SYSTEM_CIPHER_EXEC]);

export const isReservedPath = (p: string): boolean => RESERVED_PATHS.includes(p);

const PROBE = 'spike-arbitrary-probe-value';

/** The two patterns a rule looks at, with their full-match forms (undefined: does not compile). */
export interface PatternPair {
  readonly spiffeIdPattern: string;
  readonly pathPattern: string;
  readonly pathFull: Pattern | undefined;
  readonly spiffeIdFull: Pattern | undefined;
}

function spiffeIdIsPrecise(p: PatternPair): boolean {
  if (p.spiffeIdPattern.startsWith('^') && p.spiffeIdPattern.endsWith('$')) return true;
  return p.spiffeIdFull?.test(PROBE) === true;
}

/** Whether a policy may deliberately reach reserved path `reserved`. */
export function mayReachReserved(p: PatternPair, reserved: string): boolean {
  return p.pathFull?.test(reserved) === true && spiffeIdIsPrecise(p);
}

/**
 * The first reserved path the policy's (unanchored) path regex matches
 * without satisfying the rule, or undefined when the policy is acceptable.
 */
export function reservedViolation(p: PatternPair, pathRegex: Pattern): string | undefined {
  return RESERVED_PATHS.find((r) => pathRegex.test(r) && !mayReachReserved(p, r));
}
