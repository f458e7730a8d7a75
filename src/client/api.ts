// Typed calls of the SPIKE API (what spike-sdk-go's api package does), on top
// of the mTLS transport. Each builds its URL with paths.ts, sends upstream's
// request shape and decodes upstream's answer. Unlike Go's SDK, non-200
// answers are read: the error carries the HTTP status and the body's `err`
// code. Bodies that may hold shards or secret values are zeroed after use;
// no value ever appears in an error message.
import {
  ACTION_GET,
  PATH_BOOTSTRAP_VERIFY,
  PATH_KEEPER_CONTRIBUTE,
  PATH_KEEPER_SHARD,
  PATH_OPERATOR_RECOVER,
  PATH_OPERATOR_RESTORE,
  PATH_SECRETS,
  urlFor,
} from '../protocol/paths.js';
import { ClientError } from './errors.js';
import {
  DecodeError,
  decodeBootstrapVerifyResponse,
  decodeContributeResponse,
  decodeRecoverResponse,
  decodeRestoreResponse,
  decodeShardResponse,
  encodeBootstrapVerifyRequest,
  encodeContributeRequest,
  encodeRestoreRequest,
  recoverRequest,
  secretGetRequest,
  secretGetResponse,
  secretPutRequest,
  secretPutResponse,
  shardGetRequest,
} from '../protocol/messages.js';
import { wipe } from '../protocol/gojson.js';
import { errCodeOf } from './json.js';
import type { CallOptions, HttpResponse, SpikeHttpClient } from './transport.js';

/** Sends `body` (zeroed afterwards) and returns the 200 answer, or throws ClientError('status'). */
async function call(client: SpikeHttpClient, url: URL, body: Buffer, what: string, opts?: CallOptions): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await client.postJson(url, body, opts);
  } finally {
    body.fill(0);
  }
  if (res.status !== 200) {
    const code = errCodeOf(res.body);
    res.body.fill(0);
    throw new ClientError('status', `${what}: ${url.origin} answered ${res.status}${code ? ` (${code})` : ''}`, { status: res.status, code });
  }
  return res;
}

/**
 * Decodes a 200 answer with a messages.ts decoder; a non-empty `err` is a
 * ClientError('status'), an undecodable body a ClientError('decode'). Zeroes
 * the raw body.
 */
function decode200<T extends { err: string }>(res: HttpResponse, what: string, decode: (raw: Uint8Array) => T): T {
  let v: T;
  try {
    v = decode(res.body);
  } catch (e) {
    if (e instanceof DecodeError) throw new ClientError('decode', `${what}: malformed answer (${e.message.split('\n')[0] ?? ''})`);
    throw new ClientError('decode', `${what}: malformed answer`);
  } finally {
    res.body.fill(0);
  }
  if (v.err !== '') {
    wipe(v);
    const code = /^[a-z0-9_]{1,128}$/.test(v.err) ? v.err : undefined;
    throw new ClientError('status', `${what}: answer carries error${code ? ` ${code}` : ''}`, { status: 200, code });
  }
  return v;
}

// ---- Keeper ---------------------------------------------------------------

/** `POST <keeper>/v1/store/contribute` `{"shard":[…]}` (the caller still owns `shard`). */
export async function contributeShard(client: SpikeHttpClient, keeper: URL, shard: Uint8Array, opts?: CallOptions): Promise<void> {
  if (shard.length !== 32) throw new RangeError('a shard is 32 bytes');
  const res = await call(client, urlFor(keeper, PATH_KEEPER_CONTRIBUTE), encodeContributeRequest(shard), 'contribute shard', opts);
  decode200(res, 'contribute shard', decodeContributeResponse);
}

/** `POST <keeper>/v1/store/shard` `{}` → the 32-byte shard (zero it after use). */
export async function fetchShard(client: SpikeHttpClient, keeper: URL, opts?: CallOptions): Promise<Buffer> {
  const res = await call(client, urlFor(keeper, PATH_KEEPER_SHARD), shardGetRequest.encode({}), 'fetch shard', opts);
  const { shard } = decode200(res, 'fetch shard', decodeShardResponse);
  if (shard === null) throw new ClientError('decode', 'fetch shard: answer has no shard');
  const out = Buffer.from(shard);
  shard.fill(0);
  return out;
}

// ---- Nexus: bootstrap and operator -----------------------------------------

/** `POST <nexus>/v1/bootstrap/verify` `{"nonce":b64,"ciphertext":b64}` → the hex SHA-256 Nexus computed. */
export async function verifyBootstrap(client: SpikeHttpClient, nexus: URL, nonce: Uint8Array, ciphertext: Uint8Array, opts?: CallOptions): Promise<string> {
  const res = await call(client, urlFor(nexus, PATH_BOOTSTRAP_VERIFY), encodeBootstrapVerifyRequest(nonce, ciphertext), 'bootstrap verify', opts);
  return decode200(res, 'bootstrap verify', decodeBootstrapVerifyResponse).hash;
}

/** `POST <nexus>/v1/operator/recover` `{}` → shards by id, null kept (zero them after use); absent/null map → empty. */
export async function recover(client: SpikeHttpClient, nexus: URL, opts?: CallOptions): Promise<Map<number, Buffer | null>> {
  const res = await call(client, urlFor(nexus, PATH_OPERATOR_RECOVER), recoverRequest.encode({}), 'recover', opts);
  const shards = decode200(res, 'recover', decodeRecoverResponse).shards ?? new Map<number, Uint8Array | null>();
  const out = new Map<number, Buffer | null>();
  for (const [id, v] of shards) {
    out.set(id, v === null ? null : Buffer.from(v));
    v?.fill(0);
  }
  return out;
}

export interface RestoreStatus {
  collected: number;
  remaining: number;
  restored: boolean;
}

/** `POST <nexus>/v1/operator/restore` `{"id":n,"shard":[…]}` (the caller still owns `shard`). */
export async function restore(client: SpikeHttpClient, nexus: URL, id: number, shard: Uint8Array, opts?: CallOptions): Promise<RestoreStatus> {
  if (!Number.isSafeInteger(id)) throw new RangeError('shard id must be an integer');
  if (shard.length !== 32) throw new RangeError('a shard is 32 bytes');
  const res = await call(client, urlFor(nexus, PATH_OPERATOR_RESTORE), encodeRestoreRequest(id, shard), 'restore', opts);
  const { collected, remaining, restored } = decode200(res, 'restore', decodeRestoreResponse);
  return { collected, remaining, restored };
}

// ---- Nexus: secrets --------------------------------------------------------

/** `POST <nexus>/v1/store/secrets` `{"path":p,"values":{…}}`. */
export async function putSecret(client: SpikeHttpClient, nexus: URL, path: string, values: Readonly<Record<string, string>>, opts?: CallOptions): Promise<void> {
  const body = secretPutRequest.encode({ path, values: { ...values }, err: '' });
  const res = await call(client, urlFor(nexus, PATH_SECRETS), body, 'put secret', opts);
  decode200(res, 'put secret', (raw) => secretPutResponse.decode(raw));
}

/** `POST <nexus>/v1/store/secrets?action=get` `{"path":p[,"version":v]}` → the values (404 → ClientError status 404). */
export async function getSecret(client: SpikeHttpClient, nexus: URL, path: string, version = 0, opts?: CallOptions): Promise<Record<string, string>> {
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_GET), secretGetRequest.encode({ path, version }), 'get secret', opts);
  return decode200(res, 'get secret', (raw) => secretGetResponse.decode(raw)).data ?? {};
}
