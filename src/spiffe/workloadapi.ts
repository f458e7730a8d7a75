// X509Source: the Workload API client (go-spiffe workloadapi.X509Source).
// Opens a FetchX509SVID stream, resolves `create()` on the first valid
// response (or rejects at the deadline with an error naming the socket),
// then keeps the stream open, replacing its state atomically with every full
// snapshot (rotation). When the stream ends it re-opens it: at once after a
// clean end that delivered data, otherwise with go-spiffe's linear backoff
// (util/backoff.ts: 1 s, 2 s, … 30 s, reset after any message). INVALID_ARGUMENT and
// UNIMPLEMENTED are final; CANCELLED is final only when we cancelled.
// The last good SVID and bundles are kept through errors.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { parseWorkloadApiAddress, type WorkloadApiAddress } from './address.js';
import { X509BundleSet, type X509Bundle } from './bundle.js';
import {
  workloadApiClientConstructor,
  workloadApiMetadata,
  type WorkloadApiClient,
  type X509SvidResponseMessage,
} from './proto.js';
import type { X509Svid } from './x509svid.js';
import { Backoff } from '../util/backoff.js';
import {
  DEFAULT_BACKOFF,
  WorkloadApiError,
  formatDuration,
  parseX509SvidResponse,
  type BackoffOptions,
  type X509Context,
  type X509SvidSource,
} from './x509context.js';

export { workloadApiProto } from './proto.js';

export {
  WorkloadApiError,
  formatDuration,
  parseX509SvidResponse,
  StaticX509Source,
  type BackoffOptions,
  type X509Context,
  type X509SvidSource,
} from './x509context.js';

export interface X509SourceOptions {
  /** `unix:///abs/path`, `unix:/abs/path` or `tcp://IP:PORT`. */
  address: string;
  /** Deadline for the first SVID. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Chooses the SVID to use among several (default: the first, as the spec says). */
  picker?: (svids: readonly X509Svid[]) => X509Svid;
  backoff?: Partial<BackoffOptions>;
}

function statusName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

export class X509Source extends EventEmitter implements X509SvidSource {
  readonly address: WorkloadApiAddress;
  readonly #client: WorkloadApiClient;
  readonly #picker: (svids: readonly X509Svid[]) => X509Svid;
  /** Delays before re-opening a stream that ended: linear, reset by every message. */
  readonly #retries: Backoff;
  #call: grpc.ClientReadableStream<X509SvidResponseMessage> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #stopped = false;
  #svid: X509Svid | undefined;
  #svids: X509Svid[] = [];
  #bundles = new X509BundleSet();
  #lastProblem = 'no answer yet';
  #firstUpdate: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(address: WorkloadApiAddress, opts: X509SourceOptions) {
    super();
    this.address = address;
    this.#picker = opts.picker ?? ((svids) => svids[0] as X509Svid);
    const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.#retries = new Backoff({ initialMs: backoff.stepMs, maxMs: backoff.maxMs, growth: 'linear' });
    const Client = workloadApiClientConstructor();
    this.#client = new Client(address.target, grpc.credentials.createInsecure(), {
      ...address.channelOptions,
      // Keep grpc-js' own reconnect delays short: our watch loop does the backoff.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': Math.max(1000, backoff.maxMs),
    });
  }

  /** Connects and resolves with the first valid X.509-SVID; rejects with `WorkloadApiError` at the deadline. */
  static async create(opts: X509SourceOptions): Promise<X509Source> {
    const address = parseWorkloadApiAddress(opts.address);
    if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
      throw new WorkloadApiError(`X509Source: timeoutMs must be a positive number, got ${opts.timeoutMs}`);
    }
    const source = new X509Source(address, opts);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        source.#firstUpdate = { resolve, reject };
        timer = setTimeout(() => {
          reject(
            new WorkloadApiError(
              `no X.509-SVID from the Workload API at ${address.display} within ${formatDuration(opts.timeoutMs)}: ${source.#lastProblem}`,
            ),
          );
        }, opts.timeoutMs);
        if (opts.signal) {
          onAbort = () => reject(new WorkloadApiError(`waiting for an X.509-SVID from the Workload API at ${address.display} was aborted`));
          if (opts.signal.aborted) onAbort();
          else opts.signal.addEventListener('abort', onAbort, { once: true });
        }
        source.#watch();
      });
    } catch (e) {
      await source.close();
      throw e;
    } finally {
      clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
      source.#firstUpdate = undefined;
    }
    return source;
  }

  /** The current default SVID. Throws after `close()`. */
  getX509Svid(): X509Svid {
    this.#checkOpen();
    return this.#svid as X509Svid;
  }

  /** Every SVID of the current state (the default one is `getX509Svid()`). */
  getX509Svids(): X509Svid[] {
    this.#checkOpen();
    return [...this.#svids];
  }

  getX509BundleForTrustDomain(td: string): X509Bundle | undefined {
    this.#checkOpen();
    return this.#bundles.getX509BundleForTrustDomain(td);
  }

  getBundles(): X509BundleSet {
    this.#checkOpen();
    return this.#bundles;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops watching and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
    this.#client.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new WorkloadApiError('x509source: source is closed');
  }

  #report(err: Error): void {
    // 'error' without a listener would throw: errors here are never fatal.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #watch(): void {
    if (this.#stopped) return;
    this.#retryTimer = undefined;
    let received = false;
    const call = this.#client.FetchX509SVID({}, workloadApiMetadata());
    this.#call = call;
    call.on('data', (msg: X509SvidResponseMessage) => {
      if (call !== this.#call) return;
      received = true;
      this.#retries.reset();
      this.#apply(msg);
    });
    // Non-OK statuses arrive as 'error' then 'status'; decide in 'status'.
    call.on('error', () => {});
    call.on('status', (st: grpc.StatusObject) => {
      if (call !== this.#call) return;
      this.#call = undefined;
      this.#onStreamEnd(st, received);
    });
  }

  #apply(msg: X509SvidResponseMessage): void {
    let ctx: X509Context;
    let svid: X509Svid;
    try {
      ctx = parseX509SvidResponse(msg);
      svid = this.#picker(ctx.svids);
      if (svid === undefined) throw new WorkloadApiError('invalid X509SVIDResponse: the picker chose no SVID');
    } catch (e) {
      const err = e instanceof WorkloadApiError ? e : new WorkloadApiError((e as Error).message);
      this.#lastProblem = err.message;
      this.#report(err);
      return;
    }
    this.#svids = ctx.svids;
    this.#bundles = ctx.bundles;
    this.#svid = svid;
    this.#firstUpdate?.resolve();
    this.emit('update', svid);
  }

  #onStreamEnd(st: grpc.StatusObject, received: boolean): void {
    if (this.#stopped) return;
    if (st.code === grpc.status.OK) {
      this.#lastProblem = 'the Workload API ended the stream';
      if (received) {
        this.#watch();
        return;
      }
    } else {
      this.#lastProblem = `${statusName(st.code)}: ${st.details || 'no details'}`;
    }
    const final = st.code === grpc.status.INVALID_ARGUMENT || st.code === grpc.status.UNIMPLEMENTED;
    const err = new WorkloadApiError(`Workload API at ${this.address.display}: ${this.#lastProblem}`, st.code);
    if (final) {
      this.#stopped = true;
      this.#firstUpdate?.reject(new WorkloadApiError(`Workload API at ${this.address.display} refused the request: ${this.#lastProblem}`, st.code));
      this.#report(err);
      return;
    }
    if (st.code !== grpc.status.OK) this.#report(err);
    this.#retryTimer = setTimeout(() => this.#watch(), this.#retries.next());
  }
}
