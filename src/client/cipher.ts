// The cipher calls of the SPIKE API (spike-sdk-go api/internal/impl/cipher):
// POST /v1/cipher/encrypt and /v1/cipher/decrypt, in JSON mode
// (`{"plaintext":b64,"algorithm"}` → `{"version","nonce","ciphertext"}`;
// `{"version","nonce","ciphertext","algorithm"}` → `{"plaintext":b64}`) and in
// stream mode (Content-Type: application/octet-stream; the body is the
// plaintext, or `version ‖ nonce ‖ ciphertext`, and so is the answer).
// Values are Buffers the caller owns and should zero; request bodies holding
// a plaintext are zeroed once sent; no value ever appears in an error. A
// non-200 answer is ClientError('status') with the HTTP status and the code
// of its body: the JSON `err`, or the text Go's http.Error wrote in stream
// mode (`crypto_failed_to_read_nonce`, …; `decryption failed` is reported as
// upstream's code for it, `crypto_decryption_failed`).
import { CIPHER_FORMAT_VERSION, CIPHER_NONCE_BYTES, CIPHER_STREAM_CONTENT_TYPE, CIPHER_STREAM_HEADER_BYTES, CIPHER_TAG_BYTES } from '../protocol/cipher-format.js';
import { PATH_CIPHER_DECRYPT, PATH_CIPHER_ENCRYPT, urlFor } from '../protocol/paths.js';
import { cipherDecryptRequest, cipherDecryptResponse, cipherEncryptRequest, cipherEncryptResponse, DecodeError } from '../protocol/messages.js';
import { ClientError } from './errors.js';
import { errCodeOf } from './json.js';
import type { CallOptions, HttpResponse, SpikeHttpClient } from './transport.js';

// The format's constants (shared with Nexus and the Pilot), re-exported as part of this library's API.
export { CIPHER_FORMAT_VERSION, CIPHER_STREAM_CONTENT_TYPE, CIPHER_STREAM_HEADER_BYTES } from '../protocol/cipher-format.js';

/** Upstream's error code for a ciphertext that does not open (stream mode answers the text `decryption failed`). */
export const CRYPTO_DECRYPTION_FAILED = 'crypto_decryption_failed';

export interface CipherEncryptInput {
  /** The caller keeps ownership (it is not zeroed). */
  plaintext: Uint8Array;
  /** An algorithm hint; Nexus ignores it, as upstream. */
  algorithm?: string;
}

export interface CipherSealed {
  /** The cipher format version (1). */
  version: number;
  nonce: Buffer;
  /** Ciphertext with the 16-byte GCM tag appended. */
  ciphertext: Buffer;
}

export interface CipherDecryptInput {
  /** The cipher format version byte (Nexus takes 1). */
  version: number;
  nonce: Uint8Array;
  /** Ciphertext with the 16-byte GCM tag appended. */
  ciphertext: Uint8Array;
  /** An algorithm hint; Nexus ignores it, as upstream. */
  algorithm?: string;
}

const TEXT_CODE = /^([a-z0-9_]{1,128})\n?$/;

/** The code of an error answer: the JSON `err`, else a Go http.Error text (stream mode). */
export function cipherErrorCode(body: Uint8Array): string | undefined {
  const json = errCodeOf(body);
  if (json !== undefined) return json;
  if (body.length > 200) return undefined;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text === 'decryption failed\n') return CRYPTO_DECRYPTION_FAILED;
  return TEXT_CODE.exec(text)?.[1];
}

async function post(client: SpikeHttpClient, url: URL, body: Buffer, what: string, zeroBody: boolean, opts: CallOptions | undefined, contentType?: string): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await client.postJson(url, body, contentType === undefined ? opts : { ...opts, contentType });
  } finally {
    if (zeroBody) body.fill(0);
  }
  if (res.status !== 200) {
    const code = cipherErrorCode(res.body);
    res.body.fill(0);
    throw new ClientError('status', `${what}: ${url.origin} answered ${res.status}${code ? ` (${code})` : ''}`, { status: res.status, code });
  }
  return res;
}

function malformed(what: string, e?: unknown): ClientError {
  const detail = e instanceof DecodeError ? ` (${e.message.split('\n')[0] ?? ''})` : '';
  return new ClientError('decode', `${what}: malformed answer${detail}`);
}

function answerError(what: string, err: string): ClientError {
  const code = /^[a-z0-9_]{1,128}$/.test(err) ? err : undefined;
  return new ClientError('status', `${what}: answer carries error${code ? ` ${code}` : ''}`, { status: 200, code });
}

/** A copy of `u` in a Buffer of its own, the original zeroed. */
function take(u: Uint8Array): Buffer {
  const out = Buffer.from(u);
  u.fill(0);
  return out;
}

/** JSON mode: `POST <nexus>/v1/cipher/encrypt` → version, nonce and ciphertext. */
export async function cipherEncrypt(client: SpikeHttpClient, nexus: URL, input: CipherEncryptInput, opts?: CallOptions): Promise<CipherSealed> {
  const what = 'cipher encrypt';
  const body = cipherEncryptRequest.encode({ plaintext: input.plaintext, algorithm: input.algorithm ?? '' });
  const res = await post(client, urlFor(nexus, PATH_CIPHER_ENCRYPT), body, what, true, opts);
  let v;
  try {
    v = cipherEncryptResponse.decode(res.body);
  } catch (e) {
    throw malformed(what, e);
  } finally {
    res.body.fill(0);
  }
  if (v.err !== '') throw answerError(what, v.err);
  if (v.nonce === null || v.nonce.length !== CIPHER_NONCE_BYTES || v.ciphertext === null || v.ciphertext.length < CIPHER_TAG_BYTES) throw malformed(what);
  return { version: v.version, nonce: Buffer.from(v.nonce), ciphertext: Buffer.from(v.ciphertext) };
}

/** JSON mode: `POST <nexus>/v1/cipher/decrypt` → the plaintext (zero it after use). */
export async function cipherDecrypt(client: SpikeHttpClient, nexus: URL, input: CipherDecryptInput, opts?: CallOptions): Promise<Buffer> {
  const what = 'cipher decrypt';
  if (!Number.isInteger(input.version) || input.version < 0 || input.version > 255) throw new RangeError('version must be a byte (0-255)');
  const body = cipherDecryptRequest.encode({ version: input.version, nonce: input.nonce, ciphertext: input.ciphertext, algorithm: input.algorithm ?? '' });
  const res = await post(client, urlFor(nexus, PATH_CIPHER_DECRYPT), body, what, false, opts);
  let v;
  try {
    v = cipherDecryptResponse.decode(res.body);
  } catch (e) {
    throw malformed(what, e);
  } finally {
    res.body.fill(0);
  }
  if (v.err !== '') {
    v.plaintext?.fill(0);
    throw answerError(what, v.err);
  }
  return v.plaintext === null ? Buffer.alloc(0) : take(v.plaintext);
}

/**
 * Stream mode: `POST <nexus>/v1/cipher/encrypt` with the plaintext as the
 * body → `version ‖ nonce ‖ ciphertext` (checked: version 1, long enough).
 * The caller keeps ownership of `plaintext`.
 */
export async function cipherEncryptStream(client: SpikeHttpClient, nexus: URL, plaintext: Uint8Array, opts?: CallOptions): Promise<Buffer> {
  const what = 'cipher encrypt';
  const body = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const res = await post(client, urlFor(nexus, PATH_CIPHER_ENCRYPT), body, what, false, opts, CIPHER_STREAM_CONTENT_TYPE);
  if (res.body.length < CIPHER_STREAM_HEADER_BYTES + CIPHER_TAG_BYTES || res.body[0] !== CIPHER_FORMAT_VERSION) throw malformed(what);
  return res.body;
}

/** Stream mode: `POST <nexus>/v1/cipher/decrypt` with `version ‖ nonce ‖ ciphertext` → the plaintext (zero it after use). */
export async function cipherDecryptStream(client: SpikeHttpClient, nexus: URL, sealed: Uint8Array, opts?: CallOptions): Promise<Buffer> {
  const body = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const res = await post(client, urlFor(nexus, PATH_CIPHER_DECRYPT), body, 'cipher decrypt', false, opts, CIPHER_STREAM_CONTENT_TYPE);
  return res.body;
}

/** `version ‖ nonce ‖ ciphertext`, the stream form of a JSON-mode answer. */
export function cipherStreamOf(s: CipherSealed): Buffer {
  return Buffer.concat([Buffer.of(s.version), s.nonce, s.ciphertext]);
}
