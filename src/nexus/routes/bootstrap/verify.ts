// /v1/bootstrap/verify: Bootstrap proves Nexus rebuilt the root key it made.
// Bootstrap seals 64 random hex characters with the root key (AES-256-GCM,
// 12-byte nonce, 16-byte tag appended, no AAD); Nexus answers
// {"hash": hex(sha256(plaintext))}. Unlike upstream this is not a general
// decryption service (docs/design.md § Bootstrap): a caller past the guard
// is rate-limited; the probe is opened only while the verify window is open
// (verify-window.ts), only when its ciphertext has the probe's length, and
// answered only when the plaintext has the probe's shape. Refusals are
// 400 api_bad_request (upstream's answer to a bad request) with no hash;
// a ciphertext the key does not open is 500 as upstream.
import { createDecipheriv, createHash } from 'node:crypto';
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import {
  bootstrapVerifyResponse,
  encodeBootstrapVerifyResponse,
  isVerifyProbePlaintext,
  VERIFY_PROBE_CIPHERTEXT_LENGTH,
  VERIFY_PROBE_TAG_LENGTH,
} from '../../../protocol/messages.js';
import { RateLimiter, type RateLimitOptions } from '../../restore/rate-limit.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardVerify, type ValidVerify } from './verify-guard.js';
import { VerifyWindow } from './verify-window.js';

/** Per caller: a burst of 5, then one call every 12 s (5 a minute). */
export const VERIFY_RATE_LIMIT: RateLimitOptions = { capacity: 5, refillMs: 12_000 };

/** AES-256-GCM open; undefined when authentication fails. The caller zeroes the result. */
export function openGcm(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < VERIFY_PROBE_TAG_LENGTH) return undefined;
  const body = sealed.subarray(0, sealed.length - VERIFY_PROBE_TAG_LENGTH);
  const out = Buffer.alloc(body.length);
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: VERIFY_PROBE_TAG_LENGTH });
    d.setAuthTag(sealed.subarray(sealed.length - VERIFY_PROBE_TAG_LENGTH));
    const part = d.update(body);
    part.copy(out);
    part.fill(0);
    d.final();
    return out;
  } catch {
    out.fill(0);
    return undefined;
  }
}

export interface VerifyRouteOptions {
  rate?: RateLimitOptions;
  /** The clock of the window and the rate limit (tests). */
  now?: () => number;
}

const refusal = (status: number, err: string, headers?: Record<string, string>): Reply => ({
  status,
  body: bootstrapVerifyResponse.error(err),
  ...(headers ? { headers } : {}),
});

export function makeVerifyHandler(deps: RouteDeps, opts: VerifyRouteOptions = {}): (v: ValidVerify) => Promise<Reply> {
  const now = opts.now ?? Date.now;
  const limiter = new RateLimiter({ ...(opts.rate ?? VERIFY_RATE_LIMIT), now });
  const window = new VerifyWindow(() => deps.state.installed(), now);
  const storeHoldsSecrets = async (): Promise<boolean> => ((await deps.state.store()?.listSecretPaths())?.length ?? 0) > 0;
  return async (v) => {
    const audit = (outcome: string, extra: Record<string, unknown> = {}): void =>
      deps.log.audit('bootstrap_verify', { caller: v.caller, outcome, ...extra });
    const limited = limiter.tryTake(v.caller);
    if (!limited.ok) {
      const retryAfter = Math.max(1, Math.ceil(limited.retryAfterMs / 1000));
      audit('rate_limited', { retryAfterMs: limited.retryAfterMs });
      return refusal(429, API_BAD_REQUEST, { 'retry-after': String(retryAfter) });
    }
    const repeatBefore = window.repeatOf(v.nonce, v.ciphertext);
    if (repeatBefore !== undefined) {
      audit('ok_repeat');
      return { status: 200, body: encodeBootstrapVerifyResponse(repeatBefore) };
    }
    const before = window.keyState();
    if (!before.open) {
      audit('refused', { reason: before.reason });
      return refusal(400, API_BAD_REQUEST);
    }
    const holds = await storeHoldsSecrets();
    // Nothing is awaited from here to window.answered(): of two probes that
    // waited for the store together, only one is answered per install.
    const repeat = window.repeatOf(v.nonce, v.ciphertext);
    if (repeat !== undefined) {
      audit('ok_repeat');
      return { status: 200, body: encodeBootstrapVerifyResponse(repeat) };
    }
    const w = window.state(holds);
    if (!w.open) {
      audit('refused', { reason: w.reason });
      return refusal(400, API_BAD_REQUEST);
    }
    if (v.ciphertext.length !== VERIFY_PROBE_CIPHERTEXT_LENGTH) {
      audit('refused', { reason: 'not_a_probe' });
      return refusal(400, API_BAD_REQUEST);
    }
    const plain = deps.state.rootKey.use((k) => openGcm(k, v.nonce, v.ciphertext));
    if (plain === undefined) {
      audit('decrypt_failed');
      return refusal(500, API_INTERNAL_ERROR);
    }
    try {
      if (!isVerifyProbePlaintext(plain)) {
        audit('refused', { reason: 'not_a_probe' });
        return refusal(400, API_BAD_REQUEST);
      }
      const hash = createHash('sha256').update(plain).digest('hex');
      window.answered(v.nonce, v.ciphertext, hash);
      audit('ok');
      return { status: 200, body: encodeBootstrapVerifyResponse(hash) };
    } finally {
      plain.fill(0);
    }
  };
}

export function verifyRoute(deps: RouteDeps, opts: VerifyRouteOptions = {}): NexusRoute {
  const handle = makeVerifyHandler(deps, opts);
  return {
    name: 'bootstrapVerify',
    badRequest: () => bootstrapVerifyResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = guardVerify(req, deps);
      return g.ok ? handle(g.value) : g.reply;
    },
  };
}
