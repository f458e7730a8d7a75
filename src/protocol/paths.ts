// URL paths and `action` values of the SPIKE HTTP API (spike-sdk-go
// api/url).
// Every route is POST; the operation is chosen by the exact path plus the
// `action` query parameter ("" when absent).

export const ACTION_PARAM = 'action';

// Nexus paths.
export const PATH_SECRETS = '/v1/store/secrets';
export const PATH_SECRETS_METADATA = '/v1/store/secrets/metadata';
export const PATH_POLICY = '/v1/acl/policy';
export const PATH_CIPHER_ENCRYPT = '/v1/cipher/encrypt';
export const PATH_CIPHER_DECRYPT = '/v1/cipher/decrypt';
export const PATH_OPERATOR_RECOVER = '/v1/operator/recover';
export const PATH_OPERATOR_RESTORE = '/v1/operator/restore';
/** spike-ts only (optional on the wire): restore progress without submitting a shard; upstream answers 400. */
export const PATH_OPERATOR_STATUS = '/v1/operator/status';
/** spike-ts only: starts (or reports) a root-key rotation; upstream answers 400. */
export const PATH_OPERATOR_ROTATE = '/v1/operator/rotate';
export const PATH_BOOTSTRAP_VERIFY = '/v1/bootstrap/verify';
// The SDK also defines /v1/auth/initialization, routed by nobody (→ 400).

// Keeper paths.
export const PATH_KEEPER_CONTRIBUTE = '/v1/store/contribute';
export const PATH_KEEPER_SHARD = '/v1/store/shard';
// The SDK also defines /v1/store/keep, never routed (→ 400).

// Actions.
export const ACTION_DEFAULT = '';
export const ACTION_GET = 'get';
export const ACTION_DELETE = 'delete';
export const ACTION_UNDELETE = 'undelete';
export const ACTION_LIST = 'list';
/** spike-ts only: `POST /v1/operator/restore?action=reset` empties the restore collection (upstream answers 400). */
export const ACTION_RESET = 'reset';
// The SDK also defines the actions `check` and `read`, routed by nobody.

export type NexusRouteName =
  | 'secretPut'
  | 'secretGet'
  | 'secretDelete'
  | 'secretUndelete'
  | 'secretList'
  | 'secretMetadataGet'
  | 'policyPut'
  | 'policyGet'
  | 'policyDelete'
  | 'policyList'
  | 'cipherEncrypt'
  | 'cipherDecrypt'
  | 'operatorRecover'
  | 'operatorRestore'
  | 'operatorRestoreReset'
  | 'operatorStatus'
  | 'operatorRotate'
  | 'bootstrapVerify';

export type KeeperRouteName = 'keeperContribute' | 'keeperShard';

export interface Route<N extends string> {
  readonly name: N;
  readonly path: string;
  readonly action: string;
}

/** Nexus dispatch table (upstream `routeWithBackingStore`). */
export const NEXUS_ROUTES: readonly Route<NexusRouteName>[] = Object.freeze([
  { name: 'secretPut', path: PATH_SECRETS, action: ACTION_DEFAULT },
  { name: 'secretGet', path: PATH_SECRETS, action: ACTION_GET },
  { name: 'secretDelete', path: PATH_SECRETS, action: ACTION_DELETE },
  { name: 'secretUndelete', path: PATH_SECRETS, action: ACTION_UNDELETE },
  { name: 'secretList', path: PATH_SECRETS, action: ACTION_LIST },
  { name: 'secretMetadataGet', path: PATH_SECRETS_METADATA, action: ACTION_GET },
  { name: 'policyPut', path: PATH_POLICY, action: ACTION_DEFAULT },
  { name: 'policyGet', path: PATH_POLICY, action: ACTION_GET },
  { name: 'policyDelete', path: PATH_POLICY, action: ACTION_DELETE },
  { name: 'policyList', path: PATH_POLICY, action: ACTION_LIST },
  { name: 'cipherEncrypt', path: PATH_CIPHER_ENCRYPT, action: ACTION_DEFAULT },
  { name: 'cipherDecrypt', path: PATH_CIPHER_DECRYPT, action: ACTION_DEFAULT },
  { name: 'operatorRecover', path: PATH_OPERATOR_RECOVER, action: ACTION_DEFAULT },
  { name: 'operatorRestore', path: PATH_OPERATOR_RESTORE, action: ACTION_DEFAULT },
  { name: 'operatorRestoreReset', path: PATH_OPERATOR_RESTORE, action: ACTION_RESET },
  { name: 'operatorStatus', path: PATH_OPERATOR_STATUS, action: ACTION_DEFAULT },
  { name: 'operatorRotate', path: PATH_OPERATOR_ROTATE, action: ACTION_DEFAULT },
  { name: 'bootstrapVerify', path: PATH_BOOTSTRAP_VERIFY, action: ACTION_DEFAULT },
] as const);

/** Routes Nexus serves in `lite` mode (upstream `routeWithNoBackingStore`). */
export const NEXUS_LITE_ROUTES: ReadonlySet<NexusRouteName> = new Set<NexusRouteName>([
  'bootstrapVerify',
  'operatorRecover',
  'operatorRestore',
  'operatorRestoreReset',
  'operatorStatus',
  'operatorRotate', // answered 400 rotation_unsupported (no store to rotate), not an unknown route
  'cipherEncrypt',
  'cipherDecrypt',
]);

/** Paths that bypass the "no root key yet" 503 gate. */
export const EMERGENCY_PATHS: ReadonlySet<string> = new Set([PATH_OPERATOR_RECOVER, PATH_OPERATOR_RESTORE, PATH_OPERATOR_STATUS]);

export const KEEPER_ROUTES: readonly Route<KeeperRouteName>[] = Object.freeze([
  { name: 'keeperContribute', path: PATH_KEEPER_CONTRIBUTE, action: ACTION_DEFAULT },
  { name: 'keeperShard', path: PATH_KEEPER_SHARD, action: ACTION_DEFAULT },
] as const);

/** The route for an exact path and action ("" when the parameter is absent), or undefined (→ 400). */
export function findRoute<N extends string>(routes: readonly Route<N>[], path: string, action: string): Route<N> | undefined {
  return routes.find((r) => r.path === path && r.action === action);
}

/**
 * Path and action of a request target such as `/v1/acl/policy?action=get`,
 * as Go's `r.URL.Path` and `r.URL.Query().Get("action")` see them (first
 * value wins; missing = ""). Returns undefined for an unparsable target.
 */
export function parseRequestTarget(target: string): Readonly<{ path: string; action: string }> | undefined {
  const known = parsedTargets.get(target);
  if (known !== undefined) return known;
  let u: URL;
  try {
    u = new URL(target, 'https://spike.invalid');
  } catch {
    return undefined;
  }
  const parsed = Object.freeze({ path: decodeURIComponentSafe(u.pathname) ?? u.pathname, action: u.searchParams.get(ACTION_PARAM) ?? '' });
  if (parsedTargets.size >= MAX_PARSED_TARGETS) parsedTargets.clear();
  parsedTargets.set(target, parsed);
  return parsed;
}

/**
 * parseRequestTarget's answers by request target: a server sees the same few
 * targets (one per route) on every request, and parsing a URL is a few
 * microseconds of each. Bounded: emptied when full.
 */
const parsedTargets = new Map<string, Readonly<{ path: string; action: string }>>();
const MAX_PARSED_TARGETS = 256;

function decodeURIComponentSafe(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Go `url.JoinPath(base, path)` plus `?action=<a>` when `action` is non-empty:
 * the base's own path is kept (`https://h/prefix` + `/v1/x` → `https://h/prefix/v1/x`).
 */
export function urlFor(base: URL, path: string, action?: string): URL {
  const u = new URL(base.href);
  const basePath = u.pathname.replace(/\/+$/, '');
  const rel = path.replace(/^\/+/, '');
  u.pathname = `${basePath}/${rel}`;
  u.search = '';
  u.hash = '';
  if (action !== undefined && action !== '') u.searchParams.set(ACTION_PARAM, action);
  return u;
}
