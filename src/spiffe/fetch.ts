// A light, one-shot X.509-SVID fetch for short-lived CLIs: one
// FetchX509SVID call over node:http2 (gRPC framing by hand), the first
// length-prefixed message decoded by pbdecode.ts and verified by
// parseX509SvidResponse, then the connection is closed.
//
// Why not grpc-js: loading grpc-js + protobufjs and compiling the proto costs
// a CLI ~40 ms of its ~100 ms start-up (test/bench/README.md). Long-running
// servers keep X509Source (grpc-js), which also follows rotations.
//
// Retries (go-spiffe semantics, shorter steps for a CLI): every failure
// (PERMISSION_DENIED = no identity yet, UNAVAILABLE, no socket, a stream that
// ends without a message, an invalid message) is retried with a linear
// backoff (util/backoff.ts) until the deadline; INVALID_ARGUMENT and
// UNIMPLEMENTED are final.
// Every error names the socket.
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { parseWorkloadApiAddress, type WorkloadApiAddress } from './address.js';
import { decodeX509SvidResponse } from './pbdecode.js';
import { WorkloadApiError, formatDuration, parseX509SvidResponse, StaticX509Source, type BackoffOptions, type X509Context } from './x509context.js';
import type { X509Svid } from './x509svid.js';
import { RetryExhaustedError, retry } from '../util/backoff.js';

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
}

const FETCH_PATH = '/SpiffeWorkloadAPI/FetchX509SVID';
const DEFAULT_FETCH_BACKOFF: BackoffOptions = { stepMs: 200, maxMs: 2000 };
const DEFAULT_MAX_MESSAGE = 4 * 1024 * 1024;
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

type Attempt =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'status'; code: number; details: string }
  | { kind: 'failure'; problem: string }
  | { kind: 'deadline' }
  | { kind: 'aborted' };

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

function grpcStatus(h: IncomingHttpHeaders): number | undefined {
  const v = h['grpc-status'];
  if (v === undefined) return undefined;
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isInteger(n) && n >= 0 ? n : 2; // unparsable: UNKNOWN
}

function openSession(address: WorkloadApiAddress): ClientHttp2Session {
  if (address.kind === 'unix') {
    const path = address.target.slice('unix:'.length);
    return connect('http://localhost', { createConnection: () => netConnect(path) });
  }
  const url = new URL(address.display);
  return connect(`http://${url.host}`);
}

/** One FetchX509SVID call: the first message, or why there was none. */
function attempt(address: WorkloadApiAddress, timeoutMs: number, maxBytes: number, signal: AbortSignal | undefined): Promise<Attempt> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let settled = false;
    let session: ClientHttp2Session;
    const finish = (a: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const c of chunks) c.fill(0);
      session.destroy();
      resolve(a);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'deadline' }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      session = openSession(address);
    } catch (e) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ kind: 'failure', problem: `UNAVAILABLE: ${(e as Error).message}` });
      return;
    }
    session.on('error', (e: Error) => finish({ kind: 'failure', problem: `UNAVAILABLE: ${e.message}` }));
    session.on('close', () => finish({ kind: 'failure', problem: 'UNAVAILABLE: the connection closed' }));
    const req = session.request(
      {
        ':method': 'POST',
        ':path': FETCH_PATH,
        'content-type': 'application/grpc',
        te: 'trailers',
        'workload.spiffe.io': 'true',
      },
      { endStream: false },
    );
    req.on('error', (e: Error) => finish({ kind: 'failure', problem: `UNAVAILABLE: ${e.message}` }));
    req.on('response', (h) => {
      const status = Number(h[constants.HTTP2_HEADER_STATUS]);
      if (status !== 200) {
        finish({ kind: 'failure', problem: `UNAVAILABLE: HTTP status ${status} from the Workload API` });
        return;
      }
      const code = grpcStatus(h); // trailers-only answer
      if (code !== undefined) finish({ kind: 'status', code, details: grpcMessage(h['grpc-message']) });
    });
    let expected: number | undefined; // frame length (5-byte prefix + message) once the prefix is in
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (expected === undefined) {
        if (have < 5) return;
        const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, 5);
        if (head[0] !== 0) {
          finish({ kind: 'failure', problem: 'the Workload API sent a compressed message (not negotiated)' });
          return;
        }
        const len = head.readUInt32BE(1);
        if (len > maxBytes) {
          finish({ kind: 'failure', problem: `the Workload API sent a message of ${len} bytes (limit ${maxBytes})` });
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
    });
    req.on('trailers', (t) => {
      const code = grpcStatus(t) ?? 2;
      if (code === 0) finish({ kind: 'failure', problem: 'the Workload API ended the stream' });
      else finish({ kind: 'status', code, details: grpcMessage(t['grpc-message']) });
    });
    req.on('close', () => finish({ kind: 'failure', problem: 'UNAVAILABLE: the stream closed without a message' }));
    // The empty X509SVIDRequest: an uncompressed frame of length 0.
    req.end(Buffer.alloc(5));
  });
}

/**
 * Fetches the current X.509 context once (SVIDs and bundles, verified as
 * X509Source does). Rejects with `WorkloadApiError` naming the socket at the
 * deadline, on INVALID_ARGUMENT/UNIMPLEMENTED, or when aborted; with
 * `WorkloadApiAddressError` for a malformed address.
 */
export async function fetchX509Context(opts: FetchX509ContextOptions): Promise<X509Context> {
  const address = parseWorkloadApiAddress(opts.address);
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
    throw new WorkloadApiError(`fetchX509Context: timeoutMs must be a positive number, got ${opts.timeoutMs}`);
  }
  const backoff = { ...DEFAULT_FETCH_BACKOFF, ...opts.backoff };
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  /** Why the last attempt gave no SVID (for the error at the deadline). */
  let problem = 'no answer yet';
  const again = (why: string): Error => {
    problem = why;
    return new Error(why);
  };
  try {
    return await retry(
      async (_attempt, remainingMs) => {
        const a = await attempt(address, remainingMs, maxBytes, opts.signal);
        switch (a.kind) {
          case 'aborted':
          case 'deadline':
            throw new Error(a.kind); // retry stops: the signal aborted, or no time is left
          case 'message':
            try {
              return parseX509SvidResponse(decodeX509SvidResponse(a.bytes));
            } catch (e) {
              throw again(`invalid X509SVIDResponse: ${(e as Error).message.replace(/^invalid X509SVIDResponse: /, '')}`);
            } finally {
              a.bytes.fill(0);
            }
          case 'status': {
            const why = `${statusName(a.code)}: ${a.details || 'no details'}`;
            if (a.code === INVALID_ARGUMENT || a.code === UNIMPLEMENTED) {
              throw new WorkloadApiError(`Workload API at ${address.display} refused the request: ${why}`, a.code);
            }
            throw again(why);
          }
          case 'failure':
            throw again(a.problem);
        }
      },
      {
        initialMs: backoff.stepMs,
        maxMs: backoff.maxMs,
        growth: 'linear',
        deadlineMs: opts.timeoutMs,
        signal: opts.signal,
        retryable: (e) => !(e instanceof WorkloadApiError),
      },
    );
  } catch (e) {
    if (opts.signal?.aborted) {
      throw new WorkloadApiError(`waiting for an X.509-SVID from the Workload API at ${address.display} was aborted`);
    }
    if (e instanceof RetryExhaustedError) {
      throw new WorkloadApiError(`no X.509-SVID from the Workload API at ${address.display} within ${formatDuration(opts.timeoutMs)}: ${problem}`);
    }
    throw e;
  }
}

/** `fetchX509Context` wrapped in a StaticX509Source (what `mtlsClientOptions` takes). */
export async function fetchX509Source(
  opts: FetchX509ContextOptions & { picker?: (svids: readonly X509Svid[]) => X509Svid },
): Promise<StaticX509Source> {
  return new StaticX509Source(await fetchX509Context(opts), opts.picker);
}
