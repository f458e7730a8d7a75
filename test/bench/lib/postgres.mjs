// The PostgreSQL figures: superuser get and put on Nexus with
// SPIKE_NEXUS_BACKEND_STORE=postgres, first with one replica, then with two
// replicas on the same database, each measured as the SQLite get/put figures
// are (lib/rounds.mjs: same load settings, warm-up, rounds, an echo baseline
// run back to back with each Nexus run).
//
// A stack of its own (dev agent, keepers, Nexus, Bootstrap in a fresh
// /tmp/skb-* dir) on a private PostgreSQL cluster (lib/postgres-cluster.mjs:
// unix socket only, fsync on): Bootstrap claims that store and gives the
// keepers its root key, so it cannot share the SQLite stack's keepers. Nexus
// connects as a password role (scram-sha-256) whose password it reads from
// SPIKE_NEXUS_DATABASE_PASSWORD_FILE. With two replicas the load is split:
// half of the connections to each replica, all at once (so the same total
// concurrency as the one-replica figure and the echo server), and the put
// paths are the same 64 on both, so writes of the two replicas meet on
// each path. The caller registers `stop` with its clean-up path before
// awaiting anything else.
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEcho } from './echo.mjs';
import { mtlsAgent, post } from './load.mjs';
import { loadPostgresHelper } from './postgres-cluster.mjs';
import { measureRounds, roundRatio, summarizeRounds } from './rounds.mjs';
import { Stack } from './stack.mjs';
import { fetchSvid, pinSpiffeId } from './svid.mjs';

/** Names of the two replicas (SPIKE_NEXUS_REPLICA_NAME; the first is the stack's `nexus` process). */
const REPLICAS = ['nexus-1', 'nexus-2'];

/**
 * Starts the cluster and the stack, measures, and stops everything.
 * `onCleanup(fn)` is called at once with the clean-up (idempotent), for the caller's clean-up path.
 */
export async function benchPostgres({ repo, load, log, onCleanup }) {
  let stack;
  let cluster;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stack?.cleanup().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
  };
  onCleanup(stop);
  try {
    const { startPostgres } = await loadPostgresHelper(repo);
    const t0 = Date.now();
    cluster = await startPostgres();
    stack = await Stack.create(repo, 3);
    const passwordFile = join(stack.dir, 'database-password');
    writeFileSync(passwordFile, cluster.password, { mode: 0o600 });
    stack.extraEnv = {
      SPIKE_NEXUS_BACKEND_STORE: 'postgres',
      SPIKE_NEXUS_DATABASE_URL: cluster.passwordUrl,
      SPIKE_NEXUS_DATABASE_PASSWORD_FILE: passwordFile,
    };
    log(`postgres: cluster in ${cluster.dir}, stack in ${stack.dir}: starting`);
    await stack.startAll([], { replicaName: REPLICAS[0] });
    const startMs = Date.now() - t0;
    return { startMs, ...(await measure(stack, load, log)) };
  } finally {
    await stop();
  }
}

async function measure(stack, load, log) {
  const pilot = await fetchSvid(stack.socketOf('pilot'));
  const nexusSvid = await fetchSvid(stack.socketOf('nexus'));
  const echo = await startEcho(nexusSvid, pilot.id);
  const pin = pinSpiffeId(stack.ids.nexus);
  const getBody = () => Buffer.from('{"path":"bench/get"}');
  const putBody = (i) => Buffer.from(`{"path":"bench/put/${i % 64}","values":{"k":"v${i}"}}`);
  const echoTargets = {
    echoGet: { url: `https://127.0.0.1:${echo.port}/v1/store/secrets?action=get`, body: getBody },
    echoPut: { url: `https://127.0.0.1:${echo.port}/v1/store/secrets`, body: putBody },
  };
  const first = stack.proc('nexus');
  try {
    const seedAgent = mtlsAgent(pilot, 1, pin);
    try {
      const value = Buffer.from('{"path":"bench/get","values":{"user":"admin","pass":"0123456789abcdef"}}');
      const seeded = await post(seedAgent, `${first.url}/v1/store/secrets`, value);
      if (seeded.status !== 200) throw new Error(`seeding the secret on PostgreSQL failed: HTTP ${seeded.status}`);
    } finally {
      seedAgent.destroy();
    }
    const phase = async (urls) => {
      const targets = {
        nexusGet: { urls: urls.map((u) => `${u}/v1/store/secrets?action=get`), body: getBody },
        nexusPut: { urls: urls.map((u) => `${u}/v1/store/secrets`), body: putBody },
        ...echoTargets,
      };
      const results = await measureRounds(targets, { load, svid: pilot, pin });
      return {
        ...Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, summarizeRounds(rs)])),
        getRatio: roundRatio(results.nexusGet, results.echoGet),
        putRatio: roundRatio(results.nexusPut, results.echoPut),
        // answers per replica in each round (two replicas): both must have served
        parts: results.nexusGet[0].parts === undefined ? undefined : { get: results.nexusGet.map((r) => r.parts), put: results.nexusPut.map((r) => r.parts) },
      };
    };
    log('postgres: get/put, 1 replica');
    const one = await phase([first.url]);
    // The second replica rebuilds the root key from the keepers, as every replica does at start.
    const second = stack.spawnNexus([], { name: REPLICAS[1] });
    await second.listening;
    const ready = await second.waitFor('root_key_ready', 30_000);
    if (ready.source !== 'keepers') throw new Error(`${REPLICAS[1]}'s root key came from ${ready.source}, expected keepers`);
    log(`postgres: get/put, 2 replicas (${load.concurrency / 2} connections each)`);
    const two = await phase([first.url, second.url]);
    for (const [what, rounds] of Object.entries(two.parts)) {
      if (rounds.some((counts) => counts.some((n) => n === 0))) throw new Error(`postgres, 2 replicas: a replica answered no ${what} in a round (${JSON.stringify(rounds)})`);
    }
    return { oneReplica: one, twoReplicas: two, connectionsPerReplica: load.concurrency / 2 };
  } finally {
    pilot.key = '';
    nexusSvid.key = '';
    echo.stop();
  }
}

/** The PostgreSQL rows (informational: no target); throughput with two replicas is both replicas' answers together. */
export function postgresFigures(p) {
  const echo = (x) => ({ label: 'echo', value: x });
  const rows = (r, label, totalLabel) => [
    { name: `postgres get (${totalLabel})`, unit: 'req/s', value: r.nexusGet.perSecond, baseline: echo(r.echoGet.perSecond), ratio: r.getRatio },
    { name: `postgres get p50 (${label})`, unit: 'ms', value: r.nexusGet.p50, baseline: echo(r.echoGet.p50), ratio: r.nexusGet.p50 / r.echoGet.p50 },
    { name: `postgres put (${totalLabel})`, unit: 'req/s', value: r.nexusPut.perSecond, baseline: echo(r.echoPut.perSecond), ratio: r.putRatio },
    { name: `postgres put p50 (${label})`, unit: 'ms', value: r.nexusPut.p50, baseline: echo(r.echoPut.p50), ratio: r.nexusPut.p50 / r.echoPut.p50 },
  ];
  return [...rows(p.oneReplica, '1 replica', '1 replica'), ...rows(p.twoReplicas, '2 replicas', '2 replicas, total')];
}
