// The SPIKE Nexus calls of `spike secret list|delete|undelete|metadata get`
// and `spike policy …`: src/client/api.ts's typed calls, sent through the
// Pilot's NexusCaller (so unit tests script Nexus at the request level), with
// failures mapped to upstream's HandleAPIError texts and the exit codes of docs/design.md § Exit codes.
import {
  deletePolicy,
  deleteSecret,
  getPolicy,
  getSecretMetadata,
  listPolicies,
  listSecrets,
  putPolicy,
  undeleteSecret,
  type SecretMetadataAnswer,
} from '../client/api.js';
import type { SpikeHttpClient } from '../client/transport.js';
import { ACTION_PARAM } from '../protocol/paths.js';
import type { Policy, PolicyListRequest, PolicyPutRequest, SecretMetadataResponse } from '../protocol/messages.js';
import { CliError, ExitCode, NotReadyError } from './output/exit.js';
import type { NexusCaller, PilotDeps } from './runtime.js';
import { answerFailure, secretCallFailure } from './secretapi.js';
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
  /** Policies (404 → empty, as the SDK does); only `name` is meaningful, `id` is always "" as upstream. */
  listPolicies(filter: PolicyListRequest): Promise<Policy[]>;
}

/** Any base: the adapter below only passes the path and the action on. */
const NEXUS_BASE = new URL('https://spike-nexus.invalid');

/** api.ts's transport interface over a NexusCaller. */
function callerClient(caller: NexusCaller): SpikeHttpClient {
  return {
    postJson: (url, body) => caller.post(url.pathname, url.searchParams.get(ACTION_PARAM) ?? undefined, body),
    close: () => undefined,
  };
}

/** Upstream HandleAPIError for an `err` code carried by a 200 answer. */
function errCodeFailure(code: string | undefined): CliError {
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
      return new CliError(ExitCode.nexus, `[${code ?? 'gen_general_failure'}]`);
  }
}

interface ClientErrorLike {
  kind: string;
  status?: number;
  code?: string;
}

function clientErrorOf(e: unknown): ClientErrorLike | undefined {
  return e instanceof Error && e.name === 'ClientError' ? (e as Error & ClientErrorLike) : undefined;
}

/** A failed typed call → what the operator sees. */
function failure(e: unknown): CliError {
  const ce = clientErrorOf(e);
  if (ce?.kind === 'status' && ce.status !== undefined) {
    if (ce.status === 200) return errCodeFailure(ce.code);
    return answerFailure({ status: ce.status, body: Buffer.alloc(0) });
  }
  if (ce?.kind === 'decode') return new CliError(ExitCode.nexus, 'Failed to parse API response.');
  return secretCallFailure(e);
}

function isNotFound(e: unknown): boolean {
  const ce = clientErrorOf(e);
  return ce?.kind === 'status' && ce.status === 404;
}

async function mapped<T>(p: Promise<T>, onNotFound?: () => T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (onNotFound && isNotFound(e)) return onNotFound();
    throw failure(e);
  }
}

const listedPolicy = (name: string): Policy => ({
  id: '',
  name,
  spiffeidPattern: '',
  pathPattern: '',
  permissions: null,
  createdAt: '0001-01-01T00:00:00Z',
  updatedAt: '0001-01-01T00:00:00Z',
});

const metadataResponse = (m: SecretMetadataAnswer): SecretMetadataResponse => ({ versions: m.versions, metadata: m.metadata, err: '' });

export function pilotNexusApi(caller: NexusCaller): PilotNexusApi {
  const client = callerClient(caller);
  const base = NEXUS_BASE;
  return {
    listSecrets: () => mapped(listSecrets(client, base), () => []),
    deleteSecret: (path, versions) => mapped(deleteSecret(client, base, path, versions)),
    undeleteSecret: (path, versions) => mapped(undeleteSecret(client, base, path, versions)),
    getSecretMetadata: async (path, version) => metadataResponse(await mapped(getSecretMetadata(client, base, path, version))),
    putPolicy: (p) =>
      mapped(putPolicy(client, base, { name: p.name, spiffeIdPattern: p.spiffeidPattern, pathPattern: p.pathPattern, permissions: p.permissions ?? [] })),
    getPolicy: async (name) => {
      const p = await mapped(getPolicy(client, base, name));
      return { id: '', name: p.name, spiffeidPattern: p.spiffeIdPattern, pathPattern: p.pathPattern, permissions: [...p.permissions], createdAt: p.createdAt, updatedAt: p.updatedAt };
    },
    deletePolicy: (name) => mapped(deletePolicy(client, base, name)),
    listPolicies: async (filter) => {
      const names = await mapped(listPolicies(client, base, { spiffeIdPattern: filter.spiffeidPattern, pathPattern: filter.pathPattern }), () => []);
      return names.map(listedPolicy);
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
