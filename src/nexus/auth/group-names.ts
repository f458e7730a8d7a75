// Go's regexp accepts a capture-group name used twice, as in
// `(?P<n>a)|(?P<n>b)`; RE2 and re2js refuse it ("duplicate capture group
// name"). Names play no part in matching, so such a pattern is compiled with
// every well-formed group name replaced by a unique one. The scan follows Go's
// parser (regexp/syntax parse.go): `\Q…\E` is literal text, a backslash
// escapes the next character, a character class runs to its first `]` that
// is not its first character, skipping `[:name:]` and escapes, and a named
// group opens with `(?P<name>` or `(?<name>` where name is 1+ of [A-Za-z0-9_].
// A malformed name is left alone, so the pattern is still refused as Go
// refuses it.

const NAMED_GROUP = /\(\?P?<[A-Za-z0-9_]+>/y; // sticky: matches only at lastIndex

/** Index just past the character class opening at `start` (a `[`), or the pattern's length when unclosed. */
function classEnd(p: string, start: number): number {
  let j = start + 1;
  if (p[j] === '^') j++;
  let first = true; // a `]` right after `[` or `[^` is a literal
  while (j < p.length && (p[j] !== ']' || first)) {
    first = false;
    if (p[j] === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      if (close >= 0) {
        j = close + 2;
        continue;
      }
    }
    j += p[j] === '\\' ? 2 : 1;
  }
  return Math.min(j + 1, p.length);
}

/** `p` with every well-formed capture-group name replaced by a unique one (`g1`, `g2`, …). */
export function withUniqueGroupNames(p: string): string {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < p.length) {
    let next: number;
    if (p.startsWith('\\Q', i)) {
      const end = p.indexOf('\\E', i + 2);
      next = end < 0 ? p.length : end + 2;
    } else if (p[i] === '\\') {
      next = i + 2;
    } else if (p[i] === '[') {
      next = classEnd(p, i);
    } else {
      NAMED_GROUP.lastIndex = i;
      const named = p[i] === '(' ? NAMED_GROUP.exec(p) : null;
      if (named !== null) {
        count++;
        out += `(?P<g${count}>`;
        i += named[0].length;
        continue;
      }
      next = i + 1;
    }
    out += p.slice(i, next);
    i = next;
  }
  return out;
}
