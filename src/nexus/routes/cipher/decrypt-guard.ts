// Is a decrypt request valid, and may its caller decrypt (upstream
// guardCipherDecryptRequest and its readers)? Unlike encrypt, the caller is
// authorized before the body is looked at (401, the route's Unauthorized
// body). JSON mode then decodes `{"version","nonce","ciphertext","algorithm"}`
// (malformed → 400 BadRequest body). Stream mode splits the body into
// version byte, nonce and ciphertext; a body too short for the version byte
// or the nonce, or another version than 1, is answered as Go's http.Error
// (400 text/plain `crypto_failed_to_read_version`, `crypto_unsupported_version`,
// `crypto_failed_to_read_nonce`). Both modes then check the version (1), the
// nonce (12 bytes) and the ciphertext size (≤ SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE):
// 400 with the BadRequest body. `algorithm` is read and ignored, as upstream.
import { cipherDecryptRequest } from '../../../protocol/messages.js';
import { CIPHER_FORMAT_VERSION, CIPHER_NONCE_BYTES } from '../../../protocol/cipher-format.js';
import { splitStream } from '../../cipher/format.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { cipherCaller } from './authorize.js';
import { textError } from './replies.js';

export interface ValidDecrypt {
  caller: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export async function guardDecrypt(req: RouteRequest, deps: RouteDeps, stream: boolean): Promise<GuardResult<ValidDecrypt>> {
  const caller = await cipherCaller(req.peerId, deps);
  if (caller === undefined) return unauthorized('cipherDecrypt', 'cipher_decrypt', deps, req.peerId, {});
  let version: number;
  let nonce: Uint8Array;
  let ciphertext: Uint8Array;
  if (stream) {
    const parts = splitStream(req.body ?? Buffer.alloc(0));
    if (!parts.ok) {
      deps.log.audit('cipher_decrypt', { caller, outcome: 'bad_stream', reason: parts.code });
      return { ok: false, reply: textError(400, parts.code) };
    }
    ({ version, nonce, ciphertext } = parts);
  } else {
    const d = decodeBody('cipherDecrypt', (b) => cipherDecryptRequest.decode(b), req.body);
    if (!d.ok) return d;
    version = d.value.version;
    nonce = d.value.nonce ?? new Uint8Array(0);
    ciphertext = d.value.ciphertext ?? new Uint8Array(0);
  }
  const bad = (reason: string): GuardResult<never> => {
    deps.log.audit('cipher_decrypt', { caller, outcome: 'bad_request', reason });
    return badRequest('cipherDecrypt');
  };
  if (version !== CIPHER_FORMAT_VERSION) return bad('unsupported_version');
  if (nonce.length !== CIPHER_NONCE_BYTES) return bad('nonce_size');
  if (ciphertext.length > deps.maxCiphertextSize) return bad('too_large');
  return pass({ caller, nonce, ciphertext });
}
