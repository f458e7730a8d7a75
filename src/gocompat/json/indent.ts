// Go's json.Indent and json.MarshalIndent (which is Marshal then Indent):
// each element of an object or array on its own line, beginning with
// `prefix` and one `indent` per nesting level; `": "` after keys; empty
// objects and arrays stay `{}` and `[]`; string contents are copied as they
// are. Whitespace before the value and between tokens is dropped, whitespace
// after the value is kept (as Go does).
import { goEncode, type GoJsonWriter } from './encode.js';
import { parseGoJson } from './parse.js';

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * json.Indent(src, prefix, indent) as text. Throws DecodeError when `src`
 * is not one valid JSON value (Go's error). Byte input is read as UTF-8 (an
 * invalid sequence, which Go would copy unchanged, becomes U+FFFD).
 */
export function goIndent(src: Uint8Array | string, prefix: string, indent: string): string {
  parseGoJson(src);
  const text = typeof src === 'string' ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength).toString('utf8');
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1] as string)) end--;
  const newline = (depth: number): string => `\n${prefix}${indent.repeat(depth)}`;
  let out = '';
  let depth = 0;
  let needIndent = false;
  let inString = false;
  for (let i = 0; i < end; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] as string;
      else if (c === '"') inString = false;
      continue;
    }
    if (isSpace(c)) continue;
    if (needIndent && c !== '}' && c !== ']') {
      needIndent = false;
      depth++;
      out += newline(depth);
    }
    switch (c) {
      case '{':
      case '[':
        // Delay the newline so that empty objects and arrays stay {} and [].
        needIndent = true;
        out += c;
        break;
      case ',':
        out += c + newline(depth);
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) needIndent = false;
        else {
          depth--;
          out += newline(depth);
        }
        out += c;
        break;
      case '"':
        inString = true;
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out + text.slice(end);
}

/** json.MarshalIndent of what `build` writes, as text. */
export function goMarshalIndent(build: (w: GoJsonWriter) => void, prefix: string, indent: string): string {
  const compact = goEncode(build);
  try {
    return goIndent(compact, prefix, indent);
  } finally {
    compact.fill(0);
  }
}
