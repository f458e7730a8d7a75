// The one error src/gocompat/json throws for input Go's encoding/json would
// refuse. Messages name the problem and the byte or field, never a value.
//
// A field's name may hold a map key from the input (`values.<key>`), so it is
// quoted as src/util/quote-for-message.ts quotes outside input (which this
// package may not import): JSON.stringify, plus \uXXXX for what it leaves raw
// (DEL, the C1 controls, U+2028/U+2029, the bidi controls), and cut to
// MAX_FIELD_CHARS characters first, the cut marked with … after the quotes.

/** A JSON document or value that does not decode as the Go type would. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** The longest field name a message shows; longer ones are cut (a map key may be megabytes long). */
export const MAX_FIELD_CHARS = 64;

const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/** `field` quoted for a one-line error message: no raw control, line-breaking or bidi character, at most MAX_FIELD_CHARS of it. */
export function quoteField(field: string): string {
  const cut = field.length > MAX_FIELD_CHARS;
  const quoted = JSON.stringify(cut ? field.slice(0, MAX_FIELD_CHARS) : field).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${quoted}…` : quoted;
}
