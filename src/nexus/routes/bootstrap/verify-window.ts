// When Nexus answers Bootstrap's verify probe at all (docs/design.md
// § Bootstrap). Upstream answers any nonce+ciphertext, forever: with the
// bootstrap certificate and a copy of spike.db that is a decryption oracle
// for every stored row. Ours is open only while a bootstrap can be under way:
//   - the live root key was rebuilt from the Keepers (not restored),
//   - less than VERIFY_WINDOW_MS ago,
//   - no probe was answered since (one answer per install; the same probe
//     sent again gets the same answer),
//   - and the store holds no secret (not even a deleted one).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { InstallRecord } from '../../state/nexus-state.js';

/** How long after the key was rebuilt from the Keepers a probe is answered. */
export const VERIFY_WINDOW_MS = 10 * 60_000;

export type WindowState =
  | { readonly open: true }
  | { readonly open: false; readonly reason: 'not_from_keepers' | 'expired' | 'already_verified' | 'store_holds_secrets' };

/** The probe answered for the current install: the same request gets the same answer. */
interface Answered {
  readonly install: InstallRecord;
  readonly request: Buffer;
  readonly hash: string;
}

/** Identifies a request without keeping it: SHA-256(nonce ‖ ciphertext). */
function requestDigest(nonce: Uint8Array, ciphertext: Uint8Array): Buffer {
  return createHash('sha256').update(nonce).update(ciphertext).digest();
}

export class VerifyWindow {
  #answered: Answered | undefined;

  constructor(
    private readonly installed: () => InstallRecord | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The earlier answer when this exact probe was answered for the live install, else undefined. */
  repeatOf(nonce: Uint8Array, ciphertext: Uint8Array): string | undefined {
    const a = this.#answered;
    if (a === undefined || a.install !== this.installed()) return undefined;
    if (this.now() - a.install.atMs >= VERIFY_WINDOW_MS) return undefined;
    return timingSafeEqual(a.request, requestDigest(nonce, ciphertext)) ? a.hash : undefined;
  }

  /** Every condition but the store's: whether asking the store is worth it. */
  keyState(): WindowState {
    const inst = this.installed();
    if (inst?.source !== 'keepers') return { open: false, reason: 'not_from_keepers' };
    const age = this.now() - inst.atMs;
    if (age >= VERIFY_WINDOW_MS || age < 0) return { open: false, reason: 'expired' };
    if (this.#answered?.install === inst) return { open: false, reason: 'already_verified' };
    return { open: true };
  }

  /** `storeHoldsSecrets`: the store's answer, asked after keyState() was open. */
  state(storeHoldsSecrets: boolean): WindowState {
    const k = this.keyState();
    if (!k.open) return k;
    if (storeHoldsSecrets) return { open: false, reason: 'store_holds_secrets' };
    return { open: true };
  }

  /** Closes the window for the live install, remembering this probe and its answer. */
  answered(nonce: Uint8Array, ciphertext: Uint8Array, hash: string): void {
    const inst = this.installed();
    if (inst !== undefined) this.#answered = { install: inst, request: requestDigest(nonce, ciphertext), hash };
  }
}
