// Go's string order: byte-wise on UTF-8, which is how json.Marshal sorts map
// keys. It differs from JavaScript's default sort (UTF-16 code units) for
// characters above U+FFFF against U+E000..U+FFFF.

/** Compares as Go compares the UTF-8 bytes of a and b; an unpaired surrogate sorts like the invalid byte 0xFF. */
export function compareGoStrings(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = orderKey(a, i);
    const y = orderKey(b, j);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff && x !== LONE ? 2 : 1;
    j += y > 0xffff && y !== LONE ? 2 : 1;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA < restB ? -1 : 1;
}

/** Above every code point: UTF-8 lead bytes stop at 0xF4, an invalid byte 0xFF sorts after them all. */
const LONE = 0x110000;

/** The code point at i (UTF-8 preserves code point order), or LONE for an unpaired surrogate. */
function orderKey(s: string, i: number): number {
  const cp = s.codePointAt(i) as number;
  return cp >= 0xd800 && cp <= 0xdfff ? LONE : cp;
}
