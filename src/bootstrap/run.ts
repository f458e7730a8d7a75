// SPIKE Bootstrap's work once it decided to run (upstream app/bootstrap):
// root key → Shamir shares → share i to keeper i (all must accept) → Nexus
// proves it rebuilt the same key (verify probe) → completion marker (the file
// bootstrap.json, or on PostgreSQL the store's bootstrap row). The
// network calls are injected so that this runs in unit tests without TLS.
import { ClientError } from '../client/errors.js';
import { RetryExhaustedError, retry } from '../util/backoff.js';
import { computeShares } from '../shamir/index.js';
import type { BootstrapConfig } from './config.js';
import { makeVerificationProbe } from './probe.js';
import { generateRootKey } from '../shamir/index.js';
import { writeMarker, type BootstrapMarker } from './marker.js';

/** A failure that ends Bootstrap: one line, no secrets. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}

export interface BootstrapNetwork {
  /** POST share to a keeper's /v1/store/contribute within `timeoutMs`. */
  contribute(keeper: URL, shard: Uint8Array, timeoutMs: number): Promise<void>;
  /** POST the probe to Nexus's /v1/bootstrap/verify; returns the hash. */
  verify(nonce: Uint8Array, ciphertext: Uint8Array): Promise<string>;
}

export interface BootstrapRunOptions {
  config: Pick<
    BootstrapConfig,
    | 'keeperPeers'
    | 'shamir'
    | 'nexusDataDir'
    | 'keeperTimeoutMs'
    | 'keeperMaxRetries'
    | 'keeperRetryInitialMs'
    | 'keeperRetryMaxMs'
    | 'verificationTimeoutMs'
  >;
  network: BootstrapNetwork;
  /** The Bootstrap's own SPIFFE ID, recorded in the marker. */
  selfId: string;
  onProgress?: (msg: string, fields: Record<string, string | number>) => void;
  random?: (n: number) => Buffer;
  /**
   * Records completion once Nexus verified the key; default: the file
   * `<nexusDataDir>/bootstrap.json`. The postgres backend claims the store's
   * bootstrap row instead (store-marker.ts).
   */
  recordCompletion?: (marker: BootstrapMarker) => Promise<void>;
  /** Where the completion was recorded, for the error message when recording fails (default: the data dir). */
  completionPlace?: string;
  /** Verify retry pacing (defaults 1s → 10s). */
  verifyRetryInitialMs?: number;
  verifyRetryMaxMs?: number;
}

/**
 * Retry delays double from the configured initial delay up to the configured
 * cap; each is shortened by up to 20% at random (upstream's retry package
 * randomises its delays too), so keepers that came back together are not
 * called in lockstep.
 */
const RETRY_JITTER = 0.2;

/** A client failure worth another attempt: no answer (transport, timeout), or an answer whose status `retryStatus` accepts. */
function retryableWhen(retryStatus: (status: number | undefined) => boolean): (e: unknown) => boolean {
  return (e) => e instanceof ClientError && (e.kind === 'status' ? retryStatus(e.status) : e.kind === 'transport' || e.kind === 'timeout');
}

/** Keeper calls: anything but a definite refusal (400/401: retrying will not help). */
const keeperRetryable = retryableWhen((status) => status !== 400 && status !== 401);

/** Nexus answers 503 until it has rebuilt the key from the keepers; 500 while it holds another key. */
const verifyRetryable = retryableWhen((status) => status === 503 || status === 500 || status === 502 || status === 504);

function describe(e: unknown): string {
  if (e instanceof RetryExhaustedError) return describe(e.last);
  return e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e);
}

export async function runBootstrap(opts: BootstrapRunOptions): Promise<void> {
  const { config } = opts;
  const peers = config.keeperPeers;
  const { shares: n, threshold } = config.shamir;
  if (peers.length === 0) {
    throw new BootstrapError('SPIKE_NEXUS_KEEPER_PEERS must be configured in the environment');
  }
  if (peers.length !== n) {
    throw new BootstrapError(
      `keeper count mismatch: SPIKE_NEXUS_SHAMIR_SHARES=${n} but ${peers.length} keepers configured in SPIKE_NEXUS_KEEPER_PEERS; these values must match`,
    );
  }

  const rootKey = generateRootKey(opts.random);
  const shares = computeShares(rootKey, threshold, n);
  try {
    await Promise.all(
      peers.map(async (keeper, i) => {
        const id = i + 1;
        const share = shares.find((s) => s.id === id);
        if (share === undefined) throw new BootstrapError(`no share with id ${id}`);
        try {
          await retry((_attempt, remainingMs) => opts.network.contribute(keeper, share.value, remainingMs), {
            maxAttempts: config.keeperMaxRetries,
            initialMs: config.keeperRetryInitialMs,
            maxMs: config.keeperRetryMaxMs,
            jitter: RETRY_JITTER,
            deadlineMs: config.keeperTimeoutMs,
            retryable: keeperRetryable,
            onRetry: (attempt, e, delayMs) =>
              opts.onProgress?.('keeper_retry', { keeper: id, attempt, delay_ms: Math.round(delayMs), error: describe(e) }),
          });
        } catch (e) {
          const attempts = e instanceof RetryExhaustedError ? e.attempts : 1;
          throw new BootstrapError(
            `failed to reach keeper ${id} at ${keeper.origin} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${describe(e)}); ensure all keepers are running and rerun bootstrap`,
          );
        }
        opts.onProgress?.('keeper_contributed', { keeper: id, url: keeper.origin });
      }),
    );

    const probe = makeVerificationProbe(rootKey, opts.random);
    let hash: string;
    try {
      hash = await retry(() => opts.network.verify(probe.nonce, probe.ciphertext), {
        initialMs: opts.verifyRetryInitialMs ?? 1000,
        maxMs: opts.verifyRetryMaxMs ?? 10_000,
        jitter: RETRY_JITTER,
        deadlineMs: config.verificationTimeoutMs,
        retryable: verifyRetryable,
        onRetry: (attempt, e, delayMs) => opts.onProgress?.('verify_retry', { attempt, delay_ms: Math.round(delayMs), error: describe(e) }),
      });
    } catch (e) {
      throw new BootstrapError(`SPIKE Nexus did not verify the new root key: ${describe(e)}`);
    }
    if (hash !== probe.expectedHash) {
      throw new BootstrapError('SPIKE Nexus answered the verification probe with a wrong hash: it holds a different root key');
    }
  } finally {
    rootKey.fill(0);
    for (const s of shares) s.value.fill(0);
  }

  const marker: BootstrapMarker = {
    bootstrap_completed: true,
    completed_at: new Date().toISOString(),
    completed_by: opts.selfId,
    shares: n,
    threshold,
  };
  try {
    if (opts.recordCompletion === undefined) writeMarker(config.nexusDataDir, marker);
    else await opts.recordCompletion(marker);
  } catch (e) {
    throw new BootstrapError(`root key installed, but the completion marker could not be written in ${opts.completionPlace ?? config.nexusDataDir}: ${describe(e)}`);
  }
}
