// Request decoding and response encoding for the Nexus routes built here,
// with Go encoding/json semantics (upstream-recovery.md §4.2,
// upstream-secrets-policy.md §2.2): case-insensitive keys (last match wins),
// unknown keys ignored, top-level `null` = empty request, `[32]byte` as an
// array of numbers (null → null, shorter zero-padded, longer truncated),
// `[]byte` as padded standard base64, maps with sorted keys, compact output
// with Go's HTML escaping.
//
// NOTE: src/protocol/messages.ts (owned by the protocol engineer) is meant to
// provide these codecs for every route; it did not exist while this was
// written. Replace these functions with it when it lands. Known deviation
// from Go until then: numbers written as 1.0 or 1e2 are accepted as integers.

export class WireDecodeError extends Error {
  override readonly name = 'WireDecodeError';
}

type JsonObject = Record<string, unknown>;

/** Parses a request body as a JSON object (Go: Unmarshal into a struct). */
export function decodeObject(body: Uint8Array | undefined): JsonObject {
  if (body === undefined || body.length === 0) throw new WireDecodeError('empty body');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw new WireDecodeError('malformed JSON');
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new WireDecodeError('body is not a JSON object');
  return v as JsonObject;
}

/** Go's case-insensitive field lookup: the last key that folds to `name` wins. */
export function field(o: JsonObject, name: string): unknown {
  const want = name.toLowerCase();
  let found: unknown = undefined;
  for (const k of Object.keys(o)) if (k.toLowerCase() === want) found = o[k];
  return found;
}

/** Go `int`: absent/null → 0; a non-integer or out-of-range number → error. */
export function decodeInt(v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new WireDecodeError(`${name} must be an integer`);
  if (!Number.isSafeInteger(v)) throw new WireDecodeError(`${name} out of range`);
  return v;
}

/** Go `string`: absent/null → "". */
export function decodeString(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new WireDecodeError(`${name} must be a string`);
  return v;
}

/** Go `*[32]byte`: null/absent → undefined; array of integers 0..255, zero-padded/truncated to 32. */
export function decodeByteArray32(v: unknown, name: string): Buffer | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new WireDecodeError(`${name} must be an array of 32 numbers`);
  const out = Buffer.alloc(32);
  const n = Math.min(32, v.length);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      out.fill(0);
      throw new WireDecodeError(`${name} elements must be integers 0..255`);
    }
    out[i] = x;
  }
  return out;
}

/** Go `[]byte`: null/absent → undefined; a padded standard base64 string. */
export function decodeBase64Bytes(v: unknown, name: string): Buffer | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new WireDecodeError(`${name} must be a base64 string`);
  const s = v.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new WireDecodeError(`${name} is not valid base64`);
  return Buffer.from(s, 'base64');
}

/** Go `map[string]string`: null/absent → undefined. */
export function decodeStringMap(v: unknown, name: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new WireDecodeError(`${name} must be an object`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, x] of Object.entries(v as JsonObject)) {
    if (typeof x !== 'string') throw new WireDecodeError(`${name} values must be strings`);
    out[k] = x;
  }
  return out;
}

/** A JSON string as Go's json.Marshal writes it (HTML-safe escaping). */
export function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go sorts map keys bytewise (UTF-8); for strings that is code-point order. */
function goKeyOrder(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}

/** `map[string]string` as Go marshals it. */
export function goStringMap(m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort(goKeyOrder);
  return `{${keys.map((k) => `${goString(k)}:${goString(m[k] ?? '')}`).join(',')}}`;
}

function errSuffix(err: string | undefined): string {
  return err === undefined || err === '' ? '' : `,"err":${goString(err)}`;
}

/** Generic envelope (Fallback, NotReady): `{"err":"<code>"}`. */
export function encodeErr(code: string): string {
  return `{"err":${goString(code)}}`;
}

// ---- operator recover -------------------------------------------------------

/**
 * `{"shards":{"1":[…],…}}` with keys sorted as strings. Returned as a Buffer
 * the caller zeroes after sending (it holds every shard).
 */
export function encodeRecoverResponse(shards: readonly { id: number; value: Uint8Array }[]): Buffer {
  const sorted = [...shards].sort((a, b) => goKeyOrder(String(a.id), String(b.id)));
  const parts: string[] = [];
  for (const s of sorted) parts.push(`"${s.id}":[${Array.from(s.value).join(',')}]`);
  return Buffer.from(`{"shards":{${parts.join(',')}}}`, 'utf8');
}

export function encodeRecoverError(code: string): string {
  return `{"shards":null${errSuffix(code)}}`;
}

// ---- operator restore --------------------------------------------------------

export interface RestoreRequest {
  id: number;
  /** 32 bytes, or undefined for null/absent. Caller zeroes. */
  shard: Buffer | undefined;
}

export function decodeRestoreRequest(body: Uint8Array | undefined): RestoreRequest {
  const o = decodeObject(body);
  const id = decodeInt(field(o, 'id'), 'id');
  const shard = decodeByteArray32(field(o, 'shard'), 'shard');
  return { id, shard };
}

export interface RestoreStatus {
  collected: number;
  remaining: number;
  restored: boolean;
}

export function encodeRestoreResponse(s: RestoreStatus, err?: string): string {
  return `{"collected":${s.collected},"remaining":${s.remaining},"restored":${s.restored}${errSuffix(err)}}`;
}

// ---- bootstrap verify ----------------------------------------------------------

export interface VerifyRequest {
  nonce: Buffer | undefined;
  ciphertext: Buffer | undefined;
}

export function decodeVerifyRequest(body: Uint8Array | undefined): VerifyRequest {
  const o = decodeObject(body);
  return {
    nonce: decodeBase64Bytes(field(o, 'nonce'), 'nonce'),
    ciphertext: decodeBase64Bytes(field(o, 'ciphertext'), 'ciphertext'),
  };
}

export function encodeVerifyResponse(hash: string, err?: string): string {
  return `{"hash":${goString(hash)}${errSuffix(err)}}`;
}

// ---- secrets ---------------------------------------------------------------------

export interface SecretPutRequest {
  path: string;
  values: Record<string, string> | undefined;
}

export function decodeSecretPutRequest(body: Uint8Array | undefined): SecretPutRequest {
  const o = decodeObject(body);
  return { path: decodeString(field(o, 'path'), 'path'), values: decodeStringMap(field(o, 'values'), 'values') };
}

export interface SecretGetRequest {
  path: string;
  version: number;
}

export function decodeSecretGetRequest(body: Uint8Array | undefined): SecretGetRequest {
  const o = decodeObject(body);
  return { path: decodeString(field(o, 'path'), 'path'), version: decodeInt(field(o, 'version'), 'version') };
}

/** `{}` on success, `{"err":…}` otherwise (SecretPutResponse has only `err`). */
export function encodeSecretPutResponse(err?: string): string {
  return err === undefined || err === '' ? '{}' : encodeErr(err);
}

/** `{"data":{…}}` (a Buffer the caller zeroes: it holds secret values) or `{"data":null,"err":…}`. */
export function encodeSecretGetResponse(data: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(`{"data":${goStringMap(data)}}`, 'utf8');
}

export function encodeSecretGetError(code: string): string {
  return `{"data":null${errSuffix(code)}}`;
}
