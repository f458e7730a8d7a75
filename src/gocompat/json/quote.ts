// A JSON string literal exactly as Go's json.Marshal writes it: `"` and `\`
// escaped, \b \f \n \r \t short forms, other control characters and the
// HTML-sensitive < > & as \u00XX, U+2028 and U+2029 as \u2028 / \u2029,
// everything else (DEL and non-ASCII included) as is.
//
// A Go string is bytes and may hold invalid UTF-8, which Go writes as
// \ufffd. A JavaScript string is UTF-16 and may hold unpaired surrogates;
// they are the JavaScript counterpart of invalid bytes (text that is not
// Unicode) and are written as \ufffd too.

const HEX = '0123456789abcdef';

function u00(c: number): string {
  return `\\u00${HEX[c >> 4] as string}${HEX[c & 0xf] as string}`;
}

const SHORT: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
};

/** Go's json.Marshal of a string (HTML-safe escaping), as text. */
export function goQuote(s: string): string {
  let out = '"';
  let run = 0; // start of the current run of characters written as they are
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      esc = SHORT[c] ?? u00(c);
    } else if (c === 0x2028 || c === 0x2029) {
      esc = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    } else {
      continue;
    }
    out += s.slice(run, i) + esc;
    run = i + 1;
  }
  return `${out}${s.slice(run)}"`;
}
