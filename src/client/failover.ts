// A client of several active Nexus replicas (SPIKE_NEXUS_API_URL as a list):
// one call goes to one replica, and moves on to the next only when that
// cannot change what the replicas hold twice (docs/cli.md § Several Nexus
// URLs). The rule, per failed try:
//   - the server failed SPIFFE authentication (a wrong or unverifiable SVID,
//     or one that is not a Nexus ID), or our own SVID is unusable: stop at
//     once, the error as it is (a security event, never skipped silently);
//   - no TLS session was ever up for the request (refused, reset or failed
//     TLS handshake, DNS failure, connect timeout): nothing can have been
//     read, any request moves on;
//   - the request may have reached the replica (a reset or a deadline after
//     the handshake): only idempotent requests (resend.ts) move on; any other
//     stops with an error that says it may have been processed;
//   - an answer 503 (no root key yet, or its database out of reach):
//     idempotent requests move on; any other is answered as it is (Nexus
//     also answers 503 when the database fails during a write, whose outcome
//     the answer cannot tell).
// Order: the URLs as given, starting from the one that answered last in this
// client (a new process starts from the first), wrapping around; each URL is
// tried at most once per call. When every URL fails the error names them all
// and the last reason; when some answered 503 and none better, the last 503
// answer is returned (the caller reports "not ready" as with one URL).
import { ClientError } from './errors.js';
import { isIdempotentUrl } from './resend.js';
import type { CallOptions, HttpResponse, SpikeHttpClient } from './transport.js';

export interface FailoverClient extends SpikeHttpClient {
  /** The first URL: callers build request URLs on it (urlFor), this client moves them to the others. */
  readonly base: URL;
}

/** What to do after one try failed: stop with this error, or move on to the next URL. */
export type TryOutcome = 'next' | 'stop';

/** The failover rule for a failed try (see the header). */
export function afterFailure(e: unknown, idempotent: boolean): TryOutcome {
  if (!(e instanceof ClientError)) return 'stop';
  if (e.kind !== 'transport' && e.kind !== 'timeout') return 'stop';
  return !e.maybeSent || idempotent ? 'next' : 'stop';
}

/** The failover rule for an answer: a 503 moves an idempotent request on. */
export function afterAnswer(status: number, idempotent: boolean): TryOutcome {
  return status === 503 && idempotent ? 'next' : 'stop';
}

/** `url` (built on `from`) rebuilt on `to`: the part below `from`'s path, and the query, kept. */
function rebase(url: URL, from: URL, to: URL): URL | undefined {
  const fromPath = from.pathname.replace(/\/+$/, '');
  if (url.origin !== from.origin || !(url.pathname === fromPath || url.pathname.startsWith(`${fromPath}/`))) return undefined;
  const out = new URL(to.href);
  out.pathname = `${to.pathname.replace(/\/+$/, '')}${url.pathname.slice(fromPath.length)}`;
  out.search = url.search;
  out.hash = '';
  return out;
}

function shortReason(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0] ?? '';
}

/**
 * `inner` sending each call to the first of `bases` that takes it (rule in
 * the header). With one base it is `inner` itself, unchanged. A URL not built
 * on one of `bases` is sent as it is, without failover.
 */
export function createFailoverClient(inner: SpikeHttpClient, bases: readonly URL[]): FailoverClient {
  const first = bases[0];
  if (first === undefined) throw new RangeError('at least one Nexus URL is needed');
  if (bases.length === 1) return { base: first, postJson: (url, body, opts) => inner.postJson(url, body, opts), close: () => inner.close() };
  let preferred = 0;

  const postJson = async (url: URL, body: Uint8Array, opts: CallOptions = {}): Promise<HttpResponse> => {
    const from = bases.find((b) => rebase(url, b, b) !== undefined);
    if (from === undefined) return inner.postJson(url, body, opts);
    const idempotent = opts.idempotent ?? isIdempotentUrl(url);
    const tried: string[] = [];
    let lastError: unknown;
    let last503: HttpResponse | undefined;
    for (let n = 0; n < bases.length; n++) {
      const i = (preferred + n) % bases.length;
      const base = bases[i] as URL;
      const target = rebase(url, from, base) as URL;
      tried.push(base.origin + base.pathname.replace(/\/+$/, ''));
      let res: HttpResponse;
      try {
        res = await inner.postJson(target, body, { ...opts, idempotent });
      } catch (e) {
        if (opts.signal?.aborted === true || afterFailure(e, idempotent) === 'stop') {
          if (e instanceof ClientError && (e.kind === 'transport' || e.kind === 'timeout') && e.maybeSent && !idempotent) {
            throw new ClientError(
              e.kind,
              `${shortReason(e)}; the request may have reached ${base.origin} and is not re-sent to another Nexus (it is not idempotent): check its outcome before repeating it`,
              { cause: e, maybeSent: true },
            );
          }
          throw e;
        }
        lastError = e;
        continue;
      }
      if (afterAnswer(res.status, idempotent) === 'next' && n < bases.length - 1) {
        last503?.body.fill(0);
        last503 = res;
        continue;
      }
      preferred = i;
      last503?.body.fill(0);
      return res;
    }
    if (last503 !== undefined) return last503;
    const kind = lastError instanceof ClientError ? lastError.kind : 'transport';
    throw new ClientError(kind, `no SPIKE Nexus reachable; tried ${tried.join(', ')} (last: ${shortReason(lastError)})`, {
      cause: lastError,
      maybeSent: lastError instanceof ClientError ? lastError.maybeSent : true,
    });
  };

  return { base: first, postJson, close: () => inner.close() };
}
