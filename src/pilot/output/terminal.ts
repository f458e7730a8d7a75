// Keeping control characters of secret values away from a terminal
// (docs/cli.md § spike secret get): a stored value can hold escape sequences
// that would recolour, retitle or rewrite the operator's screen. On a
// terminal `spike secret get` shows such values escaped; in a pipe or file
// the bytes stay exact.
//
// Control characters: C0 (U+0000–U+001F, line feed and tab included), DEL
// (U+007F) and C1 (U+0080–U+009F). Their escapes are those of Go's
// strconv.Quote (`%q`): \a \b \f \n \r \t \v, `\x1b` for the other C0 and
// DEL, `\u009b` for C1. Other characters are left as they are.

/* eslint-disable no-control-regex -- matching control characters is what this module is for */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const C1_AND_DEL = /[\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

const SHORT: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Whether `s` holds a control character. */
export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/** Go's escape of one control character. */
function escapeControl(c: string): string {
  const short = SHORT[c];
  if (short !== undefined) return short;
  const n = c.charCodeAt(0);
  return n < 0x80 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `s` in double quotes with `\`, `"` and every control character escaped as Go's %q does. */
export function quoteControls(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(CONTROLS, escapeControl)}"`;
}

/** `s` as is when it has no control character, else quoteControls(s). */
export function safeForTerminal(s: string): string {
  return hasControl(s) ? quoteControls(s) : s;
}

/** Rendered text (YAML) with every control character but the line feed escaped. */
export function escapeControlsKeepingLines(text: string): string {
  return text.replace(CONTROLS_BUT_LF, escapeControl);
}

/**
 * JSON text with DEL and C1 written as `\u00XX` (Go's encoding/json leaves
 * them raw; C0 is already escaped). The document means the same.
 */
export function escapeJsonControls(text: string): string {
  return text.replace(C1_AND_DEL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
