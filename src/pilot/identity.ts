// The real PilotIdentity: an X509Source on the Workload API (with a deadline,
// spec README decision 4) and the mTLS client of Nexus pinning Nexus's SPIFFE
// ID. The heavy modules (grpc, TLS, x509) are loaded here with `await
// import()` so that `spike --help` never loads them.
import type { PilotConfig } from '../protocol/config/pilot.js';
import { CliError, ExitCode, firstLine } from './exit.js';
import type { NexusCaller, PilotIdentity } from './runtime.js';

/** Extra time past SPIKE_SPIFFE_SOURCE_TIMEOUT before we stop waiting for X509Source.create ourselves. */
const SOURCE_GRACE_MS = 1000;

function svidFailure(cfg: PilotConfig, detail: string): CliError {
  return new CliError(
    ExitCode.identity,
    `Failed to get an X509-SVID from the SPIFFE Workload API at ${cfg.spiffe.endpointSocket} (${detail}).`,
  );
}

export async function openWorkloadIdentity(cfg: PilotConfig): Promise<PilotIdentity> {
  const { X509Source } = await import('../spiffe/workloadapi.js');
  const timeoutMs = cfg.spiffe.sourceTimeoutMs;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const creating = X509Source.create({ address: cfg.spiffe.endpointSocket, timeoutMs, signal: abort.signal });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(svidFailure(cfg, `no SVID within ${timeoutMs} ms`));
    }, timeoutMs + SOURCE_GRACE_MS);
  });
  let source: Awaited<typeof creating>;
  try {
    source = await Promise.race([creating, deadline]);
  } catch (e) {
    // A source that shows up after we gave up must not keep the process alive.
    creating.then((s) => s.close()).catch(() => undefined);
    if (e instanceof CliError) throw e;
    // A malformed SPIFFE_ENDPOINT_SOCKET is a configuration error, not an identity failure.
    if (e instanceof Error && e.name === 'WorkloadApiAddressError') {
      throw new CliError(ExitCode.usage, `Invalid configuration: SPIFFE_ENDPOINT_SOCKET: ${firstLine(e)}`);
    }
    // WorkloadApiError already names the socket and the deadline.
    if (e instanceof Error && e.name === 'WorkloadApiError') {
      throw new CliError(ExitCode.identity, `Failed to get an X509-SVID: ${firstLine(e).replace(/\s*Resolution note:\s*$/, '')}`);
    }
    throw svidFailure(cfg, firstLine(e));
  } finally {
    clearTimeout(timer);
  }

  let spiffeId: string;
  try {
    spiffeId = source.getX509Svid().id.toString();
  } catch (e) {
    await source.close();
    throw svidFailure(cfg, firstLine(e));
  }

  const closers: (() => void)[] = [];
  let closed = false;
  return {
    spiffeId,
    async connectNexus(): Promise<NexusCaller> {
      const [{ createSpikeHttpClient }, { authorizeIf }, { isNexus }, { urlFor }] = await Promise.all([
        import('../client/http.js'),
        import('../spiffe/authorizer.js'),
        import('../protocol/roles.js'),
        import('../protocol/paths.js'),
      ]);
      const roots = cfg.trustRoots.nexus;
      const client = createSpikeHttpClient({
        source,
        serverAuthorizer: authorizeIf((id) => isNexus(id, roots), `a SPIKE Nexus SPIFFE ID (trust roots ${roots.join(', ')})`),
        timeoutMs: cfg.httpTimeoutMs,
      });
      closers.push(() => client.close());
      return {
        post: (path, action, body) => client.postJson(urlFor(cfg.nexusUrl, path, action), body),
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const c of closers) c();
      await source.close();
    },
  };
}
