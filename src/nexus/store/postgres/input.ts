// The store's own input checks for the PostgreSQL store: the same refusals,
// with the same messages, as the synchronous stores (../input-checks.ts), plus
// NUL in a path or policy name (PostgreSQL text cannot hold it; the routes
// never let one through).
import { StoreError } from '../errors.js';
import { checkName as checkNameType, checkPath as checkPathShape, checkPolicyInput as checkPolicyShape } from '../input-checks.js';
import type { PolicyInput } from '../types.js';

export { checkValues, checkVersion, checkVersionList, copyValues } from '../input-checks.js';

function noNul(s: string, what: string): void {
  if (s.includes('\u0000')) throw new StoreError('invalid_input', `${what} must not contain NUL characters`);
}

export function checkPath(path: unknown): asserts path is string {
  checkPathShape(path);
  noNul(path, 'secret path');
}

export function checkName(name: unknown): asserts name is string {
  checkNameType(name);
  noNul(name, 'policy name');
}

export function checkPolicyInput(input: PolicyInput): void {
  checkPolicyShape(input, (name) => noNul(name, 'policy name'));
}
