// Is an encrypt request valid, and may its caller encrypt (upstream
// guardCipherEncryptRequest and its readers)? Both modes read the body
// first — JSON `{"plaintext":b64,"algorithm":…}`, or the raw body as the
// plaintext in stream mode — then authorize (401 with the route's
// Unauthorized body), then cap the plaintext (400 BadRequest body). The cap
// is the ciphertext cap less the GCM tag (docs/design.md § Cipher).
// `algorithm` is read and ignored, as upstream.
import { cipherEncryptRequest } from '../../../protocol/messages.js';
import { maxPlaintextSize } from '../../../protocol/cipher-format.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { cipherCaller } from './authorize.js';

export interface ValidEncrypt {
  caller: string;
  /** The plaintext: a view on the request body (stream) or a decoded copy (JSON; the handler zeroes it). */
  plaintext: Uint8Array;
  /** True when `plaintext` is a decoded copy of the handler's to zero. */
  owned: boolean;
}

export async function guardEncrypt(req: RouteRequest, deps: RouteDeps, stream: boolean): Promise<GuardResult<ValidEncrypt>> {
  let plaintext: Uint8Array;
  let owned = false;
  if (stream) {
    plaintext = req.body ?? new Uint8Array(0);
  } else {
    const d = decodeBody('cipherEncrypt', (b) => cipherEncryptRequest.decode(b), req.body);
    if (!d.ok) return d;
    plaintext = d.value.plaintext ?? new Uint8Array(0);
    owned = d.value.plaintext !== null;
  }
  const refuse = (g: GuardResult<never>): GuardResult<never> => {
    if (owned) plaintext.fill(0);
    return g;
  };
  const caller = await cipherCaller(req.peerId, deps);
  if (caller === undefined) return refuse(unauthorized('cipherEncrypt', 'cipher_encrypt', deps, req.peerId, {}));
  if (plaintext.length > maxPlaintextSize(deps.maxCiphertextSize)) {
    deps.log.audit('cipher_encrypt', { caller, outcome: 'too_large' });
    return refuse(badRequest('cipherEncrypt'));
  }
  return pass({ caller, plaintext, owned });
}
