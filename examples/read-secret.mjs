#!/usr/bin/env node
// An example workload: reads one secret from SPIKE Nexus with the spike-ts
// client library, again and again, the way a service re-reads its database
// password. Its identity comes from the SPIFFE Workload API and follows SVID
// rotations on its own; SIGTERM or SIGINT closes the client, and the process
// then ends by itself (nothing is left open).
//
//   SPIFFE_ENDPOINT_SOCKET=unix:///tmp/spire-agent/public/api.sock \
//   SPIKE_NEXUS_API_URL=https://localhost:8553 \
//   node examples/read-secret.mjs secrets/db [--interval 1000] [--count 0] [--fingerprint]
//
// Output: one JSON line per event on stdout (`msg`: ready, read, error,
// closed). Values are never printed: a read lists the keys and each value's
// length, and with --fingerprint the first 8 hex digits of each value's
// SHA-256 (to tell a changed value).
// Exit code: 0, or 1 when the last read failed, 2 for bad arguments.
// The workload needs a policy that lets its SPIFFE ID read the path
// (docs/sdk.md § Quick start).
/* global AbortController */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SpikeClient, SpikeError } from 'spike-ts';

function say(msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      interval: { type: 'string', default: '1000' },
      count: { type: 'string', default: '0' },
      fingerprint: { type: 'boolean', default: false },
    },
  });
} catch (e) {
  process.stderr.write(`Error: ${e.message}\n`);
  process.exitCode = 2;
}
const path = args?.positionals[0];
const intervalMs = Number(args?.values.interval);
const count = Number(args?.values.count);
if (args !== undefined && (path === undefined || !Number.isInteger(intervalMs) || intervalMs < 1 || !Number.isInteger(count) || count < 0)) {
  process.stderr.write('usage: read-secret.mjs <path> [--interval ms ≥ 1] [--count n ≥ 0 (0: until SIGTERM)] [--fingerprint]\n');
  process.exitCode = 2;
}

if (process.exitCode === undefined) await main();

async function main() {
  let client;
  try {
    // Everything from the environment: SPIFFE_ENDPOINT_SOCKET, SPIKE_NEXUS_API_URL, SPIKE_TRUST_ROOT_NEXUS, …
    client = await SpikeClient.create();
  } catch (e) {
    say('error', { kind: e instanceof SpikeError ? e.kind : 'config', message: e.message });
    process.exitCode = 1;
    return;
  }
  say('ready', { ...client.identity(), nexus: client.nexusUrls.map((u) => u.href) });

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let lastFailed = false;
  for (let n = 1; (count === 0 || n <= count) && !stop.signal.aborted; n++) {
    // The identity the next new connection presents (its serial changes with each rotation).
    const id = client.identity();
    try {
      const secret = await client.getSecret(path, { signal: stop.signal, timeoutMs: 10_000 });
      const keys = [...secret.values.keys()].sort();
      const bytes = Object.fromEntries(keys.map((k) => [k, secret.values.get(k).length]));
      const fingerprint = args.values.fingerprint
        ? Object.fromEntries(keys.map((k) => [k, createHash('sha256').update(secret.values.get(k)).digest('hex').slice(0, 8)]))
        : undefined;
      // Done with the values: zero them.
      secret.zero();
      say('read', { n, spiffeId: id.spiffeId, serial: id.serialNumber, notAfter: id.notAfter, nexusId: client.nexusId, keys, bytes, fingerprint });
      lastFailed = false;
    } catch (e) {
      if (stop.signal.aborted) break;
      say('error', { n, kind: e instanceof SpikeError ? e.kind : 'other', status: e.status, code: e.code, message: e.message });
      lastFailed = true;
    }
    if (count !== 0 && n === count) break;
    await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
  }
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await client.close();
  say('closed');
  if (lastFailed) process.exitCode = 1;
}
