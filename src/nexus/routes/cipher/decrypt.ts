// POST /v1/cipher/decrypt (upstream route/cipher decrypt.go, handle.go):
// opens the ciphertext with Nexus's key (during a root-key rotation the old
// key too: src/nexus/cipher/keys.ts). JSON mode → 200 `{"plaintext":b64}`,
// and a ciphertext that does not open (wrong key, changed or cut bytes) →
// 500 with the Internal body, as upstream. Stream mode → 200
// application/octet-stream with the plaintext, or 400 text `decryption
// failed`, as upstream. No key → 500 (JSON: Internal body; stream: text
// `crypto_cipher_not_available`). The plaintext is zeroed once sent.
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import { cipherDecryptResponse, errorBodyFor } from '../../../protocol/messages.js';
import { CIPHER_STREAM_CONTENT_TYPE } from '../../../protocol/cipher-format.js';
import type { CipherKeys } from '../../cipher/keys.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardDecrypt, type ValidDecrypt } from './decrypt-guard.js';
import { octetReply, textError } from './replies.js';

export function handleDecrypt(v: ValidDecrypt, deps: RouteDeps, keys: CipherKeys, stream: boolean): Reply {
  const plain = keys.open(v.nonce, v.ciphertext);
  if (plain === 'no_key') {
    deps.log.audit('cipher_decrypt', { caller: v.caller, outcome: 'no_key' });
    return stream ? textError(500, 'crypto_cipher_not_available') : { status: 500, body: errorBodyFor('cipherDecrypt', API_INTERNAL_ERROR) };
  }
  if (plain === 'failed') {
    deps.log.audit('cipher_decrypt', { caller: v.caller, outcome: 'decryption_failed' });
    return stream ? textError(400, 'decryption failed') : { status: 500, body: errorBodyFor('cipherDecrypt', API_INTERNAL_ERROR) };
  }
  deps.log.audit('cipher_decrypt', { caller: v.caller, outcome: 'ok', mode: stream ? 'stream' : 'json' });
  if (stream) return octetReply(plain, true);
  try {
    return { status: 200, body: cipherDecryptResponse.encode({ plaintext: plain, err: '' }), secret: true };
  } finally {
    plain.fill(0);
  }
}

export function decryptRoute(deps: RouteDeps, keys: CipherKeys): NexusRoute {
  return {
    name: 'cipherDecrypt',
    badRequest: () => cipherDecryptResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const stream = req.contentType === CIPHER_STREAM_CONTENT_TYPE;
      const g = await guardDecrypt(req, deps, stream);
      return g.ok ? handleDecrypt(g.value, deps, keys, stream) : g.reply;
    },
  };
}
