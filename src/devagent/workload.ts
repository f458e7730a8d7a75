// One workload's Workload API endpoint: a grpc-js server on
// <SPIKE_DEV_DIR>/sockets/<workload>.sock serving FetchX509SVID and
// FetchX509Bundles from the workload's current SVID. Open streams get the
// current state at once and a full new state on every rotation or entry
// change; when the entry is deleted they end with PERMISSION_DENIED (and new
// calls get it too) until an entry comes back.
import * as grpc from '@grpc/grpc-js';
import { rmSync } from 'node:fs';
import {
  addWorkloadApiService,
  hasWorkloadApiHeader,
  type X509BundlesRequestMessage,
  type X509BundlesResponseMessage,
  type X509SvidRequestMessage,
  type X509SvidResponseMessage,
} from '../spiffe/proto.js';
import type { DevCa, IssuedSvid } from './ca.js';
import { checkSocketPath } from './paths.js';

/** What a pushed write may wait for a slow client before the change is reported done anyway. */
const PUSH_WAIT_MS = 2_000;

export interface WorkloadLog {
  info(msg: string, fields?: Record<string, string | number>): void;
  warn(msg: string, fields?: Record<string, string | number>): void;
}

type SvidCall = grpc.ServerWritableStream<X509SvidRequestMessage, X509SvidResponseMessage>;
type BundlesCall = grpc.ServerWritableStream<X509BundlesRequestMessage, X509BundlesResponseMessage>;

function endWith(call: grpc.ServerWritableStream<unknown, unknown>, code: grpc.status, details: string): void {
  // grpc-js: emit('error') ends a server stream with a status; destroy(err) leaves the client hanging.
  call.emit('error', { code, details });
}

export class WorkloadEndpoint {
  readonly socketPath: string;
  #server: grpc.Server | undefined;
  #svid: IssuedSvid | undefined;
  #timer: NodeJS.Timeout | undefined;
  #svidCalls = new Set<SvidCall>();
  #bundleCalls = new Set<BundlesCall>();
  /** Serialises identity changes and rotations of this workload. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    readonly workload: string,
    socketPath: string,
    private readonly ca: DevCa,
    private readonly ttlMs: number,
    private readonly log: WorkloadLog,
  ) {
    checkSocketPath(socketPath);
    this.socketPath = socketPath;
  }

  /** The SPIFFE ID currently served, if any. */
  get spiffeId(): string | undefined {
    return this.#svid?.spiffeId;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Starts listening (removing a stale socket file first). */
  async listen(): Promise<void> {
    if (this.#server || this.#closed) return;
    rmSync(this.socketPath, { force: true });
    const server = new grpc.Server();
    addWorkloadApiService(server, {
      FetchX509SVID: (call) => this.#onFetchX509Svid(call),
      FetchX509Bundles: (call) => this.#onFetchX509Bundles(call),
    });
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`unix://${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
    });
    this.#server = server;
  }

  /**
   * Serves `spiffeId` from now on (a fresh SVID, pushed to every open stream before
   * the promise resolves), or revokes the identity when `spiffeId` is undefined.
   */
  setIdentity(spiffeId: string | undefined): Promise<void> {
    return this.#enqueue(async () => {
      if (spiffeId === undefined) {
        this.#revoke();
        return;
      }
      await this.#issueAndPush(spiffeId, 'entry');
    });
  }

  /** Stops the server at once (open streams end), zeroes the key. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    this.#server?.forceShutdown();
    this.#server = undefined;
    this.#svidCalls.clear();
    this.#bundleCalls.clear();
    this.#svid?.keyPkcs8.fill(0);
    this.#svid = undefined;
    rmSync(this.socketPath, { force: true });
  }

  #enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #issueAndPush(spiffeId: string, reason: string): Promise<void> {
    if (this.#closed) return;
    const fresh = await this.ca.issueSvid(spiffeId, this.ttlMs);
    if (this.#closed) {
      fresh.keyPkcs8.fill(0);
      return;
    }
    const old = this.#svid;
    this.#svid = fresh;
    old?.keyPkcs8.fill(0);
    this.#scheduleRotation(fresh);
    this.log.info('svid_issued', {
      workload: this.workload,
      spiffe_id: spiffeId,
      reason,
      not_after: fresh.notAfter.toISOString(),
      streams: this.#svidCalls.size,
    });
    await Promise.all([...this.#svidCalls].map((c) => this.#writeSvid(c, fresh)));
    if (old === undefined) await Promise.all([...this.#bundleCalls].map((c) => this.#writeBundles(c)));
  }

  #revoke(): void {
    this.#clearTimer();
    const old = this.#svid;
    this.#svid = undefined;
    old?.keyPkcs8.fill(0);
    for (const c of this.#svidCalls) endWith(c, grpc.status.PERMISSION_DENIED, 'no identity issued');
    for (const c of this.#bundleCalls) endWith(c, grpc.status.PERMISSION_DENIED, 'no identity issued');
    this.#svidCalls.clear();
    this.#bundleCalls.clear();
    if (old) this.log.info('identity_revoked', { workload: this.workload, spiffe_id: old.spiffeId });
  }

  #scheduleRotation(svid: IssuedSvid): void {
    this.#clearTimer();
    const lifetime = svid.notAfter.getTime() - Date.now();
    const delay = Math.max(250, Math.floor(Math.min(this.ttlMs, lifetime) / 2));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#enqueue(async () => {
        // Only rotate what is still served: an entry change may have replaced or revoked it.
        if (this.#svid === svid) await this.#issueAndPush(svid.spiffeId, 'rotation');
      }).catch((e: unknown) => {
        this.log.warn('rotation_failed', { workload: this.workload, error: (e as Error).message ?? String(e) });
        if (this.#svid === svid && !this.#closed) this.#scheduleRotation(svid);
      });
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #svidMessage(svid: IssuedSvid): { msg: X509SvidResponseMessage; key: Buffer } {
    // Each write gets its own copy of the key, zeroed once grpc-js has serialised it.
    const key = Buffer.from(svid.keyPkcs8);
    const msg: X509SvidResponseMessage = {
      svids: [{ spiffe_id: svid.spiffeId, x509_svid: svid.certDer, x509_svid_key: key, bundle: this.ca.certDer, hint: '' }],
      crl: [],
      federated_bundles: {},
    };
    return { msg, key };
  }

  #bundlesMessage(): X509BundlesResponseMessage {
    return { crl: [], bundles: { [`spiffe://${this.ca.trustDomain}`]: this.ca.certDer } };
  }

  /** Writes and resolves once the bytes reached the socket (or the stream died, or PUSH_WAIT_MS passed). */
  #write<T>(call: grpc.ServerWritableStream<unknown, T>, msg: T, after?: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        after?.();
        resolve();
      };
      const timer = setTimeout(finish, PUSH_WAIT_MS);
      timer.unref();
      try {
        call.write(msg, () => finish());
      } catch {
        finish();
      }
    });
  }

  #writeSvid(call: SvidCall, svid: IssuedSvid): Promise<void> {
    const { msg, key } = this.#svidMessage(svid);
    return this.#write(call, msg, () => key.fill(0));
  }

  #writeBundles(call: BundlesCall): Promise<void> {
    return this.#write(call, this.#bundlesMessage());
  }

  #onFetchX509Svid(call: SvidCall): void {
    if (!hasWorkloadApiHeader(call.metadata)) {
      endWith(call, grpc.status.INVALID_ARGUMENT, 'security header missing from request');
      return;
    }
    const svid = this.#svid;
    if (svid === undefined) {
      endWith(call, grpc.status.PERMISSION_DENIED, 'no identity issued');
      return;
    }
    this.#svidCalls.add(call);
    const forget = (): void => {
      this.#svidCalls.delete(call);
    };
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('error', forget);
    void this.#writeSvid(call, svid);
  }

  #onFetchX509Bundles(call: BundlesCall): void {
    if (!hasWorkloadApiHeader(call.metadata)) {
      endWith(call, grpc.status.INVALID_ARGUMENT, 'security header missing from request');
      return;
    }
    if (this.#svid === undefined) {
      endWith(call, grpc.status.PERMISSION_DENIED, 'no identity issued');
      return;
    }
    this.#bundleCalls.add(call);
    const forget = (): void => {
      this.#bundleCalls.delete(call);
    };
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('error', forget);
    void this.#writeBundles(call);
  }
}
