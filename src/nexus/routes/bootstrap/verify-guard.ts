// Who may call /v1/bootstrap/verify, and is the body valid (as upstream).
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isBootstrap } from '../../../protocol/roles.js';
import { bootstrapVerifyResponse, DecodeError, decodeBootstrapVerifyRequest, VERIFY_PROBE_NONCE_LENGTH } from '../../../protocol/messages.js';

/** A view on decoded bytes (zeroing it zeroes them). */
const asBuffer = (u: Uint8Array | null): Buffer | undefined => (u === null ? undefined : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';

export const NONCE_LENGTH = VERIFY_PROBE_NONCE_LENGTH;

export interface ValidVerify {
  caller: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

export function guardVerify(req: RouteRequest, deps: RouteDeps): GuardResult<ValidVerify> {
  let nonce: Buffer | undefined;
  let ciphertext: Buffer | undefined;
  try {
    const r = decodeBootstrapVerifyRequest(req.body);
    nonce = asBuffer(r.nonce);
    ciphertext = asBuffer(r.ciphertext);
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, bootstrapVerifyResponse.error(API_BAD_REQUEST));
    throw e;
  }
  if (!peerIs(req.peerId, isBootstrap, deps.roots.bootstrap)) {
    deps.log.audit('bootstrap_verify', { caller: req.peerId ?? null, outcome: 'unauthorized' });
    return refuse(401, bootstrapVerifyResponse.error(ACCESS_UNAUTHORIZED));
  }
  if (nonce?.length !== NONCE_LENGTH) return refuse(400, bootstrapVerifyResponse.error(API_BAD_REQUEST));
  const ct = ciphertext ?? Buffer.alloc(0);
  if (ct.length > deps.maxCiphertextSize) return refuse(400, bootstrapVerifyResponse.error(API_BAD_REQUEST));
  return pass({ caller: req.peerId, nonce, ciphertext: ct });
}
