// Base64 as Go's encoding/base64 StdEncoding.DecodeString reads it: the
// standard alphabet (`+`, `/`) with `=` padding, required; `\r` and `\n`
// anywhere are skipped; anything else (a missing or misplaced `=`, the URL
// alphabet, spaces) is refused. The one check behind Go-JSON `[]byte` fields
// (json/decode.ts), YAML `!!binary` scalars and the Pilot's base64 flags.

const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The decoded bytes, in a Buffer of their own (never a slice of Node's shared
 * pool, so the caller can zero it), or undefined when Go would refuse `text`.
 */
export function decodeStdBase64(text: string): Buffer | undefined {
  const s = text.replace(/[\r\n]/g, '');
  if (!STD.test(s)) return undefined;
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = Buffer.alloc((s.length / 4) * 3 - padding);
  out.write(s, 'base64');
  return out;
}
