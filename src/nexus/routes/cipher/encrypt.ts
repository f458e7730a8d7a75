// POST /v1/cipher/encrypt (upstream route/cipher encrypt.go, handle.go):
// seals the plaintext with Nexus's key (src/nexus/cipher/keys.ts) under a
// fresh nonce. JSON mode → 200 `{"version":1,"nonce":b64,"ciphertext":b64}`;
// stream mode (Content-Type: application/octet-stream) → 200
// application/octet-stream `0x01 ‖ nonce ‖ ciphertext`. No key → 500 (JSON:
// the Internal body; stream: text `crypto_cipher_not_available`), as
// upstream's nil cipher.
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import { cipherEncryptResponse, errorBodyFor } from '../../../protocol/messages.js';
import { CIPHER_FORMAT_VERSION, CIPHER_STREAM_CONTENT_TYPE } from '../../../protocol/cipher-format.js';
import type { CipherKeys } from '../../cipher/keys.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardEncrypt, type ValidEncrypt } from './encrypt-guard.js';
import { octetReply, textError } from './replies.js';

export function handleEncrypt(v: ValidEncrypt, deps: RouteDeps, keys: CipherKeys, stream: boolean): Reply {
  let sealed;
  try {
    sealed = keys.seal(v.plaintext);
  } finally {
    if (v.owned) v.plaintext.fill(0);
  }
  if (sealed === undefined) {
    deps.log.audit('cipher_encrypt', { caller: v.caller, outcome: 'no_key' });
    return stream ? textError(500, 'crypto_cipher_not_available') : { status: 500, body: errorBodyFor('cipherEncrypt', API_INTERNAL_ERROR) };
  }
  deps.log.audit('cipher_encrypt', { caller: v.caller, outcome: 'ok', mode: stream ? 'stream' : 'json' });
  if (stream) return octetReply(Buffer.concat([Buffer.of(CIPHER_FORMAT_VERSION), sealed.nonce, sealed.ciphertext]), false);
  return { status: 200, body: cipherEncryptResponse.encode({ version: CIPHER_FORMAT_VERSION, nonce: sealed.nonce, ciphertext: sealed.ciphertext, err: '' }) };
}

export function encryptRoute(deps: RouteDeps, keys: CipherKeys): NexusRoute {
  return {
    name: 'cipherEncrypt',
    badRequest: () => cipherEncryptResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const stream = req.contentType === CIPHER_STREAM_CONTENT_TYPE;
      const g = await guardEncrypt(req, deps, stream);
      return g.ok ? handleEncrypt(g.value, deps, keys, stream) : g.reply;
    },
  };
}
