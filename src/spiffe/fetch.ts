// A light, one-shot X.509-SVID fetch for short-lived CLIs: one
// FetchX509SVID call over a minimal HTTP/2 client (h2call.ts; gRPC framing
// by hand), the first length-prefixed message decoded by pbdecode.ts and
// verified by parseX509SvidResponse, then the connection is closed.
//
// Why not grpc-js: loading grpc-js + protobufjs and compiling the proto costs
// a CLI ~40 ms of its ~100 ms start-up; node:http2 alone still ~8 ms of CPU
// (test/bench/README.md). Long-running servers keep X509Source (grpc-js),
// which also follows rotations.
//
// Retries (go-spiffe semantics, shorter for a CLI), by the kind of failure
// (WorkloadApiErrorKind, carried by every error this module throws):
// - no agent there (no socket, not a socket, refused, access denied on the
//   path): retried for `unreachableRetryMs` (default 3 s: an agent may be
//   starting), then final;
// - PERMISSION_DENIED (no identity for this workload yet): retried for
//   `noIdentityRetryMs` (default 5 s: a new entry reaches a SPIRE agent
//   within its 5 s sync interval), then final;
// - any other failure (the connection closed, a server error, an invalid
//   message): retried until the deadline (`timeoutMs`); a call that gets no
//   answer at all is bounded by the deadline too (`timeout`);
// - INVALID_ARGUMENT and UNIMPLEMENTED: final at once (`rejected`).
// Delays: a linear backoff (util/backoff.ts). Nothing is printed: a caller
// that wants to tell a person it is waiting passes `onProgress`.
// Every error names the socket.
import { statSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { parseWorkloadApiAddress, type WorkloadApiAddress } from './address.js';
import { startH2Call, type H2Call, type H2Headers } from './h2call.js';
import { decodeX509SvidResponse } from './pbdecode.js';
import {
  UNREACHABLE_KINDS,
  WorkloadApiError,
  formatDuration,
  parseX509SvidResponse,
  StaticX509Source,
  type BackoffOptions,
  type WorkloadApiErrorKind,
  type X509Context,
} from './x509context.js';
import type { X509Svid } from './x509svid.js';
import { RetryExhaustedError, retry } from '../util/backoff.js';

/** What `onProgress` hears while a fetch is under way. */
export type FetchProgress =
  /** Once, when no SVID has come after `waitingNoticeMs`. */
  | { type: 'waiting'; address: string; elapsedMs: number }
  /** Before each wait between two attempts: why the attempt failed and how long the wait is. */
  | { type: 'retry'; attempt: number; error: WorkloadApiError; delayMs: number };

export interface FetchX509ContextOptions {
  /** `unix:///abs/path`, `unix:/abs/path` or `tcp://IP:PORT`. */
  address: string;
  /** Deadline for the whole fetch, retries included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Default: 200 ms more per consecutive failure, at most 2 s. */
  backoff?: Partial<BackoffOptions>;
  /** Largest message accepted (default 4 MiB, grpc's default). */
  maxMessageBytes?: number;
  /** How long an unreachable Workload API (no socket, refused, …) is retried (default 3 s; never past `timeoutMs`). */
  unreachableRetryMs?: number;
  /** How long PERMISSION_DENIED (no identity for this workload) is retried (default 5 s; never past `timeoutMs`). */
  noIdentityRetryMs?: number;
  /** When the `waiting` progress event fires (default 1 s). */
  waitingNoticeMs?: number;
  /** Progress events (see FetchProgress); called synchronously, what it throws is ignored. */
  onProgress?: (p: FetchProgress) => void;
}

const FETCH_PATH = '/SpiffeWorkloadAPI/FetchX509SVID';
const DEFAULT_FETCH_BACKOFF: BackoffOptions = { stepMs: 200, maxMs: 2000 };
const DEFAULT_MAX_MESSAGE = 4 * 1024 * 1024;
const DEFAULT_UNREACHABLE_RETRY_MS = 3000;
const DEFAULT_NO_IDENTITY_RETRY_MS = 5000;
const DEFAULT_WAITING_NOTICE_MS = 1000;
const PERMISSION_DENIED = 7;
const INVALID_ARGUMENT = 3;
const UNIMPLEMENTED = 12;
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** Why one attempt gave no SVID: `reason` in plain words, `detail` with the technical cause (for messages). */
interface Failure {
  kind: WorkloadApiErrorKind;
  reason: string;
  detail: string;
  /** gRPC status code, when the server answered with one. */
  code?: number;
}

type Attempt =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'status'; code: number; details: string }
  | { kind: 'failure'; failure: Failure }
  | { kind: 'deadline' }
  | { kind: 'aborted' };

/** A failure worth another attempt (the only thing `retry` retries). */
class Retryable extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}

const NO_ANSWER: Failure = { kind: 'timeout', reason: 'no answer', detail: 'no answer' };

function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `status ${code}`;
}

/** grpc-message is percent-encoded; keep one short line. */
function grpcMessage(v: string | string[] | undefined): string {
  const raw = Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    text = raw;
  }
  return text.split(/\r?\n/)[0]?.slice(0, 300) ?? '';
}

function grpcStatus(h: H2Headers): number | undefined {
  const v = h['grpc-status'];
  if (v === undefined) return undefined;
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isInteger(n) && n >= 0 ? n : 2; // unparsable: UNKNOWN
}

function unavailable(reason: string, detail = reason): Failure {
  return { kind: 'unavailable', reason, detail };
}

function badResponse(reason: string): Failure {
  return { kind: 'bad_response', reason, detail: reason };
}

/** A connection error, by its errno (a stream cancelled because of the socket carries the socket's error as `cause`). */
function transportFailure(e: Error, address: WorkloadApiAddress): Failure {
  const root = (e as NodeJS.ErrnoException).code === 'ERR_HTTP2_STREAM_CANCEL' && e.cause instanceof Error ? e.cause : e;
  const detail = root.message;
  switch ((root as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'no_socket', reason: 'no such socket', detail };
    case 'ENOTSOCK':
      return { kind: 'not_a_socket', reason: 'the path is not a socket', detail };
    case 'ECONNREFUSED':
      return { kind: 'refused', reason: address.kind === 'unix' ? 'nothing is listening on the socket' : 'connection refused', detail };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'access_denied', reason: 'permission denied on the socket path', detail };
    default:
      return unavailable(`the connection failed (${detail})`, detail);
  }
}

/** A status other than OK, as a failure (the final ones are thrown by the caller). */
function statusFailure(code: number, details: string): Failure {
  const detail = `${statusName(code)}: ${details || 'no details'}`;
  switch (code) {
    case PERMISSION_DENIED:
      return { kind: 'permission_denied', reason: 'no identity issued for this workload', detail, code };
    case INVALID_ARGUMENT:
      return { kind: 'rejected', reason: `the Workload API refused the request as invalid${details ? ` (${details})` : ''}`, detail, code };
    case UNIMPLEMENTED:
      return { kind: 'rejected', reason: 'the server does not implement the Workload API call FetchX509SVID', detail, code };
    default:
      return { kind: 'unavailable', reason: `the Workload API reported an error${details ? ` (${details})` : ''}`, detail, code };
  }
}

/** ECONNREFUSED on a unix path that exists but is no socket (a plain file, a directory) says more as `not_a_socket`. */
async function refineRefused(f: Failure, address: WorkloadApiAddress): Promise<Failure> {
  if (f.kind !== 'refused' || address.kind !== 'unix') return f;
  try {
    const st = statSync(address.target.slice('unix:'.length));
    if (!st.isSocket()) return { ...f, kind: 'not_a_socket', reason: 'the path is not a socket' };
  } catch {
    // gone meanwhile: keep what connect said
  }
  return f;
}

/** Connects to the Workload API; `onSocketError` hears the socket's own error (with its errno). */
function openSocket(address: WorkloadApiAddress, onSocketError: (e: Error) => void): { socket: Socket; authority: string } {
  if (address.kind === 'unix') {
    return { socket: netConnect(address.target.slice('unix:'.length)).once('error', onSocketError), authority: 'localhost' };
  }
  // The target is `ipv4:IP:PORT` or `ipv6:[IP]:PORT` (address.ts): its rest is the authority.
  const authority = address.target.replace(/^ipv[46]:/, '');
  const colon = authority.lastIndexOf(':');
  const host = authority.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { socket: netConnect({ host, port: Number(authority.slice(colon + 1)) }).once('error', onSocketError), authority };
}

/** One FetchX509SVID call: the first message, or why there was none. */
function attempt(address: WorkloadApiAddress, timeoutMs: number, maxBytes: number, signal: AbortSignal | undefined): Promise<Attempt> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let settled = false;
    let socket: Socket | undefined;
    let call: H2Call | undefined;
    const finish = (a: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const c of chunks) c.fill(0);
      call?.destroy();
      socket?.destroy();
      resolve(a);
    };
    const fail = (f: Failure): void => finish({ kind: 'failure', failure: f });
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'deadline' }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    let expected: number | undefined; // frame length (5-byte prefix + message) once the prefix is in
    try {
      // The socket's own error comes first and carries the errno (ENOENT, ECONNREFUSED, …).
      const opened = openSocket(address, (e) => fail(transportFailure(e, address)));
      socket = opened.socket;
      call = startH2Call(
        socket,
        {
          authority: opened.authority,
          path: FETCH_PATH,
          headers: [
            ['content-type', 'application/grpc'],
            ['te', 'trailers'],
            ['workload.spiffe.io', 'true'],
          ],
          // The empty X509SVIDRequest: an uncompressed frame of length 0.
          body: Buffer.alloc(5),
        },
        {
          response: (h) => {
            const status = Number(h[':status']);
            if (status !== 200) {
              fail(unavailable(`the server answered HTTP status ${status}, not a Workload API answer`));
              return;
            }
            const code = grpcStatus(h); // trailers-only answer
            if (code !== undefined) finish({ kind: 'status', code, details: grpcMessage(h['grpc-message']) });
          },
          data: (chunk) => {
            chunks.push(chunk);
            have += chunk.length;
            if (expected === undefined) {
              if (have < 5) return;
              const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, 5);
              if (head[0] !== 0) {
                fail(badResponse('the Workload API sent a compressed message (not negotiated)'));
                return;
              }
              const len = head.readUInt32BE(1);
              if (len > maxBytes) {
                fail(badResponse(`the Workload API sent a message of ${len} bytes (limit ${maxBytes})`));
                return;
              }
              expected = 5 + len;
            }
            if (have < expected) return;
            // One copy of the whole frame, once; the chunks are zeroed by finish().
            const all = chunks.length === 1 ? chunk : Buffer.concat(chunks, have);
            const bytes = Buffer.from(all.subarray(5, expected));
            if (all !== chunk) all.fill(0);
            finish({ kind: 'message', bytes });
          },
          trailers: (t) => {
            const code = grpcStatus(t) ?? 2;
            if (code === 0) fail(unavailable('the Workload API ended the call without an answer'));
            else finish({ kind: 'status', code, details: grpcMessage(t['grpc-message']) });
          },
          close: (connectionGone) => fail(unavailable(connectionGone ? 'the connection closed' : 'the call ended without an answer')),
          error: (e) => fail(transportFailure(e, address)),
        },
      );
    } catch (e) {
      fail(transportFailure(e as Error, address));
    }
  });
}

function failureError(message: string, f: Failure): WorkloadApiError {
  return new WorkloadApiError(message, f.code, { kind: f.kind, reason: f.reason });
}

/**
 * Fetches the current X.509 context once (SVIDs and bundles, verified as
 * X509Source does). Rejects with a classified `WorkloadApiError` (its `kind`
 * and `reason`; the message names the socket): when an unreachable Workload
 * API or PERMISSION_DENIED outlasts its short retry, at the deadline, on
 * INVALID_ARGUMENT/UNIMPLEMENTED, or when aborted; with
 * `WorkloadApiAddressError` for a malformed address.
 */
export async function fetchX509Context(opts: FetchX509ContextOptions): Promise<X509Context> {
  const address = parseWorkloadApiAddress(opts.address);
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
    throw new WorkloadApiError(`fetchX509Context: timeoutMs must be a positive number, got ${opts.timeoutMs}`, undefined, {
      kind: 'bad_options',
      reason: 'invalid timeout',
    });
  }
  const backoff = { ...DEFAULT_FETCH_BACKOFF, ...opts.backoff };
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const unreachableMs = opts.unreachableRetryMs ?? DEFAULT_UNREACHABLE_RETRY_MS;
  const noIdentityMs = opts.noIdentityRetryMs ?? DEFAULT_NO_IDENTITY_RETRY_MS;
  const progress = (p: FetchProgress): void => {
    try {
      opts.onProgress?.(p);
    } catch {
      // a listener's failure is not the fetch's
    }
  };
  const waitingMs = opts.waitingNoticeMs ?? DEFAULT_WAITING_NOTICE_MS;
  const notice =
    opts.onProgress === undefined ? undefined : setTimeout(() => progress({ type: 'waiting', address: address.display, elapsedMs: waitingMs }), waitingMs);
  const start = performance.now();
  let last: Failure | undefined;
  try {
    return await retry(
      async (_attempt, remainingMs) => {
        const a = await attempt(address, remainingMs, maxBytes, opts.signal);
        let f: Failure;
        switch (a.kind) {
          case 'aborted':
            throw new Error('aborted'); // retry stops: the signal aborted
          case 'deadline': {
            // The attempt used up the whole remaining time: give up at once with
            // the last real failure (an attempt started just before the deadline
            // says little), else with "no answer". Not left to retry, whose own
            // clock may still see a millisecond left and open another connection.
            const f = last ?? NO_ANSWER;
            throw failureError(`no X.509-SVID from the Workload API at ${address.display} within ${formatDuration(opts.timeoutMs)}: ${f.detail}`, f);
          }
          case 'message':
            try {
              return parseX509SvidResponse(decodeX509SvidResponse(a.bytes));
            } catch (e) {
              f = badResponse(`invalid X509SVIDResponse: ${(e as Error).message.replace(/^invalid X509SVIDResponse: /, '')}`);
            } finally {
              a.bytes.fill(0);
            }
            break;
          case 'status':
            f = statusFailure(a.code, a.details);
            if (f.kind === 'rejected') throw failureError(`Workload API at ${address.display} refused the request: ${f.detail}`, f);
            break;
          case 'failure':
            f = await refineRefused(a.failure, address);
            break;
        }
        last = f;
        const elapsed = performance.now() - start;
        const brief = UNREACHABLE_KINDS.has(f.kind) ? unreachableMs : f.kind === 'permission_denied' ? noIdentityMs : Infinity;
        if (elapsed >= brief) {
          throw failureError(`no X.509-SVID from the Workload API at ${address.display} (retried for ${formatDuration(Math.round(elapsed))}): ${f.detail}`, f);
        }
        throw new Retryable(f);
      },
      {
        initialMs: backoff.stepMs,
        maxMs: backoff.maxMs,
        growth: 'linear',
        deadlineMs: opts.timeoutMs,
        signal: opts.signal,
        retryable: (e) => e instanceof Retryable,
        onRetry: (n, e, delayMs) => {
          const f = (e as Retryable).failure;
          progress({ type: 'retry', attempt: n, error: failureError(`Workload API at ${address.display}: ${f.detail}`, f), delayMs });
        },
      },
    );
  } catch (e) {
    if (opts.signal?.aborted) {
      throw new WorkloadApiError(`waiting for an X.509-SVID from the Workload API at ${address.display} was aborted`, undefined, {
        kind: 'aborted',
        reason: 'aborted',
      });
    }
    if (e instanceof RetryExhaustedError) {
      const f = e.last instanceof Retryable ? e.last.failure : NO_ANSWER;
      throw failureError(`no X.509-SVID from the Workload API at ${address.display} within ${formatDuration(opts.timeoutMs)}: ${f.detail}`, f);
    }
    throw e;
  } finally {
    clearTimeout(notice);
  }
}

/** `fetchX509Context` wrapped in a StaticX509Source (what `mtlsClientOptions` takes). */
export async function fetchX509Source(
  opts: FetchX509ContextOptions & { picker?: (svids: readonly X509Svid[]) => X509Svid },
): Promise<StaticX509Source> {
  return new StaticX509Source(await fetchX509Context(opts), opts.picker);
}
