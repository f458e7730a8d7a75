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
