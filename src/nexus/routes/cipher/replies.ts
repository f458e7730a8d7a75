// The answers of the cipher routes that are not a route's JSON struct:
// Go's http.Error (stream mode's read and decryption failures) and the
// octet-stream success bodies.
import type { Reply } from '../route.js';
import { CIPHER_STREAM_CONTENT_TYPE } from '../../../protocol/cipher-format.js';

/** Go http.Error(w, text, status): text/plain, nosniff, the text and a newline. */
export function textError(status: number, text: string): Reply {
  return {
    status,
    body: `${text}\n`,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  };
}

/** A 200 application/octet-stream answer; `secret` when it holds plaintext (the app zeroes it once written). */
export function octetReply(body: Buffer, secret: boolean): Reply {
  return { status: 200, body, secret, headers: { 'content-type': CIPHER_STREAM_CONTENT_TYPE } };
}
