// Policy patterns: Go RE2 regular expressions written by operators, compiled
// to JavaScript RegExps with RE2's semantics for the syntax our validation
// lets through (upstream's policy validation and CheckPolicyAccess).
//
// Catastrophic backtracking: RE2 matches in linear time, V8's default engine
// backtracks (`.*.*.*z` against 500 characters takes seconds). We compile
// with V8's linear-time engine (the `l` flag, enabled once per process with
// `--enable-experimental-regexp-engine`), so no pattern can stall Nexus. If
// that engine is unavailable, patterns with the shapes of catastrophic
// backtracking are refused instead (nested or alternated unbounded
// repetition, more than two unbounded repetitions).
//
// A pattern is refused (PatternError → 400) when it is empty or longer than
// MAX_PATTERN_LENGTH, or uses syntax whose meaning differs between RE2 and
// JavaScript or that RE2 refuses: flag or named groups `(?…)`,
// back-references `\1`, escapes other than \d \D \w \W \s \S \b \B \n \t \r
// \f \v and escaped punctuation, POSIX classes, a class opening with `]`,
// repetition counts above 1000.
// Matching is as Go's MatchString: unanchored unless the pattern anchors.
import { setFlagsFromString } from 'node:v8';

/** Path patterns are further capped at 500 by validation; SPIFFE ID patterns at 2048 (an ID's own limit). */
export const MAX_PATTERN_LENGTH = 2048;
/** RE2's limit on `{n,m}` counts. */
const MAX_REPEAT = 1000;

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

const SAFE_LETTER_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'n', 't', 'r', 'f', 'v']);

/** Reads a `{n}`, `{n,}` or `{n,m}` at `i` (the `{`); undefined when it is a literal `{` (as in RE2 and JS). */
function readCount(p: string, i: number): { end: number; max: number } | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
  if (m === null) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new PatternError(`repetition count above ${MAX_REPEAT}`);
  if (max < min) throw new PatternError('invalid repetition count');
  return { end: i + m[0].length, max };
}

interface Group {
  /** Something inside the group repeats without bound. */
  unbounded: boolean;
  /** The group holds an alternation. */
  alternation: boolean;
}

/**
 * Checks RE2/JS syntax compatibility (always) and, when `backtracking` is
 * true, the shapes of catastrophic backtracking. Throws PatternError.
 */
export function checkPattern(p: string, backtracking: boolean): void {
  if (p.length === 0) throw new PatternError('empty pattern');
  if (p.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  const stack: Group[] = [{ unbounded: false, alternation: false }];
  let closed: Group | undefined; // the group that just closed: a quantifier right after applies to it
  let unboundedCount = 0;
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    const top = stack[stack.length - 1] as Group;
    if (c === '\\') {
      checkEscape(p[i + 1]);
      closed = undefined;
      i += 2;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      if (p[j] === ']') throw new PatternError('a class may not start with ] (write \\])');
      while (j < p.length && p[j] !== ']') {
        if (p[j] === '\\') {
          checkEscape(p[j + 1]);
          j += 2;
        } else {
          if (p[j] === '[' && p[j + 1] === ':') throw new PatternError('POSIX classes are not supported');
          j++;
        }
      }
      if (j >= p.length) throw new PatternError('missing ]');
      closed = undefined;
      i = j + 1;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') throw new PatternError('flag and named groups (?…) are not supported');
      stack.push({ unbounded: false, alternation: false });
      closed = undefined;
      i++;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) throw new PatternError('unmatched )');
      closed = stack.pop();
      i++;
      continue;
    }
    if (c === '|') top.alternation = true;
    let unbounded: boolean | undefined;
    let end = i + 1;
    if (c === '*' || c === '+') unbounded = true;
    else if (c === '?') unbounded = false;
    else if (c === '{') {
      const count = readCount(p, i);
      if (count !== undefined) {
        unbounded = count.max > 1;
        end = count.end;
      }
    }
    if (unbounded !== undefined) {
      if (backtracking && unbounded) {
        if (closed !== undefined && (closed.unbounded || closed.alternation)) throw new PatternError('nested or alternated unbounded repetition');
        if (++unboundedCount > 2) throw new PatternError('more than two unbounded repetitions');
      }
      if (unbounded || closed?.unbounded === true) top.unbounded = true;
      if (p[end] === '?') end++; // lazy quantifier, same in RE2 and JS
      closed = undefined;
      i = end;
      continue;
    }
    closed = undefined;
    i++;
  }
  if (stack.length !== 1) throw new PatternError('missing )');
}

function checkEscape(n: string | undefined): void {
  if (n === undefined) throw new PatternError('trailing backslash');
  if (/[0-9]/.test(n)) throw new PatternError('back-references and octal escapes are not supported');
  if (/[a-zA-Z]/.test(n) && !SAFE_LETTER_ESCAPES.has(n)) throw new PatternError(`unsupported escape \\${n}`);
}

let linear: boolean | undefined;

/** Whether V8's linear-time engine is available (enabled on first use). */
export function linearEngine(): boolean {
  if (linear === undefined) {
    try {
      setFlagsFromString('--enable-experimental-regexp-engine');
      const linearFlag = 'l'; // V8's linear-time engine flag (unknown to eslint)
      linear = new RegExp('a', linearFlag).flags.includes(linearFlag);
    } catch {
      linear = false;
    }
  }
  return linear;
}

function build(source: string): RegExp {
  try {
    return new RegExp(source, linearEngine() ? 'l' : '');
  } catch {
    throw new PatternError('not a valid regular expression');
  }
}

/** Compiles an operator pattern (unanchored, as Go's MatchString); throws PatternError. */
export function compilePattern(p: string): RegExp {
  checkPattern(p, !linearEngine());
  return build(p);
}

/** The full-match form `^(?:p)$` of a pattern, or undefined when it does not compile. */
export function compileFullMatch(p: string): RegExp | undefined {
  try {
    checkPattern(p, !linearEngine());
    return build(`^(?:${p})$`);
  } catch {
    return undefined;
  }
}
