// The store's own input checks, shared by every SecretStore (core.ts for the
// synchronous backends, postgres/input.ts for PostgreSQL): each refusal is a
// StoreError 'invalid_input' with a one-line message. The routes validate
// first; these keep a library caller from storing what a route would refuse.
import { StoreError } from './errors.js';
import type { PolicyInput } from './types.js';

export function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new StoreError('invalid_input', 'secret path must be a non-empty string');
}

export function checkValues(values: unknown): asserts values is Record<string, string> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new StoreError('invalid_input', 'secret values must be an object of strings');
  }
  for (const v of Object.values(values)) {
    if (typeof v !== 'string') throw new StoreError('invalid_input', 'secret values must be strings');
  }
}

export function checkVersionList(versions: unknown): asserts versions is readonly number[] {
  if (!Array.isArray(versions)) throw new StoreError('invalid_input', 'versions must be an array of numbers');
  for (const v of versions) if (typeof v !== 'number') throw new StoreError('invalid_input', 'versions must be numbers');
}

export function checkVersion(version: unknown): asserts version is number {
  if (typeof version !== 'number') throw new StoreError('invalid_input', 'version must be a number');
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new StoreError('invalid_input', 'policy name must be a string');
}

/** `checkNameFurther`: a backend's own check of the (non-empty string) name, run before the other fields are checked. */
export function checkPolicyInput(input: PolicyInput, checkNameFurther?: (name: string) => void): void {
  if (typeof input !== 'object' || input === null) throw new StoreError('invalid_input', 'policy must be an object');
  if (typeof input.name !== 'string' || input.name === '') throw new StoreError('invalid_input', 'policy name must be a non-empty string');
  checkNameFurther?.(input.name);
  if (typeof input.spiffeIdPattern !== 'string' || typeof input.pathPattern !== 'string') {
    throw new StoreError('invalid_input', 'policy patterns must be strings');
  }
  if (!Array.isArray(input.permissions)) throw new StoreError('invalid_input', 'policy permissions must be an array');
  for (const p of input.permissions) {
    if (typeof p !== 'string' || p === '' || p.includes(',')) {
      throw new StoreError('invalid_input', 'each policy permission must be a non-empty string without commas');
    }
  }
}

/** A copy with no prototype: a key such as "__proto__" stays a plain key. */
export function copyValues(values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(values)) out[k] = v;
  return out;
}
