// The throughput rounds of the get/put figures (SQLite and PostgreSQL alike):
// every target once for warm-up, then `load.rounds` rounds of every target in
// turn, so that a Nexus figure and its echo baseline run back to back in each
// round. Each run gets its own keep-alive mTLS agent, destroyed right after
// it: Nexus caps the connections one peer ID may hold open
// (SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER), and idle sockets of finished runs
// would count against it. A failed request fails the figure.
import { mergeLoads, mtlsAgent, runLoad } from './load.mjs';
import { median } from './stats.mjs';

/**
 * @param {Record<string, { url?: string, urls?: string[], body: (i: number) => Buffer, svid?: object }>} targets
 *   `urls`: the load is split over them (several Nexus replicas): `load.concurrency / urls.length`
 *   connections to each, all running at once, merged into one result (answers summed, percentiles over all).
 * @param {{ load: { concurrency: number, warmupMs: number, durationMs: number, rounds: number, maxRequests: number }, svid: object, pin: Function }} opts
 *   `svid`: the client's SVID unless a target has its own; `pin`: the server identity check.
 * @returns {Promise<Record<string, object[]>>} every target's results, one per round
 */
export async function measureRounds(targets, { load, svid, pin }) {
  const once = async (name, t, opts) => {
    const urls = t.urls ?? [t.url];
    const concurrency = load.concurrency / urls.length;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`${name}: ${load.concurrency} connections do not split evenly over ${urls.length} URLs`);
    const runs = await Promise.all(
      urls.map(async (url) => {
        const agent = mtlsAgent(t.svid ?? svid, concurrency, pin);
        try {
          return await runLoad({
            agent,
            url,
            body: t.body,
            concurrency,
            durationMs: opts.durationMs,
            ...(opts.maxRequests === undefined ? {} : { maxRequests: Math.ceil(opts.maxRequests / urls.length) }),
            keepLatencies: urls.length > 1,
          });
        } finally {
          agent.destroy();
        }
      }),
    );
    return urls.length === 1 ? runs[0] : mergeLoads(runs);
  };
  for (const [name, t] of Object.entries(targets)) await once(name, t, { durationMs: load.warmupMs });
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (let round = 0; round < load.rounds; round++) {
    for (const [name, t] of Object.entries(targets)) {
      const r = await once(name, t, { durationMs: load.durationMs, maxRequests: load.maxRequests });
      if (r.failed > 0) throw new Error(`${name}: ${r.failed} failed requests (statuses ${JSON.stringify(r.statuses)})`);
      results[name].push(r);
    }
  }
  return results;
}

/** The figures of one target's rounds: medians of throughput and percentiles, every answer counted. */
export function summarizeRounds(rs) {
  return {
    perSecond: median(rs.map((r) => r.perSecond)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    requests: rs.reduce((n, r) => n + r.ok, 0),
  };
}

/** Median of the per-round throughput ratios xs[i] / ys[i] (each pair ran back to back in round i). */
export const roundRatio = (xs, ys) => median(xs.map((r, i) => r.perSecond / ys[i].perSecond));
