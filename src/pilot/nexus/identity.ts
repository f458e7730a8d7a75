// The real PilotIdentity: one X.509-SVID fetched from the Workload API (with
// a deadline, docs/design.md § No hanging) and the mTLS client of Nexus pinning
// Nexus's SPIFFE ID. A CLI run is short, so it uses the light one-shot fetch
// (src/spiffe/fetch.ts, node:http2) rather than X509Source (grpc-js, which
// also follows rotations): ~40 ms less start-up (test/bench/README.md). This
// module is itself loaded with `await import()` (cli.ts), so `spike --help`
// never loads it or the TLS/HTTP modules it imports statically (one chunk
// instead of six dynamic imports).
import { createSpikeHttpClient } from '../../client/http.js';
import { createFailoverClient } from '../../client/failover.js';
import type { PilotConfig } from '../config.js';
import { urlFor } from '../../protocol/paths.js';
import { isNexus } from '../../protocol/roles.js';
import { authorizeIf } from '../../spiffe/authorizer.js';
import { fetchX509Source } from '../../spiffe/fetch.js';
import { formatDuration, WorkloadApiError } from '../../spiffe/x509context.js';
import { CliError, ExitCode, firstLine } from '../output/exit.js';
import {
  noSvidForPilotText,
  waitingForWorkloadApiText,
  workloadApiFailedText,
  workloadApiTimeoutText,
  workloadApiUnreachableText,
} from '../output/texts.js';
import type { NexusCaller, PilotIdentity } from '../runtime.js';

/** Where the "Waiting for the SPIFFE Workload API" notice goes: stderr, only when it is a terminal. */
export interface NoticeStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** The one line (exit 3) for a failed fetch, by its kind: docs/cli.md § Troubleshooting. */
export function svidFailure(cfg: PilotConfig, e: WorkloadApiError): CliError {
  const at = cfg.spiffe.endpointSocket;
  const set = cfg.spiffeSocketSet;
  const tcp = at.startsWith('tcp:');
  const text = ((): string => {
    switch (e.kind) {
      case 'no_socket':
        return workloadApiUnreachableText(at, set, 'no such socket (is the agent running?)');
      case 'refused':
        return workloadApiUnreachableText(at, set, `${tcp ? 'connection refused' : 'nothing is listening on the socket'} (is the agent running?)`);
      case 'not_a_socket':
        return workloadApiUnreachableText(at, set, 'the path is not a socket');
      case 'access_denied':
        return workloadApiUnreachableText(at, set, 'permission denied on the socket path (may this user open the agent socket?)');
      case 'permission_denied':
        return noSvidForPilotText(at, set);
      case 'timeout':
        return workloadApiTimeoutText(at, set, formatDuration(cfg.spiffe.sourceTimeoutMs));
      case 'bad_response':
        return workloadApiFailedText(at, set, `the answer is not usable (${e.reason ?? 'invalid'})`);
      default:
        // unavailable, rejected: the fetch's own plain words (never a gRPC status name)
        return workloadApiFailedText(at, set, e.reason ?? 'the Workload API failed');
    }
  })();
  return new CliError(ExitCode.identity, text);
}

/** With a list of Nexus URLs: how long a TLS connection may take before the next URL is tried (docs/cli.md). */
export const LIST_CONNECT_TIMEOUT_MS = 10_000;

export async function openWorkloadIdentity(cfg: PilotConfig, notices: NoticeStream = process.stderr): Promise<PilotIdentity> {
  let source: Awaited<ReturnType<typeof fetchX509Source>>;
  try {
    // fetchX509Source has its own deadline (SPIKE_SPIFFE_SOURCE_TIMEOUT), gives up on a missing
    // agent within seconds, and leaves nothing open.
    source = await fetchX509Source({
      address: cfg.spiffe.endpointSocket,
      timeoutMs: cfg.spiffe.sourceTimeoutMs,
      onProgress: (p) => {
        if (p.type === 'waiting' && notices.isTTY === true) notices.write(waitingForWorkloadApiText(p.address));
      },
    });
  } catch (e) {
    // A malformed SPIFFE_ENDPOINT_SOCKET is a configuration error, not an identity failure.
    if (e instanceof Error && e.name === 'WorkloadApiAddressError') {
      throw new CliError(ExitCode.usage, `Invalid configuration: SPIFFE_ENDPOINT_SOCKET: ${firstLine(e)}`);
    }
    if (e instanceof WorkloadApiError) throw svidFailure(cfg, e);
    throw new CliError(ExitCode.identity, workloadApiFailedText(cfg.spiffe.endpointSocket, cfg.spiffeSocketSet, firstLine(e)));
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
      // With several Nexus URLs, a host that drops packets costs at most the
      // connect deadline before the next is tried; one URL behaves as before.
      const connectTimeoutMs = cfg.nexusUrls.length > 1 ? Math.min(cfg.httpTimeoutMs, LIST_CONNECT_TIMEOUT_MS) : undefined;
      const client = createFailoverClient(
        createSpikeHttpClient({ source, serverAuthorizer, timeoutMs: cfg.httpTimeoutMs, ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }) }),
        cfg.nexusUrls,
      );
      closers.push(() => client.close());
      return {
        post: (path, action, body, opts) => client.postJson(urlFor(client.base, path, action), body, opts),
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
