// Asymmetric matchers for `toThrow` / `rejects.toThrow`, so a test states what
// the error must be without an `expect` inside a `catch` (which passes when
// nothing is thrown at all).
import { expect } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor of an Error subclass
type ErrorClass = abstract new (...args: any[]) => Error;

/** A matcher used as a thrown-value matcher; `toString` names it in failure messages. */
interface ThrownMatcher {
  asymmetricMatch(thrown: unknown): boolean;
  toString(): string;
}

/**
 * Matches a thrown value that is NOT a `cls` (with the fields of `shape`, compared as
 * `expect.objectContaining(shape)`). Use negated: `expect(f).not.toThrow(otherThan(DecodeError))`
 * says "f returns, or throws a DecodeError, and nothing else".
 */
export function otherThan(cls: ErrorClass, shape?: Record<string, unknown>): ThrownMatcher {
  const fields = shape === undefined ? undefined : expect.objectContaining(shape);
  return {
    asymmetricMatch: (e) => !(e instanceof cls && (fields === undefined || fields.asymmetricMatch(e))),
    toString: () => `a thrown value other than ${cls.name}${shape === undefined ? '' : ` with ${Object.keys(shape).join(', ')}`}`,
  };
}

/** A one-line, non-empty message (for `otherThan(cls, { message: ONE_LINE })`). */
export const ONE_LINE = expect.stringMatching(/^[^\r\n]+$/);

/** Whether `f()` returns (rather than throws). */
export function returns(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

/** `f()`'s value, or undefined when it throws (pair with `not.toThrow(otherThan(…))` to check what it threw). */
export function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Matches an error whose message and own fields (as JSON), lower-cased, contain none of `parts` (lower-cased). */
export function sayingNothingOf(...parts: string[]): ThrownMatcher {
  const lowered = parts.map((p) => p.toLowerCase());
  return {
    asymmetricMatch: (e) => {
      const text = `${String(e)} ${e instanceof Error ? e.message : ''} ${JSON.stringify(e) ?? ''}`.toLowerCase();
      return lowered.every((p) => !text.includes(p));
    },
    toString: () => `an error saying nothing of ${parts.length} secret part(s)`,
  };
}

/** An RFC 3339 time of this century as Go marshals it (so neither missing, null, nor Go's zero time). */
export const RECENT_RFC3339 = expect.stringMatching(/^20\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);
