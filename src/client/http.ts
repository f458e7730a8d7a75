// The SPIKE client's connection to Nexus and Keepers: the transport of
// transport.ts with TLS options taken fresh from the SVID source for every
// request (a rotated SVID is used at once), no CA given to Node (it never
// builds its root certificate store), and the server checked by our own
// X.509-SVID verification against the bundle of its trust domain, its SPIFFE
// ID pinned by an authorizer, before any request byte is written.
import { mtlsClientCredentials, verifyMtlsServer } from '../spiffe/tlsconfig.js';
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
    tlsOptions: () => mtlsClientCredentials(opts.source),
    verifyServer: (socket) => {
      verifyMtlsServer(socket, opts.source.getBundles(), opts.serverAuthorizer);
    },
    timeoutMs: opts.timeoutMs,
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
    maxResponseBytes: opts.maxResponseBytes,
  });
}

