// What "no undocumented error" means in the fuzz tests: the thrown value is
// the module's own typed error, its message is one non-empty line of sane
// length, and it never carries the input's secret part.
import { expect } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor of an Error subclass
type ErrorClass = abstract new (...args: any[]) => Error;

/** Asserts `e` is a one-line `cls` whose message contains none of `secrets` (each ≥ 6 chars to be meaningful). */
export function expectRefusal(e: unknown, cls: ErrorClass, secrets: readonly string[] = []): void {
  if (!(e instanceof cls)) {
    // Show what escaped: that is the bug report.
    throw new Error(`expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const msg = e.message;
  expect(msg.length).toBeGreaterThan(0);
  expect(msg.length).toBeLessThan(400);
  expect(msg).not.toMatch(/[\r\n\u2028\u2029]/);
  for (const s of secrets) if (s.length >= 6) expect(msg).not.toContain(s);
}

/** Runs `f`; returns its result, or undefined after checking the refusal. */
export function resultOrRefusal<T>(f: () => T, cls: ErrorClass, secrets: readonly string[] = []): T | undefined {
  try {
    return f();
  } catch (e) {
    expectRefusal(e, cls, secrets);
    return undefined;
  }
}

/** Runs per property: at least 1000 (the issue's floor); FUZZ_RUNS raises it for a longer local session. */
export const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0) || 0);
