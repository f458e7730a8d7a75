// Typed errors of the SPIKE HTTP client. Messages are one line and never carry
// request or response bodies (they may hold shards or secret values).

export type ClientErrorKind = 'transport' | 'identity' | 'timeout' | 'status' | 'decode';

export interface ClientErrorDetails {
  /** HTTP status when the server answered. */
  status?: number;
  /** Upstream error code from the answer's `err`/`Err` field, when present. */
  code?: string;
  /** Node error code of the underlying failure (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, …). */
  cause?: unknown;
  /**
   * Whether the request may have reached the server: false only when no TLS
   * session was ever established for it (refused, DNS, connect timeout, a
   * handshake that failed), so none of its bytes can have been read.
   */
  maybeSent?: boolean;
}

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** See ClientErrorDetails.maybeSent; true when unknown. */
  readonly maybeSent: boolean;

  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    details: ClientErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.maybeSent = details.maybeSent ?? true;
  }
}

export function isClientError(e: unknown): e is ClientError {
  return e instanceof ClientError;
}
