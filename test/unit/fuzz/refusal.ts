// What "no undocumented error" means in the fuzz tests: the thrown value is
// the module's own typed error, its message is one non-empty line of sane
// length that no input can break or reorder (no raw control character, line
// or paragraph separator, bidi control or lone surrogate: outside input is
// quoted with quoteForMessage), and it never carries the input's secret part.
import { expect } from 'vitest';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor of an Error subclass
type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * What must not appear raw in a refusal: the C0 controls U+0000–U+001F (CR
 * and LF break the line, ESC starts a terminal escape), U+2028, U+2029 (line
 * breaks), DEL and the C1 controls U+0080–U+009F (NEL, CSI among them), the
 * bidi controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, and
 * lone surrogates (a paired one is an ordinary character).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNSAFE_IN_MESSAGE = /[\u0000-\u001f\u2028\u2029\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** Asserts `e` is a one-line `cls` whose message contains none of `secrets` (each ≥ 6 chars to be meaningful). */
export function expectRefusal(e: unknown, cls: ErrorClass, secrets: readonly string[] = []): void {
  if (!(e instanceof cls)) {
    // Show what escaped: that is the bug report.
    throw new Error(`expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const msg = e.message;
  expect(msg.length).toBeGreaterThan(0);
  expect(msg.length).toBeLessThan(400);
  expect(msg).not.toMatch(UNSAFE_IN_MESSAGE);
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

/** Runs per property: at least 1000 (the floor every fuzz target keeps); FUZZ_RUNS raises it for a longer local session. */
export const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0) || 0);
