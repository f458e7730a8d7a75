// The typed errors of the SpikeClient library (src/client/spike-client.ts):
// one class per thing a workload may want to handle differently, all
// subclasses of SpikeError. `toSpikeError` maps what the lower layers throw
// (ClientError of the transport and typed calls, WorkloadApiError of the SVID
// source) onto them, following upstream's HandleAPIError order: the HTTP
// status first, then the `err` code of a 200 answer. Messages are one line
// and never carry request or response bodies (they may hold secret values).
import { ClientError } from './errors.js';
import { WorkloadApiError } from '../spiffe/x509context.js';

/** What went wrong, as a string (also the class: see SpikeError's subclasses). */
export type SpikeErrorKind =
  | 'not_found'
  | 'unauthorized'
  | 'not_ready'
  | 'bad_request'
  | 'server'
  | 'transport'
  | 'timeout'
  | 'identity'
  | 'workload_api'
  | 'closed';

export interface SpikeErrorDetails {
  /** HTTP status of Nexus's answer, when it answered. */
  status?: number;
  /** Upstream error code of the answer (`access_unauthorized`, `state_not_ready`, …), when present. */
  code?: string;
  /** Whether the request may have reached Nexus (false only when provably not: nothing was sent). */
  maybeSent?: boolean;
  cause?: unknown;
}

/** The base class of every error SpikeClient throws for a failed call. */
export class SpikeError extends Error {
  override name = 'SpikeError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** See SpikeErrorDetails.maybeSent; true when unknown or when Nexus answered. */
  readonly maybeSent: boolean;

  constructor(
    readonly kind: SpikeErrorKind,
    message: string,
    details: SpikeErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.maybeSent = details.maybeSent ?? true;
  }
}

/** The path, version or policy does not exist (HTTP 404, `api_not_found`). */
export class SpikeNotFoundError extends SpikeError {
  override name = 'SpikeNotFoundError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('not_found', message, details);
  }
}

/** No policy lets this workload's SPIFFE ID do that (HTTP 401/403, `access_unauthorized`). */
export class SpikeUnauthorizedError extends SpikeError {
  override name = 'SpikeUnauthorizedError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('unauthorized', message, details);
  }
}

/** Nexus has no root key yet (HTTP 503, `state_not_ready`): starting, or waiting for a restore. Retry later. */
export class SpikeNotReadyError extends SpikeError {
  override name = 'SpikeNotReadyError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('not_ready', message, details);
  }
}

/** Nexus refused the request as malformed (HTTP 400, `api_bad_request`, `data_invalid_input`). */
export class SpikeBadRequestError extends SpikeError {
  override name = 'SpikeBadRequestError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('bad_request', message, details);
  }
}

/** Any other answer Nexus gave (another status or error code), or an answer that could not be read. */
export class SpikeServerError extends SpikeError {
  override name = 'SpikeServerError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('server', message, details);
  }
}

/** No answer from any Nexus URL (refused, reset, DNS, TLS failure, …). */
export class SpikeTransportError extends SpikeError {
  override name = 'SpikeTransportError';
  constructor(message: string, details?: SpikeErrorDetails, kind: 'transport' | 'timeout' = 'transport') {
    super(kind, message, details);
  }
}

/** The call's deadline passed or its AbortSignal fired before an answer (a transport error too). */
export class SpikeTimeoutError extends SpikeTransportError {
  override name = 'SpikeTimeoutError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super(message, details, 'timeout');
  }
}

/**
 * SPIFFE authentication failed: the server's SVID is not a valid SPIKE Nexus
 * SVID of the trusted trust domains (never retried on another URL), or this
 * workload's own SVID is unusable.
 */
export class SpikeIdentityError extends SpikeError {
  override name = 'SpikeIdentityError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('identity', message, details);
  }
}

/** No X.509-SVID from the SPIFFE Workload API (no agent, no registration entry, deadline). */
export class SpikeWorkloadApiError extends SpikeError {
  override name = 'SpikeWorkloadApiError';
  constructor(message: string, details?: SpikeErrorDetails) {
    super('workload_api', message, details);
  }
}

/** The client was closed (`close()`) before or during the call. */
export class SpikeClosedError extends SpikeError {
  override name = 'SpikeClosedError';
  constructor(message = 'SpikeClient is closed') {
    super('closed', message, { maybeSent: false });
  }
}

/** The kinds an answer of Nexus maps to (by its status or `err` code), each with its class. */
type AnswerKind = 'not_found' | 'unauthorized' | 'not_ready' | 'bad_request' | 'server';
const ANSWER_ERRORS: Readonly<Record<AnswerKind, new (message: string, details?: SpikeErrorDetails) => SpikeError>> = {
  not_found: SpikeNotFoundError,
  unauthorized: SpikeUnauthorizedError,
  not_ready: SpikeNotReadyError,
  bad_request: SpikeBadRequestError,
  server: SpikeServerError,
};

function byCode(code: string | undefined): AnswerKind | undefined {
  switch (code) {
    case 'api_not_found':
      return 'not_found';
    case 'access_unauthorized':
      return 'unauthorized';
    case 'state_not_ready':
      return 'not_ready';
    case 'api_bad_request':
    case 'data_invalid_input':
      return 'bad_request';
    default:
      return undefined;
  }
}

function byStatus(status: number): AnswerKind | undefined {
  switch (status) {
    case 404:
      return 'not_found';
    case 401:
    case 403:
      return 'unauthorized';
    case 503:
      return 'not_ready';
    case 400:
      return 'bad_request';
    default:
      return undefined;
  }
}

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0] ?? '';
}

/**
 * The typed error for anything a call threw. A non-200 status decides by
 * itself (404, 401/403, 503, 400; others are SpikeServerError); a 200 answer
 * carrying an `err` code decides by the code. Errors that are not from the
 * client layers (a RangeError for a bad argument, …) are returned unchanged.
 */
export function toSpikeError(e: unknown): unknown {
  if (e instanceof SpikeError) return e;
  if (e instanceof WorkloadApiError) return new SpikeWorkloadApiError(firstLine(e), { cause: e, maybeSent: false });
  if (!(e instanceof ClientError)) return e;
  const details: SpikeErrorDetails = { status: e.status, code: e.code, maybeSent: e.maybeSent, cause: e };
  switch (e.kind) {
    case 'transport':
      return new SpikeTransportError(firstLine(e), details);
    case 'timeout':
      return new SpikeTimeoutError(firstLine(e), details);
    case 'identity':
      return new SpikeIdentityError(firstLine(e), details);
    case 'decode':
      return new SpikeServerError(firstLine(e), details);
    case 'status': {
      const status = e.status ?? 0;
      const kind = (status === 200 ? byCode(e.code) : (byStatus(status) ?? byCode(e.code))) ?? 'server';
      return new ANSWER_ERRORS[kind](firstLine(e), details);
    }
    default:
      return new SpikeServerError(firstLine(e), details);
  }
}
