// UTF-8 to a JavaScript string the way Go decodes it: every byte that does
// not start a valid sequence becomes one U+FFFD (utf8.DecodeRune returns
// RuneError with width 1). The WHATWG decoder behind TextDecoder replaces a
// whole truncated sequence with one U+FFFD instead, so it is used only for
// input that is valid UTF-8.

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The Go string `string(bytes[start:end])` as JavaScript sees its runes (invalid bytes → U+FFFD each). */
export function decodeGoUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const part = bytes.subarray(start, end);
  try {
    return strict.decode(part);
  } catch {
    return decodeByRune(part);
  }
}

/** Width of the valid UTF-8 sequence starting at `i`, or 0 (Go's first-byte table and accept ranges). */
function runeWidth(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function decodeByRune(b: Uint8Array): string {
  let out = '';
  let run = 0; // start of the current run of valid sequences
  let i = 0;
  while (i < b.length) {
    const w = runeWidth(b, i);
    if (w > 0) {
      i += w;
      continue;
    }
    out += strict.decode(b.subarray(run, i)) + '\ufffd';
    i++;
    run = i;
  }
  return out + strict.decode(b.subarray(run, i));
}
