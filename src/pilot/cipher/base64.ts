// Base64 flags as Go's base64.StdEncoding.DecodeString reads them: the
// standard alphabet with padding; line breaks (\r, \n) are skipped.
const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or undefined when `text` is not standard padded base64. */
export function decodeStdBase64(text: string): Buffer | undefined {
  const s = text.replace(/[\r\n]/g, '');
  return STD.test(s) ? Buffer.from(s, 'base64') : undefined;
}
