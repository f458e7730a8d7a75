// Policy patterns: Go regular expressions written by operators, compiled and
// matched with re2js, a port of RE2 with Go's regexp syntax and semantics
// (upstream compiles them with Go's regexp.Compile and matches with
// MatchString). Everything Go accepts is accepted — flags `(?i)` `(?s)` `(?m)`
// `(?U)` also mid-pattern, `\z`, `\A`, `(?P<name>…)`, `(?<name>…)`, `\pL`,
// `\p{Greek}`, `[[:alpha:]]`, `\Q…\E`, `\x{1F600}` — and what Go refuses
// (back-references, lookaround, possessive quantifiers, `\Z`, a bare `*`)
// is refused with Go's error text. Matching is unanchored unless the
// pattern anchors; `.` and classes match whole code points as Go matches
// runes. RE2 runs in time linear in the input: no pattern can stall Nexus.
//
// Differences from calling re2js directly, each making us answer as Go does:
// - Go accepts a group name used twice; re2js refuses it (group-names.ts).
// - A JavaScript string may hold an unpaired surrogate (JSON.parse keeps
//   `"\ud800"`); Go's JSON decoder turns it into U+FFFD, so we do the same to
//   inputs and patterns before matching.
// Our own rules on top of Go's: a pattern is at most MAX_PATTERN_LENGTH
// characters and not empty (upstream's validation refuses empty ones too).
//
// Compiled patterns are kept in a cache keyed by pattern text, bounded by
// entry count and total program size.
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { BoundedCache } from './bounded-cache.js';
import { withUniqueGroupNames } from './group-names.js';
import { escapeControlsForMessage, quoteForMessage } from '../../util/quote-for-message.js';

/** Path patterns are further capped at 500 by validation; SPIFFE ID patterns at 2048 (an ID's own limit). */
export const MAX_PATTERN_LENGTH = 2048;
/** At most this many compiled patterns (and refusals) are cached… */
export const PATTERN_CACHE_ENTRIES = 1024;
/** …holding at most this many RE2 instructions in all (one large pattern compiles to ~300k). */
export const PATTERN_CACHE_INSTRUCTIONS = 1_000_000;

/** Longest pattern excerpt an error message quotes. */
const QUOTE_LIMIT = 120;

/** A pattern Go's regexp (or our length rule) refuses. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
  constructor(
    /** The refused pattern. */
    readonly pattern: string,
    /** Why, in Go's words when Go refuses it (`error parsing regexp: …`). */
    readonly reason: string,
    /** What the pattern is, for the message: "pattern", "path pattern", "SPIFFE ID pattern". */
    readonly what = 'pattern',
  ) {
    // The reason quotes the offending text as Go's does (between backquotes, raw): its controls are escaped.
    super(`invalid ${what} ${quotePattern(pattern)}: ${escapeControlsForMessage(reason)}`);
  }
}

function quotePattern(p: string): string {
  return quoteForMessage(p.length > QUOTE_LIMIT ? `${p.slice(0, QUOTE_LIMIT)}…` : p);
}

/** A compiled pattern. */
export interface Pattern {
  /** The text it was compiled from. */
  readonly source: string;
  /** Go's MatchString: whether the pattern matches anywhere in `input` (unless it anchors). */
  test(input: string): boolean;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/gu; // with the u flag, only unpaired surrogates are code points in Cs

/** `s` as Go sees it after decoding JSON: unpaired surrogates become U+FFFD. */
function asGoString(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

class GoPattern implements Pattern {
  constructor(
    readonly source: string,
    private readonly re: RE2JS,
  ) {}

  test(input: string): boolean {
    return this.re.test(asGoString(input));
  }
}

const cache = new BoundedCache<GoPattern | PatternError>(PATTERN_CACHE_ENTRIES, PATTERN_CACHE_INSTRUCTIONS);

function isDuplicateName(e: unknown): boolean {
  return e instanceof RE2JSSyntaxException && e.error === 'duplicate capture group name';
}

function reasonOf(e: unknown): string {
  if (e instanceof RE2JSSyntaxException) return e.message;
  return `does not compile (${e instanceof Error ? e.message : String(e)})`;
}

/** Compiles Go regexp text (no length rule); throws PatternError. Cached. */
function compileGo(text: string): GoPattern {
  const hit = cache.get(text);
  if (hit instanceof PatternError) throw hit;
  if (hit !== undefined) return hit;
  const goText = asGoString(text);
  let re: RE2JS;
  try {
    try {
      re = RE2JS.compile(goText);
    } catch (e) {
      if (!isDuplicateName(e)) throw e;
      re = RE2JS.compile(withUniqueGroupNames(goText));
    }
  } catch (e) {
    const err = new PatternError(text, reasonOf(e));
    cache.set(text, err, 1);
    throw err;
  }
  const compiled = new GoPattern(text, re);
  cache.set(text, compiled, re.programSize());
  return compiled;
}

function checkLength(p: string): void {
  if (p.length === 0) throw new PatternError(p, 'empty pattern');
  if (p.length > MAX_PATTERN_LENGTH) throw new PatternError(p, `longer than ${MAX_PATTERN_LENGTH} characters`);
}

/** Compiles an operator pattern as Go's regexp.Compile does; throws PatternError. */
export function compilePattern(p: string): Pattern {
  checkLength(p);
  return compileGo(p);
}

/**
 * The full-match form `^(?:p)$` of a pattern (upstream reserved.go
 * asFullMatch builds the same text), or undefined when it does not compile.
 */
export function compileFullMatch(p: string): Pattern | undefined {
  try {
    checkLength(p);
    return compileGo(`^(?:${p})$`);
  } catch (e) {
    if (e instanceof PatternError) return undefined;
    throw e;
  }
}

/** Empties the compiled-pattern cache (tests). */
export function clearPatternCache(): void {
  cache.clear();
}

/** Entries and instructions held by the compiled-pattern cache (tests, diagnostics). */
export function patternCacheUsage(): { entries: number; instructions: number } {
  return { entries: cache.size, instructions: cache.weight };
}
