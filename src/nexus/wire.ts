// The operator and bootstrap routes' codecs, thin adapters over
// src/protocol/messages.ts (secret and policy routes use messages.ts directly) (Go encoding/json semantics: case-insensitive
// keys with the last match winning, `1.0` is not an int, `[32]byte` arrays
// zero-padded/truncated, padded base64 `[]byte`, sorted map keys, HTML-safe
// escaping). Decoders throw WireDecodeError (= messages' DecodeError) → 400.
import {
  bootstrapVerifyResponse,
  decodeBootstrapVerifyRequest,
  decodeRestoreRequest as decodeRestore,
  DecodeError,
  encodeErrorOnly,
  encodeRecoverResponse as encodeRecover,
  recoverRequest,
  recoverResponse,
  restoreResponse,
} from '../protocol/messages.js';

export { DecodeError as WireDecodeError };

/** A view on the same memory (zeroing it zeroes the decoded bytes). */
function asBuffer(u: Uint8Array | null): Buffer | undefined {
  return u === null ? undefined : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Generic envelope (Fallback, NotReady): `{"err":"<code>"}`. */
export const encodeErr = (code: string): Buffer => encodeErrorOnly(code);

// ---- operator recover -------------------------------------------------------

/** reqres.RecoverRequest: any JSON object or `null`; empty or non-object bodies are refused. */
export function decodeRecoverRequest(body: Uint8Array | undefined): void {
  recoverRequest.decode(body);
}

/** `{"shards":{"1":[…],…}}` (keys sorted as strings); the caller zeroes the Buffer after sending. */
export const encodeRecoverResponse = (shards: readonly { id: number; value: Uint8Array }[]): Buffer => encodeRecover(shards);

/** `{"shards":null,"err":…}` */
export const encodeRecoverError = (code: string): Buffer => recoverResponse.error(code);

// ---- operator restore --------------------------------------------------------

export interface RestoreRequest {
  id: number;
  /** 32 bytes, or undefined for null/absent. Caller zeroes. */
  shard: Buffer | undefined;
}

export function decodeRestoreRequest(body: Uint8Array | undefined): RestoreRequest {
  const r = decodeRestore(body);
  return { id: r.id, shard: asBuffer(r.shard) };
}

export interface RestoreStatus {
  collected: number;
  remaining: number;
  restored: boolean;
}

export const encodeRestoreResponse = (s: RestoreStatus, err = ''): Buffer => restoreResponse.encode({ ...s, err });

// ---- bootstrap verify ----------------------------------------------------------

export interface VerifyRequest {
  nonce: Buffer | undefined;
  ciphertext: Buffer | undefined;
}

export function decodeVerifyRequest(body: Uint8Array | undefined): VerifyRequest {
  const r = decodeBootstrapVerifyRequest(body);
  return { nonce: asBuffer(r.nonce), ciphertext: asBuffer(r.ciphertext) };
}

export const encodeVerifyResponse = (hash: string, err = ''): Buffer => bootstrapVerifyResponse.encode({ hash, err });
