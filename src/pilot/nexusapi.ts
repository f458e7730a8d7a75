// The SPIKE Nexus calls of `spike secret list|delete|undelete|metadata get`
// and `spike policy …`, typed, over the Pilot's NexusCaller. Wire shapes are
// protocol/messages.ts's codecs (upstream's bytes); answers are mapped to
// upstream's HandleAPIError texts with decision 2's exit codes.
import {
  DecodeError,
  policyDeleteRequest,
  policyDeleteResponse,
  policyGetRequest,
  policyGetResponse,
  policyListRequest,
  policyListResponse,
  policyPutRequest,
  policyPutResponse,
  secretDeleteRequest,
  secretDeleteResponse,
  secretListRequest,
  secretListResponse,
  secretMetadataRequest,
  secretMetadataResponse,
  secretUndeleteRequest,
  secretUndeleteResponse,
  type Policy,
  type PolicyListRequest,
  type PolicyPutRequest,
  type SecretMetadataResponse,
} from '../protocol/messages.js';
import {
  ACTION_DELETE,
  ACTION_GET,
  ACTION_LIST,
  ACTION_UNDELETE,
  PATH_POLICY,
  PATH_SECRETS,
  PATH_SECRETS_METADATA,
} from '../protocol/paths.js';
import { CliError, ExitCode } from './exit.js';
import type { NexusAnswer, NexusCaller, PilotDeps } from './runtime.js';
import { answerFailure, NotReadyError, secretCallFailure } from './secretapi.js';
import { loadConfig, requireRole, withIdentity } from './session.js';

export interface PilotNexusApi {
  /** Every secret path (404 → empty, as the SDK does). */
  listSecrets(): Promise<string[]>;
  deleteSecret(path: string, versions: readonly number[]): Promise<void>;
  undeleteSecret(path: string, versions: readonly number[]): Promise<void>;
  getSecretMetadata(path: string, version: number): Promise<SecretMetadataResponse>;
  putPolicy(p: PolicyPutRequest): Promise<void>;
  /** The request's `id` carries the policy name (upstream). */
  getPolicy(name: string): Promise<Policy>;
  deletePolicy(name: string): Promise<void>;
  /** Policies (404 → empty, as the SDK does). */
  listPolicies(filter: PolicyListRequest): Promise<Policy[]>;
}

const PARSE_FAILED = 'Failed to parse API response.';

/** Upstream HandleAPIError for an `err` code carried by a 200 answer. */
function errCodeFailure(code: string): CliError {
  switch (code) {
    case 'state_not_ready':
      return new NotReadyError(ExitCode.nexus, 'SPIKE is not ready yet.');
    case 'api_not_found':
      return new CliError(ExitCode.nexus, 'Resource not found.');
    case 'api_bad_request':
      return new CliError(ExitCode.nexus, 'Invalid request.');
    case 'access_unauthorized':
      return new CliError(ExitCode.nexus, 'Unauthorized access.');
    case 'data_invalid_input':
      return new CliError(ExitCode.nexus, 'Invalid input provided.');
    default:
      return new CliError(ExitCode.nexus, `[${/^[a-z0-9_]{1,64}$/.test(code) ? code : 'gen_general_failure'}]`);
  }
}

export function pilotNexusApi(caller: NexusCaller): PilotNexusApi {
  async function call<T extends { err: string }>(
    path: string,
    action: string | undefined,
    body: Buffer,
    decode: (raw: Uint8Array) => T,
    onNotFound?: () => T,
  ): Promise<T> {
    let answer: NexusAnswer;
    try {
      answer = await caller.post(path, action, body);
    } catch (e) {
      throw secretCallFailure(e);
    } finally {
      body.fill(0);
    }
    try {
      if (answer.status === 404 && onNotFound) return onNotFound();
      if (answer.status !== 200) throw answerFailure(answer);
      let v: T;
      try {
        v = decode(answer.body);
      } catch (e) {
        if (e instanceof DecodeError || e instanceof SyntaxError) throw new CliError(ExitCode.nexus, PARSE_FAILED);
        throw e;
      }
      if (v.err !== '') throw errCodeFailure(v.err);
      return v;
    } finally {
      answer.body.fill(0);
    }
  }
  return {
    async listSecrets() {
      const r = await call(PATH_SECRETS, ACTION_LIST, secretListRequest.encode({}), (b) => secretListResponse.decode(b), () => secretListResponse.zero());
      return r.keys ?? [];
    },
    async deleteSecret(path, versions) {
      await call(PATH_SECRETS, ACTION_DELETE, secretDeleteRequest.encode({ path, versions: [...versions] }), (b) => secretDeleteResponse.decode(b));
    },
    async undeleteSecret(path, versions) {
      await call(PATH_SECRETS, ACTION_UNDELETE, secretUndeleteRequest.encode({ path, versions: [...versions] }), (b) => secretUndeleteResponse.decode(b));
    },
    async getSecretMetadata(path, version) {
      return call(PATH_SECRETS_METADATA, ACTION_GET, secretMetadataRequest.encode({ path, version }), (b) => secretMetadataResponse.decode(b));
    },
    async putPolicy(p) {
      await call(PATH_POLICY, undefined, policyPutRequest.encode(p), (b) => policyPutResponse.decode(b));
    },
    async getPolicy(name) {
      return call(PATH_POLICY, ACTION_GET, policyGetRequest.encode({ id: name }), (b) => policyGetResponse.decode(b));
    },
    async deletePolicy(name) {
      await call(PATH_POLICY, ACTION_DELETE, policyDeleteRequest.encode({ id: name }), (b) => policyDeleteResponse.decode(b));
    },
    async listPolicies(filter) {
      const r = await call(PATH_POLICY, ACTION_LIST, policyListRequest.encode(filter), (b) => policyListResponse.decode(b), () => policyListResponse.zero());
      return r.policies ?? [];
    },
  };
}

/**
 * The frame of every superuser command: configuration, the SVID, the role
 * check (exit 3 before any network call), then `fn` with the typed API.
 */
export async function asSuperuser<T>(deps: PilotDeps, fn: (api: PilotNexusApi) => Promise<T>): Promise<T> {
  const cfg = loadConfig(deps.env);
  return withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'superuser', cfg);
    return fn(pilotNexusApi(await identity.connectNexus()));
  });
}
