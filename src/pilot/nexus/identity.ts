// The real PilotIdentity: one X.509-SVID fetched from the Workload API (with
// a deadline, docs/design.md § No hanging) and the mTLS client of Nexus pinning
// Nexus's SPIFFE ID. A CLI run is short, so it uses the light one-shot fetch
// (src/spiffe/fetch.ts, node:http2) rather than X509Source (grpc-js, which
// also follows rotations): ~40 ms less start-up (test/bench/README.md). This
// module is itself loaded with `await import()` (cli.ts), so `spike --help`
// never loads it or the TLS/HTTP modules it imports statically (one chunk
// instead of six dynamic imports).
import { createSpikeHttpClient } from '../../client/http.js';
import type { PilotConfig } from '../config.js';
import { urlFor } from '../../protocol/paths.js';
import { isNexus } from '../../protocol/roles.js';
import { authorizeIf } from '../../spiffe/authorizer.js';
import { fetchX509Source } from '../../spiffe/fetch.js';
import { CliError, ExitCode, firstLine } from '../output/exit.js';
import type { NexusCaller, PilotIdentity } from '../runtime.js';

function svidFailure(cfg: PilotConfig, detail: string): CliError {
  return new CliError(
    ExitCode.identity,
    `Failed to get an X509-SVID from the SPIFFE Workload API at ${cfg.spiffe.endpointSocket} (${detail}).`,
  );
}

export async function openWorkloadIdentity(cfg: PilotConfig): Promise<PilotIdentity> {
  let source: Awaited<ReturnType<typeof fetchX509Source>>;
  try {
    // fetchX509Source has its own deadline (SPIKE_SPIFFE_SOURCE_TIMEOUT) and leaves nothing open.
    source = await fetchX509Source({ address: cfg.spiffe.endpointSocket, timeoutMs: cfg.spiffe.sourceTimeoutMs });
  } catch (e) {
    // A malformed SPIFFE_ENDPOINT_SOCKET is a configuration error, not an identity failure.
    if (e instanceof Error && e.name === 'WorkloadApiAddressError') {
      throw new CliError(ExitCode.usage, `Invalid configuration: SPIFFE_ENDPOINT_SOCKET: ${firstLine(e)}`);
    }
    // WorkloadApiError already names the socket and the deadline.
    if (e instanceof Error && e.name === 'WorkloadApiError') {
      throw new CliError(ExitCode.identity, `Failed to get an X509-SVID: ${firstLine(e)}`);
    }
    throw svidFailure(cfg, firstLine(e));
  }
  const spiffeId = source.getX509Svid().id.toString();

  const closers: (() => void)[] = [];
  let closed = false;
  return {
    spiffeId,
    async connectNexus(): Promise<NexusCaller> {
      const roots = cfg.trustRoots.nexus;
      let nexusId: string | undefined;
      const serverAuthorizer = authorizeIf((id) => {
        const ok = isNexus(id, roots);
        if (ok) nexusId = id;
        return ok;
      }, `a SPIKE Nexus SPIFFE ID (trust roots ${roots.join(', ')})`);
      const client = createSpikeHttpClient({ source, serverAuthorizer, timeoutMs: cfg.httpTimeoutMs });
      closers.push(() => client.close());
      return {
        post: (path, action, body) => client.postJson(urlFor(cfg.nexusUrl, path, action), body),
        peerId: () => nexusId,
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const c of closers) c();
    },
  };
}
