// Root-key lifecycle: a rebuilt key is installed only after the store's key
// check ('match' or 'empty'); a 'mismatch' or a key a rotation retired
// ('retired') is refused and changes nothing (docs/design.md § Restore).
// Installs are serialised; the first one wins and later candidates are
// answered 'already_installed'. During a root-key rotation the store accepts
// the old and the new key; whichever was installed, the in-memory root key
// is the store's sealing key (the new one), and the rotation is resumed
// (docs/design.md § Root-key rotation).
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import { RootKey } from './rootkey.js';
import type { KeyCheck, SecretsStore, StoreGate } from './store-interface.js';
import { rotationOf } from '../rotation/types.js';

export type KeySource = 'keepers' | 'restore';


export type InstallResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'mismatch' | 'retired' | 'already_installed' | 'store_error' | 'closed' };

/** How and when the live root key was installed (the bootstrap verify window starts there). */
export interface InstallRecord {
  readonly source: KeySource;
  /** Date.now() at install. */
  readonly atMs: number;
}

export interface NexusStateOptions {
  gate: StoreGate;
  log: Logger;
  /** Called (not awaited) after every successful install: push shards to the Keepers. */
  onInstalled?: (source: KeySource) => void;
  /** Called (not awaited) after an install that found a rotation in the store: resume it. */
  onRotationFound?: () => void;
}

export class NexusState {
  readonly rootKey = new RootKey();
  #store: SecretsStore | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #keyless = false;
  #installed: InstallRecord | undefined;
  readonly #gate: StoreGate;
  readonly #log: Logger;
  readonly #onInstalled: ((source: KeySource) => void) | undefined;
  readonly #onRotationFound: (() => void) | undefined;

  constructor(opts: NexusStateOptions) {
    this.#gate = opts.gate;
    this.#log = opts.log;
    this.#onInstalled = opts.onInstalled;
    this.#onRotationFound = opts.onRotationFound;
  }

  /** True once the root key is installed and the store is open (or a keyless memory store is attached). */
  ready(): boolean {
    return this.#store !== undefined && (this.#keyless || this.rootKey.has());
  }

  /** How and when the root key was installed; undefined before (and for a keyless store). */
  installed(): InstallRecord | undefined {
    return this.#installed;
  }

  /** Memory backend (upstream): no root key, no Keepers; the store is usable at once. */
  async openKeyless(): Promise<void> {
    this.#store = await this.#gate.open(new Uint8Array(0));
    this.#keyless = true;
  }

  /** The open store, or undefined before the root key is known. */
  store(): SecretsStore | undefined {
    return this.#store;
  }

  /** Whether the store holds data encrypted with some key (for `restore_needed`). */
  hasKeyCheck(): Promise<boolean> {
    return this.#gate.hasKeyCheck();
  }

  /** Checks a candidate key against the store without installing it. */
  checkKey(key: Uint8Array): Promise<KeyCheck> {
    return this.#gate.checkKey(key);
  }

  /**
   * Runs `fn` with a synchronous, check-only key checker (nothing is
   * installed or written): restore's search over candidate sets.
   */
  withKeyCheck<T>(fn: (check: (key: Uint8Array) => KeyCheck) => T): Promise<T> {
    return this.#gate.withKeyCheck(fn);
  }

  /**
   * Checks `key` against the store and installs it. The caller keeps
   * ownership of `key` (we copy it) and should zero it afterwards.
   */
  install(key: Uint8Array, source: KeySource): Promise<InstallResult> {
    const run = this.#queue.then(() => this.#installNow(key, source));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #installNow(key: Uint8Array, source: KeySource): Promise<InstallResult> {
    if (this.#closed) return { ok: false, reason: 'closed' };
    if (this.ready()) return { ok: false, reason: 'already_installed' };
    let check: KeyCheck;
    try {
      check = await this.#gate.checkKey(key);
    } catch (e) {
      this.#log.error('root key check failed', { source, error: describeError(e) });
      return { ok: false, reason: 'store_error' };
    }
    if (check === 'mismatch') {
      this.#log.event('root_key_rejected', { source, reason: 'key_check_mismatch' });
      return { ok: false, reason: 'mismatch' };
    }
    if (check === 'retired') {
      this.#log.event('root_key_rejected', { source, reason: 'retired' });
      return { ok: false, reason: 'retired' };
    }
    try {
      this.#store = await this.#gate.open(key);
    } catch (e) {
      this.#log.error('opening the store failed', { source, error: describeError(e) });
      return { ok: false, reason: 'store_error' };
    }
    try {
      // During a rotation either key opens the store; Nexus holds (and pushes) the new one.
      const rotation = rotationOf(this.#store);
      if (rotation === undefined) this.rootKey.set(key);
      else rotation.withSealingKey((k) => this.rootKey.set(k));
    } catch (e) {
      this.#log.error('installing the root key failed', { source, error: describeError(e) });
      const s = this.#store;
      this.#store = undefined;
      this.rootKey.clear();
      await s?.close().catch((ce: unknown) => this.#log.error('closing the store failed', { error: describeError(ce) }));
      return { ok: false, reason: 'store_error' };
    }
    this.#installed = { source, atMs: Date.now() };
    this.#log.event('root_key_ready', { source });
    try {
      this.#onInstalled?.(source);
    } catch (e) {
      this.#log.error('post-install hook failed', { error: describeError(e) });
    }
    this.#resumeRotationIfAny();
    return { ok: true };
  }

  #resumeRotationIfAny(): void {
    try {
      if (rotationOf(this.#store)?.status() === undefined) return;
      this.#onRotationFound?.();
    } catch (e) {
      this.#log.error('resuming the root-key rotation failed', { error: describeError(e) });
    }
  }

  /**
   * Makes the in-memory root key the open store's sealing key (a rotation
   * began: from now on Nexus pushes and exports the new key). A no-op for a
   * store without rotation support.
   */
  adoptSealingKey(): void {
    const rotation = rotationOf(this.#store);
    if (rotation === undefined || this.#keyless) return;
    rotation.withSealingKey((k) => this.rootKey.set(k));
  }

  /**
   * The store retired the installed key (a rotation finished through another
   * replica while this one was not listening; docs/postgres.md § Root-key rotation):
   * the store is closed and the key zeroed, so ready() is false — nothing is
   * served and nothing pushed — until a key is installed again (from the Keepers).
   */
  dropRetiredKey(): Promise<void> {
    const run = this.#queue.then(async () => {
      const s = this.#store;
      if (s === undefined || this.#keyless || this.#closed) return;
      this.#store = undefined;
      this.rootKey.clear();
      this.#installed = undefined;
      this.#log.event('root_key_dropped', { reason: 'retired' });
      await s.close().catch((e: unknown) => this.#log.error('closing the store failed', { error: describeError(e) }));
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the store and zeroes the key (idempotent). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    const s = this.#store;
    this.#store = undefined;
    this.rootKey.clear();
    try {
      await s?.close();
    } finally {
      await this.#gate.close();
    }
  }
}
