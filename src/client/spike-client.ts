// SpikeClient: the library a Node workload uses to talk to SPIKE Nexus (the
// counterpart of spike-sdk-go's api.API: New → SpikeClient.create,
// NewWithSource → create({ source }), Close → close). Its identity is a
// long-lived X509Source on the SPIFFE Workload API that follows rotations
// (every new connection presents the current SVID); Nexus's SPIFFE ID is
// pinned; calls go through the failover client (several Nexus URLs) and
// api.ts's typed calls; failures are the typed errors of sdk-errors.ts.
// Secret values come back as Buffers the caller owns and may zero.
import { authorizeIf } from '../spiffe/authorizer.js';
import { WorkloadApiAddressError } from '../spiffe/address.js';
import { X509Source } from '../spiffe/workloadapi.js';
import type { X509SvidSource } from '../spiffe/x509context.js';
import { isNexus } from '../protocol/roles.js';
import * as api from './api.js';
import { cipherDecrypt, cipherDecryptStream, cipherEncrypt, cipherEncryptStream } from './cipher.js';
import { createFailoverClient, type FailoverClient } from './failover.js';
import { createSpikeHttpClient } from './http.js';
import { emptyIfNotFound } from './not-found.js';
import type { CallOptions, SpikeHttpClient } from './transport.js';
import { SpikeClosedError, SpikeError, SpikeWorkloadApiError, toSpikeError } from './sdk-errors.js';
import { resolveSdkOptions, type ResolvedSdkOptions, type SpikeClientOptions } from './sdk-options.js';
import { goTimeToDate, secretValuesFromStrings, secretValuesToStrings, type Secret, type SecretInput } from './sdk-values.js';

export type { SpikeClientOptions } from './sdk-options.js';

/** A deadline for one call: shorter than the client's `timeoutMs` (never longer), and/or an AbortSignal. */
export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GetSecretOptions extends RequestOptions {
  /** The version to read (default 0: the current one). */
  version?: number;
}

export interface SecretVersionsOptions extends RequestOptions {
  /** Versions to act on (default []: the current one). */
  versions?: readonly number[];
}

/** A secret as the library returns it (defined with the value helpers: sdk-values.ts). */
export type { Secret } from './sdk-values.js';

export interface SecretVersionInfo {
  version: number;
  createdTime: Date;
  /** When this version was deleted; null while it is live. */
  deletedTime: Date | null;
}

export interface SecretMetadata {
  currentVersion: number;
  oldestVersion: number;
  createdTime: Date;
  updatedTime: Date;
  maxVersions: number;
  /** Every version Nexus keeps (deleted ones too), by number. */
  versions: Map<number, SecretVersionInfo>;
}

/** Permissions upstream SPIKE knows; others are sent as given. */
export type PolicyPermission = 'read' | 'write' | 'list' | 'execute' | 'super' | (string & {});

export interface PolicySpec {
  name: string;
  /** A regular expression the workload's SPIFFE ID must match. */
  spiffeIdPattern: string;
  /** A regular expression the secret path must match. */
  pathPattern: string;
  permissions: readonly PolicyPermission[];
}

export interface Policy extends PolicySpec {
  permissions: PolicyPermission[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ListPoliciesOptions extends RequestOptions {
  /** Only policies whose SPIFFE ID pattern is exactly this. */
  spiffeIdPattern?: string;
  /** Only policies whose path pattern is exactly this. */
  pathPattern?: string;
}

export interface CipherOptions extends RequestOptions {
  /** An algorithm hint sent along (upstream's `algorithm`; Nexus uses AES-256-GCM whatever it says). */
  algorithm?: string;
}

/** What `encrypt` gives and `decrypt` takes (upstream's JSON mode). */
export interface EncryptedData {
  /** The cipher format version (1). */
  version: number;
  /** The 12-byte AES-GCM nonce. */
  nonce: Buffer;
  /** The ciphertext with its 16-byte GCM tag. */
  ciphertext: Buffer;
}

/** The workload's current X.509-SVID, as far as callers need to know it. */
export interface WorkloadIdentity {
  spiffeId: string;
  /** The leaf certificate's serial number (hex, as node:crypto gives it): it changes with every rotation. */
  serialNumber: string;
  notAfter: Date;
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new RangeError('SpikeClient: a secret path must be a non-empty string');
  return path;
}

function checkVersion(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`SpikeClient: a version must be a whole number ≥ 0, got ${String(v)}`);
  return v;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new RangeError('SpikeClient: a policy name must be a non-empty string');
  return name;
}

/** `v` as a Buffer over the same memory (no copy), or a RangeError. */
function checkBytes(v: unknown, what: string): Buffer {
  if (!(v instanceof Uint8Array)) throw new RangeError(`SpikeClient: ${what} must be a Buffer or Uint8Array`);
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export class SpikeClient {
  readonly #source: X509SvidSource;
  readonly #ownSource: X509Source | undefined;
  readonly #http: FailoverClient;
  readonly #settings: ResolvedSdkOptions;
  #nexusId: string | undefined;
  #closed = false;
  readonly #inFlight = new Set<AbortController>();

  private constructor(source: X509SvidSource, ownSource: X509Source | undefined, settings: ResolvedSdkOptions) {
    this.#source = source;
    this.#ownSource = ownSource;
    this.#settings = settings;
    const roots = settings.nexusTrustRoots;
    const serverAuthorizer = authorizeIf((id) => {
      const ok = isNexus(id, roots);
      if (ok) this.#nexusId = id;
      return ok;
    }, `a SPIKE Nexus SPIFFE ID (trust roots ${roots.join(', ')})`);
    const inner: SpikeHttpClient = createSpikeHttpClient({
      source,
      serverAuthorizer,
      timeoutMs: settings.timeoutMs,
      ...(settings.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: settings.connectTimeoutMs }),
    });
    this.#http = createFailoverClient(inner, settings.nexusUrls);
  }

  /**
   * Opens the workload's identity (an X509Source on the Workload API, kept
   * up to date as the SVID rotates) and returns a client of SPIKE Nexus.
   * With `opts.source`, that source is used and left open by `close()`.
   * Rejects with SpikeWorkloadApiError when no SVID comes within
   * `sourceTimeoutMs`, RangeError for invalid options.
   */
  static async create(opts: SpikeClientOptions = {}): Promise<SpikeClient> {
    const settings = resolveSdkOptions(opts);
    if (opts.source !== undefined) return new SpikeClient(opts.source, undefined, settings);
    let source: X509Source;
    try {
      source = await X509Source.create({
        address: settings.endpointSocket,
        timeoutMs: settings.sourceTimeoutMs,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
    } catch (e) {
      if (e instanceof WorkloadApiAddressError) throw new RangeError(`SpikeClient: endpointSocket: ${e.message}`, { cause: e });
      const mapped = toSpikeError(e);
      throw mapped instanceof SpikeError ? mapped : new SpikeWorkloadApiError(e instanceof Error ? e.message : String(e), { cause: e, maybeSent: false });
    }
    try {
      return new SpikeClient(source, source, settings);
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  /** The Nexus URLs this client uses, in order. */
  get nexusUrls(): readonly URL[] {
    return this.#settings.nexusUrls;
  }

  /** The SPIFFE ID of the Nexus this client last connected to (undefined before the first connection). */
  get nexusId(): string | undefined {
    return this.#nexusId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The workload's current SVID (the one the next new connection presents). */
  identity(): WorkloadIdentity {
    this.#checkOpen();
    const svid = this.#source.getX509Svid();
    const leaf = svid.chain[0];
    return { spiffeId: svid.id.toString(), serialNumber: leaf?.serialNumber ?? '', notAfter: svid.notAfter };
  }

  // ---- secrets --------------------------------------------------------------

  /** Reads a secret (the current version, or `opts.version`). SpikeNotFoundError when there is none. */
  async getSecret(path: string, opts: GetSecretOptions = {}): Promise<Secret> {
    checkPath(path);
    const version = checkVersion(opts.version ?? 0);
    const data = await this.#run(opts, (c, base, o) => api.getSecret(c, base, path, version, o));
    return secretValuesFromStrings(path, data);
  }

  /**
   * Writes a new version of the secret at `path` with these values (a Map or
   * a plain object; string or UTF-8 bytes). Not retried on another Nexus once
   * it may have been sent (it would write a second version).
   */
  async putSecret(path: string, values: SecretInput, opts: RequestOptions = {}): Promise<void> {
    checkPath(path);
    const strings = secretValuesToStrings(values);
    await this.#run(opts, (c, base, o) => api.putSecret(c, base, path, strings, o));
  }

  /** Every secret path this workload may list (deleted ones too), sorted; [] when there are none (Nexus answers 404). */
  async listSecrets(opts: RequestOptions = {}): Promise<string[]> {
    return this.#run(opts, (c, base, o) => emptyIfNotFound(api.listSecrets(c, base, o)));
  }

  /** Soft-deletes versions of a secret (default: the current one). SpikeNotFoundError when the path does not exist. */
  async deleteSecret(path: string, opts: SecretVersionsOptions = {}): Promise<void> {
    checkPath(path);
    const versions = (opts.versions ?? []).map(checkVersion);
    await this.#run(opts, (c, base, o) => api.deleteSecret(c, base, path, versions, o));
  }

  /** Restores deleted versions (default: the current one, or the highest deleted). SpikeNotFoundError when nothing was undeleted. */
  async undeleteSecret(path: string, opts: SecretVersionsOptions = {}): Promise<void> {
    checkPath(path);
    const versions = (opts.versions ?? []).map(checkVersion);
    await this.#run(opts, (c, base, o) => api.undeleteSecret(c, base, path, versions, o));
  }

  /** A secret's versions and counters (no values). SpikeNotFoundError when that version is not readable. */
  async getSecretMetadata(path: string, opts: GetSecretOptions = {}): Promise<SecretMetadata> {
    checkPath(path);
    const version = checkVersion(opts.version ?? 0);
    const r = await this.#run(opts, (c, base, o) => api.getSecretMetadata(c, base, path, version, o));
    const versions = new Map<number, SecretVersionInfo>();
    for (const [n, v] of r.versions) {
      versions.set(n, { version: v.version, createdTime: goTimeToDate(v.createdTime), deletedTime: v.deletedTime === null ? null : goTimeToDate(v.deletedTime) });
    }
    return {
      currentVersion: r.metadata.currentVersion,
      oldestVersion: r.metadata.oldestVersion,
      createdTime: goTimeToDate(r.metadata.createdTime),
      updatedTime: goTimeToDate(r.metadata.updatedTime),
      maxVersions: r.metadata.maxVersions,
      versions,
    };
  }

  // ---- policies (need a superuser identity) ----------------------------------

  /** Creates a policy, or replaces the one with this name (upstream CreatePolicy). */
  async createPolicy(policy: PolicySpec, opts: RequestOptions = {}): Promise<void> {
    checkName(policy.name);
    await this.#run(opts, (c, base, o) => api.putPolicy(c, base, policy, o));
  }

  /** A policy by name. SpikeNotFoundError when there is none. */
  async getPolicy(name: string, opts: RequestOptions = {}): Promise<Policy> {
    checkName(name);
    const p = await this.#run(opts, (c, base, o) => api.getPolicy(c, base, name, o));
    return { ...p, permissions: [...p.permissions], createdAt: goTimeToDate(p.createdAt), updatedAt: goTimeToDate(p.updatedAt) };
  }

  /** Deletes a policy by name. SpikeNotFoundError when there is none. */
  async deletePolicy(name: string, opts: RequestOptions = {}): Promise<void> {
    checkName(name);
    await this.#run(opts, (c, base, o) => api.deletePolicy(c, base, name, o));
  }

  /** Policy names, optionally only those whose patterns are exactly the given ones; [] when there are none (Nexus answers 404). */
  async listPolicies(opts: ListPoliciesOptions = {}): Promise<string[]> {
    const filter: api.PolicyListFilter = {
      ...(opts.spiffeIdPattern === undefined ? {} : { spiffeIdPattern: opts.spiffeIdPattern }),
      ...(opts.pathPattern === undefined ? {} : { pathPattern: opts.pathPattern }),
    };
    return this.#run(opts, (c, base, o) => emptyIfNotFound(api.listPolicies(c, base, filter, o)));
  }

  // ---- encryption as a service (superuser, a lite workload, or `execute` on spike/system/cipher/exec) ----

  /**
   * Encrypts with Nexus's key (upstream CipherEncryptJSON). A string is
   * taken as UTF-8; the caller keeps ownership of a Uint8Array (it is not
   * zeroed; the request body holding it is).
   */
  async encrypt(plaintext: Uint8Array | string, opts: CipherOptions = {}): Promise<EncryptedData> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : checkBytes(plaintext, 'plaintext');
    try {
      return await this.#run(opts, (c, base, o) => cipherEncrypt(c, base, { plaintext: bytes, ...(opts.algorithm === undefined ? {} : { algorithm: opts.algorithm }) }, o));
    } finally {
      if (typeof plaintext === 'string') bytes.fill(0);
    }
  }

  /** Decrypts what `encrypt` gave (upstream CipherDecryptJSON). The plaintext is a Buffer the caller should zero. */
  async decrypt(data: EncryptedData, opts: CipherOptions = {}): Promise<Buffer> {
    if (data === null || typeof data !== 'object') throw new RangeError('SpikeClient: decrypt needs { version, nonce, ciphertext }');
    const input = { version: data.version, nonce: checkBytes(data.nonce, 'nonce'), ciphertext: checkBytes(data.ciphertext, 'ciphertext') };
    return this.#run(opts, (c, base, o) => cipherDecrypt(c, base, { ...input, ...(opts.algorithm === undefined ? {} : { algorithm: opts.algorithm }) }, o));
  }

  /**
   * Encrypts in stream mode (upstream CipherEncryptStream, application/octet-stream):
   * the answer is one Buffer, `version ‖ nonce ‖ ciphertext`.
   */
  async encryptStream(plaintext: Uint8Array | string, opts: RequestOptions = {}): Promise<Buffer> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : checkBytes(plaintext, 'plaintext');
    try {
      return await this.#run(opts, (c, base, o) => cipherEncryptStream(c, base, bytes, o));
    } finally {
      if (typeof plaintext === 'string') bytes.fill(0);
    }
  }

  /** Decrypts `version ‖ nonce ‖ ciphertext` in stream mode (upstream CipherDecryptStream); zero the plaintext after use. */
  async decryptStream(sealed: Uint8Array, opts: RequestOptions = {}): Promise<Buffer> {
    const bytes = checkBytes(sealed, 'sealed data');
    return this.#run(opts, (c, base, o) => cipherDecryptStream(c, base, bytes, o));
  }

  // ---- lifecycle ---------------------------------------------------------------

  /**
   * Releases everything: aborts calls in flight (they reject with
   * SpikeClosedError), closes the connections to Nexus and, unless it was
   * passed in, the Workload API source. Idempotent; later calls reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#inFlight) c.abort();
    this.#inFlight.clear();
    this.#http.close();
    await this.#ownSource?.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new SpikeClosedError();
  }

  /** Runs one typed call with the caller's deadline, mapping failures to typed errors. */
  async #run<T>(opts: RequestOptions, fn: (client: SpikeHttpClient, base: URL, call: CallOptions) => Promise<T>): Promise<T> {
    this.#checkOpen();
    if (opts.timeoutMs !== undefined && (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0)) {
      throw new RangeError(`SpikeClient: timeoutMs must be a positive number of milliseconds, got ${opts.timeoutMs}`);
    }
    const local = new AbortController();
    const onAbort = (): void => local.abort();
    if (opts.signal?.aborted === true) local.abort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.#inFlight.add(local);
    try {
      return await fn(this.#http, this.#http.base, { signal: local.signal, ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) });
    } catch (e) {
      if (this.#closed) throw new SpikeClosedError('SpikeClient was closed during the call');
      throw toSpikeError(e);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      this.#inFlight.delete(local);
    }
  }
}
