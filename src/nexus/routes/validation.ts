// Upstream field validation (spike-sdk-go validation): secret paths and
// secret key names.

const PATH_RE = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$/;
const MAX_PATH_LENGTH = 500;
const NAME_RE = /^[a-zA-Z0-9\-_ ]+$/;
const MAX_NAME_LENGTH = 250;

export function isValidSecretPath(p: string): boolean {
  return p.length > 0 && p.length <= MAX_PATH_LENGTH && PATH_RE.test(p);
}

export function isValidKeyName(n: string): boolean {
  return n.length > 0 && n.length <= MAX_NAME_LENGTH && NAME_RE.test(n);
}

// Policy fields (spike-sdk-go validation: ValidateName, ValidateSPIFFEIDPattern,
// ValidatePathPattern, permissions). The SPIFFE ID pattern regex is upstream's
// `^\^?spiffe://[\\a-zA-Z0-9.\-*()+?\[\]]+(/[\\/a-zA-Z0-9._\-*()+?\[\]]+)*\$?$`
// rewritten without the nested repetition (the segment class holds `/`, so
// `(/[…]+)*` and `(/[…]+)?` accept the same strings) so that it cannot
// backtrack catastrophically on a long input.
const SPIFFE_ID_PATTERN_RE = /^\^?spiffe:\/\/[\\a-zA-Z0-9.\-*()+?[\]]+(\/[\\/a-zA-Z0-9._\-*()+?[\]]+)?\$?$/;
const PATH_PATTERN_RE = /^[a-zA-Z0-9._\-/^$()?+*|[\]{}\\]+$/;
const MAX_PATH_PATTERN_LENGTH = 500;
/** Our cap (upstream has none): SPIFFE IDs are at most 2048 bytes, patterns for them need no more. */
const MAX_SPIFFE_ID_PATTERN_LENGTH = 2048;

/** Policy names: as secret key names (`^[a-zA-Z0-9-_ ]+$`, 1..250). */
export const isValidPolicyName = isValidKeyName;

export function isValidSpiffeIdPattern(p: string): boolean {
  return p.length <= MAX_SPIFFE_ID_PATTERN_LENGTH && SPIFFE_ID_PATTERN_RE.test(p);
}

export function isValidPathPattern(p: string): boolean {
  return p.length > 0 && p.length <= MAX_PATH_PATTERN_LENGTH && PATH_PATTERN_RE.test(p);
}
