// /v1/bootstrap/verify: decrypt Bootstrap's probe with the root key
// (AES-256-GCM, 12-byte nonce, 16-byte tag appended, no AAD) and answer
// {"hash": hex(sha256(plaintext))}. Decryption failure → 500 as upstream.
import { createDecipheriv, createHash } from 'node:crypto';
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import { bootstrapVerifyResponse, encodeBootstrapVerifyResponse } from '../../../protocol/messages.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardVerify, type ValidVerify } from './verify-guard.js';

const TAG_LENGTH = 16;

/** AES-256-GCM open; undefined when authentication fails. */
export function openGcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_LENGTH) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), d.final()]);
  } catch {
    return undefined;
  }
}

export function handleVerify(v: ValidVerify, deps: RouteDeps): Reply {
  const plain = deps.state.rootKey.use((k) => openGcm(k, v.nonce, v.ciphertext));
  if (plain === undefined) {
    deps.log.audit('bootstrap_verify', { caller: v.caller, outcome: 'decrypt_failed' });
    return { status: 500, body: bootstrapVerifyResponse.error(API_INTERNAL_ERROR) };
  }
  const hash = createHash('sha256').update(plain).digest('hex');
  plain.fill(0);
  deps.log.audit('bootstrap_verify', { caller: v.caller, outcome: 'ok' });
  return { status: 200, body: encodeBootstrapVerifyResponse(hash) };
}

export function verifyRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'bootstrapVerify',
    badRequest: () => bootstrapVerifyResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = guardVerify(req, deps);
      return g.ok ? handleVerify(g.value, deps) : g.reply;
    },
  };
}
