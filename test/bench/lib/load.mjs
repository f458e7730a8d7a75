// A keep-alive HTTPS (mTLS) load generator with bounded concurrency, bounded
// duration and a bounded request count. Reports throughput and latency
// percentiles; every non-2xx answer or transport error is counted.
import https from 'node:https';
import { percentile } from './stats.mjs';
import { performance } from 'node:perf_hooks';

/** An https.Agent that keeps `concurrency` mTLS connections alive (no TLS session resumption, as the SPIKE client). */
export function mtlsAgent(svid, concurrency, checkServerIdentity) {
  return new https.Agent({
    keepAlive: true,
    maxSockets: concurrency,
    maxFreeSockets: concurrency,
    maxCachedSessions: 0,
    cert: svid.cert,
    key: svid.key,
    ca: svid.ca,
    checkServerIdentity,
  });
}

/** One POST; resolves with { status, ms }. */
export function post(agent, url, body, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = https.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length }, timeout: timeoutMs }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `concurrency` workers sending POSTs until `durationMs` elapsed or
 * `maxRequests` were sent. `body(i)` gives the i-th request body.
 * `keepLatencies`: the result also carries every answered request's latency
 * (`latencies`, ms), so that runs made side by side can be merged.
 */
export async function runLoad({ agent, url, body, concurrency, durationMs, maxRequests = 1_000_000, keepLatencies = false }) {
  const latencies = [];
  let sent = 0;
  let failed = 0;
  const statuses = {};
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async () => {
    while (performance.now() < end && sent < maxRequests) {
      const i = sent++;
      try {
        const r = await post(agent, url, body(i));
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status >= 200 && r.status < 300) latencies.push(r.ms);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return {
    ok: latencies.length,
    failed,
    statuses,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ...(keepLatencies ? { latencies } : {}),
  };
}

/**
 * One result of runs made side by side (started together, e.g. one per
 * Nexus replica): answers and failures summed, throughput over the longest
 * run, percentiles over every latency. The runs must have kept their latencies.
 */
export function mergeLoads(runs) {
  const latencies = runs.flatMap((r) => r.latencies);
  const seconds = Math.max(...runs.map((r) => r.seconds));
  const statuses = {};
  for (const r of runs) for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
  return {
    ok: latencies.length,
    failed: runs.reduce((n, r) => n + r.failed, 0),
    statuses,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    parts: runs.map((r) => r.ok),
  };
}
