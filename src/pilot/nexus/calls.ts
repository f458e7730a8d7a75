// How the Pilot's commands call SPIKE Nexus, and what a failed call looks
// like to the operator. The typed calls are src/client/api.ts's own
// functions, sent through the Pilot's NexusCaller (so unit tests script Nexus
// at the request level): a command gets them with asSuperuser(). Failures
// become upstream's stdout.HandleAPIError texts and the exit codes of
// docs/design.md § Exit codes. `secret put|get` and the operator commands post
// their bodies themselves and use the failure helpers below directly.
import { errCodeOf } from '../../client/json.js';
import { isClientError } from '../../client/errors.js';
// A list call whose 404 means "none": the client library's helper, as SpikeClient uses it.
export { emptyIfNotFound } from '../../client/not-found.js';
import type { SpikeHttpClient } from '../../client/transport.js';
import { ACTION_PARAM } from '../../protocol/paths.js';
import { CliError, ExitCode, firstLine, NotReadyError, oneLine } from '../output/exit.js';
import type { NexusAnswer, NexusCaller, PilotDeps } from '../runtime.js';
import { loadConfig, requireRole, withIdentity } from './session.js';

// ---- failures ---------------------------------------------------------------

/**
 * A call to Nexus that got no answer: `headline` is upstream's text; the
 * cause follows in parentheses. The server presenting a wrong SPIFFE ID (or
 * our own SVID failing) is an identity failure (exit 3); everything else exit 1.
 */
export function callFailure(e: unknown, headline: string): CliError {
  if (e instanceof CliError) return e;
  if (isClientError(e)) {
    // The client's message says which side failed (the server's SVID, or our own).
    return new CliError(e.kind === 'identity' ? ExitCode.identity : ExitCode.nexus, `${headline} (${oneLine(e.message)})`);
  }
  return new CliError(ExitCode.nexus, `${headline} (${firstLine(e)})`);
}

/** callFailure with upstream's HandleAPIError headline. */
export function connectFailure(e: unknown): CliError {
  return callFailure(e, 'Failed to connect to SPIKE Nexus.');
}

/**
 * SPIKE Nexus has no root key (HTTP 503 `state_not_ready`): it is starting
 * (getting its shards from the Keepers) or it waits for an operator restore.
 * Its answer cannot tell which; `spike operator status` can, with any Pilot role.
 */
export const NOT_READY_MESSAGE =
  'SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.';

function notReady(): NotReadyError {
  return new NotReadyError(ExitCode.nexus, NOT_READY_MESSAGE);
}

/** A non-200 answer → upstream's message (HandleAPIError order). */
export function answerFailure(answer: Pick<NexusAnswer, 'status'>): CliError {
  switch (answer.status) {
    case 503:
      return notReady();
    case 404:
      return new CliError(ExitCode.nexus, 'Resource not found.');
    case 400:
      return new CliError(ExitCode.nexus, 'Invalid request.');
    case 401:
      return new CliError(ExitCode.nexus, 'Unauthorized access.');
    default:
      return new CliError(ExitCode.nexus, `Failed to connect to SPIKE Nexus. (HTTP ${answer.status})`);
  }
}

/** The `err` code a 200 answer carries → upstream's message (HandleAPIError). */
export function errCodeFailure(code: string | undefined): CliError {
  switch (code) {
    case 'state_not_ready':
      return notReady();
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

/** A failed api.ts call (its ClientError) → what the operator sees. */
function typedCallFailure(e: unknown): CliError {
  if (isClientError(e) && e.kind === 'status' && e.status !== undefined) {
    return e.status === 200 ? errCodeFailure(e.code) : answerFailure({ status: e.status });
  }
  if (isClientError(e) && e.kind === 'decode') return new CliError(ExitCode.nexus, 'Failed to parse API response.');
  return connectFailure(e);
}

/** `HTTP 401 access_unauthorized` — a short description of an error answer (its `err` code read as Go reads it). */
export function describeAnswer(answer: NexusAnswer): string {
  const code = errCodeOf(answer.body);
  return code === undefined ? `HTTP ${answer.status}` : `HTTP ${answer.status} ${code}`;
}

// ---- typed calls ------------------------------------------------------------

/** Any base: the adapter below only passes the path and the action on. */
const NEXUS_BASE = new URL('https://spike-nexus.invalid');

/** api.ts's transport interface over a NexusCaller. */
function callerClient(caller: NexusCaller): SpikeHttpClient {
  return {
    postJson: (url, body, opts) => caller.post(url.pathname, url.searchParams.get(ACTION_PARAM) ?? undefined, body, opts),
    close: () => undefined,
  };
}

/**
 * The frame of every superuser command: configuration, the SVID, the role
 * check (exit 3 before any network call), then `fn`, which calls api.ts's
 * functions with `client` and `nexus`; their failures are mapped here.
 */
export async function asSuperuser<T>(deps: PilotDeps, fn: (client: SpikeHttpClient, nexus: URL) => Promise<T>): Promise<T> {
  const cfg = loadConfig(deps.env);
  return withIdentity(deps, cfg, async (identity) => {
    requireRole(identity.spiffeId, 'superuser', cfg);
    const client = callerClient(await identity.connectNexus());
    try {
      return await fn(client, NEXUS_BASE);
    } catch (e) {
      if (e instanceof CliError || !isClientError(e)) throw e;
      throw typedCallFailure(e);
    }
  });
}
