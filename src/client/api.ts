// Typed calls of the SPIKE API (what spike-sdk-go's api package does), on top
// of the mTLS transport. Each builds its URL with paths.ts, sends upstream's
// request shape and decodes upstream's answer. Unlike Go's SDK, non-200
// answers are read: the error carries the HTTP status and the body's `err`
// code. Bodies that may hold shards or secret values are zeroed after use;
// no value ever appears in an error message.
import {
  ACTION_DELETE,
  ACTION_GET,
  ACTION_LIST,
  ACTION_UNDELETE,
  PATH_BOOTSTRAP_VERIFY,
  PATH_POLICY,
  PATH_SECRETS_METADATA,
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
  policyDeleteRequest,
  policyDeleteResponse,
  policyGetRequest,
  policyGetResponse,
  policyListRequest,
  policyListResponse,
  policyPutRequest,
  policyPutResponse,
  recoverRequest,
  secretDeleteRequest,
  secretDeleteResponse,
  secretListRequest,
  secretListResponse,
  secretMetadataRequest,
  secretMetadataResponse,
  secretUndeleteRequest,
  secretUndeleteResponse,
  secretGetRequest,
  secretGetResponse,
  secretPutRequest,
  secretPutResponse,
  shardGetRequest,
} from '../protocol/messages.js';
import { emptyStringMap, wipe } from '../gocompat/json/decode.js';
import { errCodeOf } from './json.js';
import type { GoTimeValue, Policy as WirePolicy, SecretMetadataContent, SecretVersionInfo } from '../protocol/messages.js';
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
  // A null-prototype copy: keys such as `__proto__` stay plain data.
  const copy = emptyStringMap();
  for (const [k, v] of Object.entries(values)) copy[k] = v;
  const body = secretPutRequest.encode({ path, values: copy, err: '' });
  const res = await call(client, urlFor(nexus, PATH_SECRETS), body, 'put secret', opts);
  decode200(res, 'put secret', (raw) => secretPutResponse.decode(raw));
}

/** `POST <nexus>/v1/store/secrets?action=get` `{"path":p[,"version":v]}` → the values (404 → ClientError status 404). */
export async function getSecret(client: SpikeHttpClient, nexus: URL, path: string, version = 0, opts?: CallOptions): Promise<Record<string, string>> {
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_GET), secretGetRequest.encode({ path, version }), 'get secret', opts);
  return decode200(res, 'get secret', (raw) => secretGetResponse.decode(raw)).data ?? emptyStringMap();
}

/**
 * `POST <nexus>/v1/store/secrets?action=delete` `{"path":p,"versions":[…]}`:
 * soft-deletes versions (`[]` or 0 = the current one; unknown ones ignored).
 * 404 when the path does not exist.
 */
export async function deleteSecret(client: SpikeHttpClient, nexus: URL, path: string, versions: readonly number[] = [], opts?: CallOptions): Promise<void> {
  const body = secretDeleteRequest.encode({ path, versions: [...versions] });
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_DELETE), body, 'delete secret', opts);
  decode200(res, 'delete secret', (raw) => secretDeleteResponse.decode(raw));
}

/**
 * `POST <nexus>/v1/store/secrets?action=undelete` `{"path":p,"versions":[…]}`
 * (`[]` = the current version, or the highest deleted one when none is live).
 * 404 when the path does not exist or nothing was undeleted.
 */
export async function undeleteSecret(client: SpikeHttpClient, nexus: URL, path: string, versions: readonly number[] = [], opts?: CallOptions): Promise<void> {
  const body = secretUndeleteRequest.encode({ path, versions: [...versions] });
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_UNDELETE), body, 'undelete secret', opts);
  decode200(res, 'undelete secret', (raw) => secretUndeleteResponse.decode(raw));
}

/** `POST <nexus>/v1/store/secrets?action=list` `{}` → every stored path, sorted (deleted secrets included). */
export async function listSecrets(client: SpikeHttpClient, nexus: URL, opts?: CallOptions): Promise<string[]> {
  const res = await call(client, urlFor(nexus, PATH_SECRETS, ACTION_LIST), secretListRequest.encode({}), 'list secrets', opts);
  return decode200(res, 'list secrets', (raw) => secretListResponse.decode(raw)).keys ?? [];
}

export interface SecretMetadataAnswer {
  /** Every version (deleted ones too), by version number. */
  versions: Map<number, SecretVersionInfo>;
  metadata: SecretMetadataContent;
}

/** `POST <nexus>/v1/store/secrets/metadata?action=get` `{"path":p[,"version":v]}` (404 when that version is not readable). */
export async function getSecretMetadata(client: SpikeHttpClient, nexus: URL, path: string, version = 0, opts?: CallOptions): Promise<SecretMetadataAnswer> {
  const res = await call(client, urlFor(nexus, PATH_SECRETS_METADATA, ACTION_GET), secretMetadataRequest.encode({ path, version }), 'get secret metadata', opts);
  const r = decode200(res, 'get secret metadata', (raw) => secretMetadataResponse.decode(raw));
  return { versions: r.versions ?? new Map(), metadata: r.metadata };
}

// ---- Nexus: policies ---------------------------------------------------------

export interface PolicySpec {
  name: string;
  spiffeIdPattern: string;
  pathPattern: string;
  permissions: readonly string[];
}

export interface PolicyAnswer extends PolicySpec {
  createdAt: GoTimeValue;
  updatedAt: GoTimeValue;
}

/** `POST <nexus>/v1/acl/policy` `{"name","spiffeidPattern","pathPattern","permissions"}`: create or replace (upsert). */
export async function putPolicy(client: SpikeHttpClient, nexus: URL, policy: PolicySpec, opts?: CallOptions): Promise<void> {
  const body = policyPutRequest.encode({
    name: policy.name,
    spiffeidPattern: policy.spiffeIdPattern,
    pathPattern: policy.pathPattern,
    permissions: [...policy.permissions],
  });
  const res = await call(client, urlFor(nexus, PATH_POLICY), body, 'put policy', opts);
  decode200(res, 'put policy', (raw) => policyPutResponse.decode(raw));
}

function policyAnswer(p: WirePolicy): PolicyAnswer {
  return {
    name: p.name,
    spiffeIdPattern: p.spiffeidPattern,
    pathPattern: p.pathPattern,
    permissions: p.permissions ?? [],
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** `POST <nexus>/v1/acl/policy?action=get` `{"id":"<name>"}` → the policy (unknown name: ClientError status 404 from spike-ts, 500 from upstream). */
export async function getPolicy(client: SpikeHttpClient, nexus: URL, name: string, opts?: CallOptions): Promise<PolicyAnswer> {
  const res = await call(client, urlFor(nexus, PATH_POLICY, ACTION_GET), policyGetRequest.encode({ id: name }), 'get policy', opts);
  return policyAnswer(decode200(res, 'get policy', (raw) => policyGetResponse.decode(raw)));
}

/** `POST <nexus>/v1/acl/policy?action=delete` `{"id":"<name>"}` (unknown name: 404 from spike-ts, 500 from upstream). */
export async function deletePolicy(client: SpikeHttpClient, nexus: URL, name: string, opts?: CallOptions): Promise<void> {
  const res = await call(client, urlFor(nexus, PATH_POLICY, ACTION_DELETE), policyDeleteRequest.encode({ id: name }), 'delete policy', opts);
  decode200(res, 'delete policy', (raw) => policyDeleteResponse.decode(raw));
}

export interface PolicyListFilter {
  /** Keep policies whose SPIFFE ID pattern equals this exactly (takes precedence). */
  spiffeIdPattern?: string;
  /** Keep policies whose path pattern equals this exactly. */
  pathPattern?: string;
}

/** `POST <nexus>/v1/acl/policy?action=list` `{"spiffeidPattern","pathPattern"}` → policy names (upstream answers `{"id":"","name"}` items). */
export async function listPolicies(client: SpikeHttpClient, nexus: URL, filter: PolicyListFilter = {}, opts?: CallOptions): Promise<string[]> {
  const body = policyListRequest.encode({ spiffeidPattern: filter.spiffeIdPattern ?? '', pathPattern: filter.pathPattern ?? '' });
  const res = await call(client, urlFor(nexus, PATH_POLICY, ACTION_LIST), body, 'list policies', opts);
  return (decode200(res, 'list policies', (raw) => policyListResponse.decode(raw)).policies ?? []).map((p) => p.name);
}
