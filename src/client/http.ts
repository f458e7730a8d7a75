// The SPIKE client's connection to Nexus and Keepers: the transport of
// transport.ts with TLS options taken fresh from the X509Source for every
// request (a rotated SVID is used at once) and the server's SPIFFE ID pinned
// by an authorizer.
import { mtlsClientOptions } from '../spiffe/tlsconfig.js';
import type { X509Source } from '../spiffe/workloadapi.js';
import type { Authorizer } from '../spiffe/authorizer.js';
import { createHttpsJsonClient, type SpikeHttpClient } from './transport.js';

export interface SpikeHttpClientOptions {
  source: X509Source;
  /** Authorizes the server's SPIFFE ID (e.g. Nexus only, Keeper only). */
  serverAuthorizer: Authorizer;
  /** Deadline of each call, connect and whole request included. */
  timeoutMs: number;
  maxResponseBytes?: number;
}

/** The client of Nexus and Keepers, authenticated with the source's SVID. */
export function createSpikeHttpClient(opts: SpikeHttpClientOptions): SpikeHttpClient {
  return createHttpsJsonClient({
    tlsOptions: () => mtlsClientOptions(opts.source, opts.serverAuthorizer),
    timeoutMs: opts.timeoutMs,
    maxResponseBytes: opts.maxResponseBytes,
  });
}

