// Quoting outside input (an environment value, a name from a file, an ID from
// a request) inside a one-line error or log message. A library: it imports
// nothing from the project, never prints, never exits.
//
// JSON.stringify alone is not enough: it escapes ", \ and C0 controls (so no
// \n or \r can start a forged line) and, since ES2019, lone surrogates, but
// leaves raw
//   - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which many
//     terminals, editors and log viewers show as a line break;
//   - DEL (U+007F) and the C1 controls U+0080–U+009F (U+0085 is NEL, a line
//     break; U+009B is CSI, an escape sequence on some terminals);
//   - the Unicode Bidi_Control characters (U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069), which reorder what a reader sees
//     ("Trojan Source", CVE-2021-42574).
// quoteForMessage is JSON.stringify with those written as \uXXXX (lowercase
// hex, as JSON.stringify writes C0 controls), so it still parses back with
// JSON.parse to the input, and equals JSON.stringify for any other input.
// It does not shorten: a caller that cuts long input short does so first.
// escapeForMessage is the same without the surrounding quotes, for a message
// whose established form shows a value bare (a URL in parentheses, a path
// before a colon): what it returns holds no raw control, line-breaking or
// bidi character either.

/** The characters JSON.stringify leaves raw that must not reach a message raw (a character class body). */
const UNSAFE_CLASS = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** Those, and lone surrogates (JSON.stringify already escapes them). */
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]|\\p{Cs}`, 'gu');
/** The C0 controls too: what escapeControlsForMessage must escape, as it does not go through JSON.stringify. */
const UNSAFE_OR_C0 = new RegExp(`[\\u0000-\\u001f${UNSAFE_CLASS}]|\\p{Cs}`, 'gu');

const asEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `s` as a double-quoted JSON string with every line-breaking, control or bidi character escaped: safe inside a one-line message. */
export function quoteForMessage(s: string): string {
  return JSON.stringify(s).replace(UNSAFE, asEscape);
}

/**
 * `s` with only its control, line-breaking and bidi characters written as
 * \uXXXX (quotes and backslashes left as they are): for text that already
 * has its own established form, such as a parser's message that shows the
 * offending input between backquotes, as Go's do.
 */
export function escapeControlsForMessage(s: string): string {
  return s.replace(UNSAFE_OR_C0, asEscape);
}

/**
 * A JSON text (JSON.stringify's output: C0 controls and lone surrogates
 * already escaped) with the characters JSON.stringify leaves raw written as
 * \uXXXX: the same JSON value, safe as one line of a log. They can only occur
 * inside strings, where the escape means the same character.
 */
export function escapeJsonForLog(json: string): string {
  return json.replace(UNSAFE, asEscape);
}

/** quoteForMessage without the surrounding quotes (so `"` and `\` show as `\"` and `\\`): for a value shown bare in a message. */
export function escapeForMessage(s: string): string {
  return quoteForMessage(s).slice(1, -1);
}
