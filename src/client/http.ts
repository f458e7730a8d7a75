// The SPIKE client's connection to Nexus and Keepers: the transport of
// transport.ts with TLS options taken fresh from the SVID source for every
// request (a rotated SVID is used at once) and the server's SPIFFE ID pinned
// by an authorizer.
import { mtlsClientOptions } from '../spiffe/tlsconfig.js';
import type { X509SvidSource } from '../spiffe/x509context.js';
import type { Authorizer } from '../spiffe/authorizer.js';
import { createHttpsJsonClient, type SpikeHttpClient } from './transport.js';

export interface SpikeHttpClientOptions {
  /** Any SVID source: the streaming X509Source (servers) or a one-shot fetched one (CLIs). */
  source: X509SvidSource;
  /** Authorizes the server's SPIFFE ID (e.g. Nexus only, Keeper only). */
  serverAuthorizer: Authorizer;
  /** Deadline of each call, connect and whole request included. */
  timeoutMs: number;
  /** See HttpsJsonClientOptions.connectTimeoutMs (default: none). */
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
}

/** The client of Nexus and Keepers, authenticated with the source's SVID. */
export function createSpikeHttpClient(opts: SpikeHttpClientOptions): SpikeHttpClient {
  return createHttpsJsonClient({
    tlsOptions: () => mtlsClientOptions(opts.source, opts.serverAuthorizer),
    timeoutMs: opts.timeoutMs,
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
    maxResponseBytes: opts.maxResponseBytes,
  });
}

