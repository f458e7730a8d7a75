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
import { byteArrayJson, bytes32, errCodeOf, field, joinZeroing, parseObject } from './json.js';
import type { HttpResponse, SpikeHttpClient } from './transport.js';

/** Sends `body` (zeroed afterwards) and returns the 200 answer, or throws ClientError('status'). */
async function call(client: SpikeHttpClient, url: URL, body: Buffer, what: string): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await client.postJson(url, body);
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

/** Decodes a 200 answer; a non-empty `err` is a ClientError('status'). Zeroes the raw body. */
function decode200<T>(res: HttpResponse, what: string, read: (obj: Record<string, unknown>) => T): T {
  try {
    const obj = parseObject(res.body, what);
    const code = field(obj, 'err');
    if (code !== undefined && code !== null && code !== '') {
      const c = typeof code === 'string' ? code : undefined;
      throw new ClientError('status', `${what}: answer carries error${c ? ` ${c}` : ''}`, { status: 200, code: c });
    }
    return read(obj);
  } finally {
    res.body.fill(0);
  }
}

// ---- Keeper ---------------------------------------------------------------

/** `POST <keeper>/v1/store/contribute` `{"shard":[…]}` (the caller still owns `shard`). */
export async function contributeShard(client: SpikeHttpClient, keeper: URL, shard: Uint8Array): Promise<void> {
  if (shard.length !== 32) throw new RangeError('a shard is 32 bytes');
  const body = joinZeroing([Buffer.from('{"shard":'), byteArrayJson(shard), Buffer.from('}')]);
  const res = await call(client, urlFor(keeper, PATH_KEEPER_CONTRIBUTE), body, 'contribute shard');
  decode200(res, 'contribute shard', () => undefined);
}

/** `POST <keeper>/v1/store/shard` `{}` → the 32-byte shard (zero it after use). */
export async function fetchShard(client: SpikeHttpClient, keeper: URL): Promise<Buffer> {
  const res = await call(client, urlFor(keeper, PATH_KEEPER_SHARD), Buffer.from('{}'), 'fetch shard');
  return decode200(res, 'fetch shard', (obj) => {
    const shard = bytes32(field(obj, 'shard'), 'fetch shard');
    if (shard === undefined) throw new ClientError('decode', 'fetch shard: answer has no shard');
    return shard;
  });
}

// ---- Nexus: bootstrap and operator -----------------------------------------

/** `POST <nexus>/v1/bootstrap/verify` `{"nonce":b64,"ciphertext":b64}` → the hex SHA-256 Nexus computed. */
export async function verifyBootstrap(client: SpikeHttpClient, nexus: URL, nonce: Uint8Array, ciphertext: Uint8Array): Promise<string> {
  const body = Buffer.from(
    JSON.stringify({ nonce: Buffer.from(nonce).toString('base64'), ciphertext: Buffer.from(ciphertext).toString('base64') }),
  );
  const res = await call(client, urlFor(nexus, PATH_BOOTSTRAP_VERIFY), body, 'bootstrap verify');
  return decode200(res, 'bootstrap verify', (obj) => {
    const hash = field(obj, 'hash');
    if (typeof hash !== 'string') throw new ClientError('decode', 'bootstrap verify: answer has no hash');
    return hash;
  });
}

/** `POST <nexus>/v1/operator/recover` `{}` → shards by id (zero them after use). */
export async function recover(client: SpikeHttpClient, nexus: URL): Promise<Map<number, Buffer | null>> {
  const res = await call(client, urlFor(nexus, PATH_OPERATOR_RECOVER), Buffer.from('{}'), 'recover');
  return decode200(res, 'recover', (obj) => {
    const shards = field(obj, 'shards');
    const out = new Map<number, Buffer | null>();
    if (shards === undefined || shards === null) return out;
    if (typeof shards !== 'object' || Array.isArray(shards)) throw new ClientError('decode', 'recover: shards is not an object');
    try {
      for (const [k, v] of Object.entries(shards as Record<string, unknown>)) {
        if (!/^[+-]?[0-9]{1,9}$/.test(k)) throw new ClientError('decode', 'recover: a shard id is not an integer');
        const id = Number(k);
        out.set(id, bytes32(v, 'recover') ?? null);
      }
    } catch (e) {
      for (const b of out.values()) b?.fill(0);
      throw e;
    }
    return out;
  });
}

export interface RestoreStatus {
  collected: number;
  remaining: number;
  restored: boolean;
}

/** `POST <nexus>/v1/operator/restore` `{"id":n,"shard":[…]}` (the caller still owns `shard`). */
export async function restore(client: SpikeHttpClient, nexus: URL, id: number, shard: Uint8Array): Promise<RestoreStatus> {
  if (!Number.isSafeInteger(id)) throw new RangeError('shard id must be an integer');
  if (shard.length !== 32) throw new RangeError('a shard is 32 bytes');
  const body = joinZeroing([Buffer.from(`{"id":${id},"shard":`), byteArrayJson(shard), Buffer.from('}')]);
  const res = await call(client, urlFor(nexus, PATH_OPERATOR_RESTORE), body, 'restore');
  return decode200(res, 'restore', (obj) => {
    const collected = field(obj, 'collected') ?? 0;
    const remaining = field(obj, 'remaining') ?? 0;
    const restored = field(obj, 'restored') ?? false;
    if (!Number.isInteger(collected) || !Number.isInteger(remaining) || typeof restored !== 'boolean') {
      throw new ClientError('decode', 'restore: malformed status');
    }
    return { collected: collected as number, remaining: remaining as number, restored };
  });
}

// ---- Nexus: secrets --------------------------------------------------------

/** `POST <nexus>/v1/store/secrets` `{"path":p,"values":{…}}`. */
export async function putSecret(client: SpikeHttpClient, nexus: URL, path: string, values: Readonly<Record<string, string>>): Promise<void> {
  const body = Buffer.from(JSON.stringify({ path, values }));
  const res = await call(client, urlFor(nexus, PATH_SECRETS), body, 'put secret');
  decode200(res, 'put secret', () => undefined);
}

/** `POST <nexus>/v1/store/secrets?action=get` `{"path":p[,"version":v]}` → the values (404 → ClientError status 404). */
export async function getSecret(client: SpikeHttpClient, nexus: URL, path: string, version?: number): Promise<Record<string, string>> {
  const req: { path: string; version?: number } = { path };
  if (version !== undefined && version !== 0) req.version = version;
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_GET), Buffer.from(JSON.stringify(req)), 'get secret');
  return decode200(res, 'get secret', (obj) => {
    const data = field(obj, 'data');
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new ClientError('decode', 'get secret: data is not an object');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new ClientError('decode', 'get secret: a value is not a string');
      out[k] = v;
    }
    return out;
  });
}
