// Restore through any replica (docs/design.md § Restore through any replica),
// end to end with the real binaries from dist/ (npm run build first): two Nexus
// replicas on one private PostgreSQL cluster, three Keepers, threshold 2.
// Total loss (Keepers and both replicas SIGKILLed; Keepers restart empty; both
// replicas wait for a restore), then the real `spike operator restore` sends
// shard 1 to replica A and shard 2 to replica B. Expected: restored; both
// replicas serve every secret (the one that did not collect gets the key from
// the refilled Keepers); the Keepers hold shards again; the collector's audit
// names the operator and the forwarding replica; no shard value (hex, base64,
// or the decimal bytes of the JSON body) in any table of the database, in the
// PostgreSQL server log, or in any process's output. Then the collector
// SIGKILLed mid-collection: the next call makes B the collector with an empty
// collection, and the Pilot says so (started again on nexus-b, nexus-a's
// shards lost, which to send again); the operator gives every shard again →
// restored. Then `spike operator status` and `--reset` through the replica
// that does not collect report and empty the collector's collection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecret, putSecret, recover } from '../../src/client/index.js';
import { runSpike, type CliRun } from '../helpers/fakenexus.js';
import { freePort } from '../helpers/free-port.js';
import type { PostgresCluster } from '../helpers/postgres.js';
import { postgresStack } from '../helpers/postgres-stack.js';
import { Stack, type Proc, type StackClient } from '../helpers/stack.js';

const SECRETS: Record<string, Record<string, string>> = {
  'apps/db': { user: 'admin', pass: 's3cr3t' },
  'apps/api': { token: 'tok-42' },
  'team/ops/pager': { number: '+1-555-0100' },
};

let cluster: PostgresCluster;
let stack: Stack;
const pgStack = postgresStack('/tmp/nrr-');
let pilot: StackClient;
let shards: Map<number, Uint8Array | null>;
let portB: number;
const cliRuns: CliRun[] = [];

beforeAll(async () => {
  ({ cluster, stack } = await pgStack.start());
  await stack.startAll();
  portB = await freePort();
  const b = startB();
  await b.waitForEvent('root_key_ready');
  pilot = await stack.client('pilot');
  await stack.switchIdentity(pilot, stack.ids.superuser);
  for (const [p, v] of Object.entries(SECRETS)) await putSecret(pilot.http, stack.nexusUrl, p, v);
  await stack.switchIdentity(pilot, stack.ids.recover);
  shards = await recover(pilot.http, stack.nexusUrl);
}, 180_000);

afterAll(() => pgStack.cleanup());

const urlB = (): URL => new URL(`https://127.0.0.1:${portB}`);

function startB(): Proc {
  return stack.spawn(
    'nexus-b',
    'spike-nexus',
    [],
    stack.envFor('nexus', { SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${portB}`, SPIKE_NEXUS_REPLICA_NAME: 'nexus-b', SPIKE_NEXUS_ADVERTISE_URL: urlB().origin }),
  );
}

/**
 * Total loss: Keepers and both replicas SIGKILLed, the Keepers started again
 * (empty), both replicas started and waiting for a restore with nothing
 * collected; the Pilot's entry is the restore identity.
 */
async function totalLoss(): Promise<{ a: Proc; b: Proc }> {
  for (const n of ['nexus', 'nexus-b', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
  await stack.startKeepers();
  // No SPIKE_NEXUS_ADVERTISE_URL for A: the default is its bound address (B sets it).
  const a = await stack.startNexus({ SPIKE_NEXUS_REPLICA_NAME: 'nexus-a' });
  const b = startB();
  await b.waitForEvent('nexus_listening');
  await a.waitForEvent('restore_needed', { where: (l) => l['collected'] === 0 });
  await b.waitForEvent('restore_needed', { where: (l) => l['collected'] === 0 });
  await stack.setEntry('pilot', stack.ids.restore);
  return { a, b };
}

function shard(id: number): Uint8Array {
  const s = shards.get(id);
  if (!s) throw new Error(`no shard ${id}`);
  return s;
}

async function spikeRestore(url: URL, id: number): Promise<CliRun> {
  return spike(url, ['operator', 'restore'], `spike:${id}:${Buffer.from(shard(id)).toString('hex')}\n`);
}

/** The real `spike` against one replica's URL. */
async function spike(url: URL, args: string[], stdin = ''): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot', { SPIKE_NEXUS_API_URL: url.origin }))) if (v !== undefined) env[k] = v;
  const r = await runSpike(args, { env, stdin });
  cliRuns.push(r);
  return r;
}

const RESTARTED = /started again/;

/** Every row of every table of the database, as text. */
async function databaseText(): Promise<string> {
  const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: 'postgres', database: 'spike' });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>("SELECT quote_ident(table_name) AS t FROM information_schema.tables WHERE table_schema = 'public'")).rows;
    expect(tables.length).toBeGreaterThan(3);
    let all = '';
    for (const { t } of tables) for (const row of (await c.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x`)).rows) all += `${row.r}\n`;
    return all;
  } finally {
    await c.end();
  }
}

/** The forms a shard value could take in text: hex, base64, the JSON body's decimal bytes. */
function forms(v: Uint8Array): string[] {
  const b = Buffer.from(v);
  return [b.toString('hex'), b.toString('base64'), b.toString('base64url'), Array.from(b).join(','), Array.from(b).join(', ')];
}

describe('restore through any replica (two replicas on PostgreSQL)', () => {
  it('total loss; shard 1 to A and shard 2 to B → restored; both serve every secret; Keepers refilled; no shard in the database or a log', { timeout: 240_000 }, async () => {
    const { a, b } = await totalLoss();
    const urlA = stack.nexusUrl;
    const r1 = await spikeRestore(urlA, 1);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/Shards collected: 1\n/);
    expect(r1.stdout).not.toMatch(RESTARTED);
    const r2 = await spikeRestore(urlB(), 2);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout.toLowerCase()).toContain('restored');

    // One replica collected both shards (one of them forwarded); the other got the key from the Keepers.
    const [readyA, readyB] = await Promise.all([a.waitForEvent('root_key_ready'), b.waitForEvent('root_key_ready')]);
    expect([readyA['source'], readyB['source']].sort()).toEqual(['keepers', 'restore']);
    // A got the first call while the lock was free: A collects, B forwarded to A's default URL.
    expect(readyA['source']).toBe('restore');
    const [collector, other, otherName] = readyA['source'] === 'restore' ? [a, b, 'nexus-b'] : [b, a, 'nexus-a'];
    // Audit lines travel through a pipe: wait for them rather than read what has arrived so far.
    const isCollectedOrRestored = (l: Record<string, unknown>): boolean => l['outcome'] === 'collected' || l['outcome'] === 'restored';
    const audits = await collector.waitForCount('restore', 2, { where: isCollectedOrRestored });
    expect(audits.map((l) => l['outcome'])).toEqual(['collected', 'restored']);
    for (const l of audits) expect(l['caller']).toBe(stack.ids.restore);
    expect(audits.filter((l) => l['via'] === 'spiffe://spike.ist/spike/nexus')).toHaveLength(1);
    expect(await other.waitForCount('restore', 1, { where: (l) => l['outcome'] === 'forwarded' })).toMatchObject([{ caller: stack.ids.restore, collector: 'nexus-a', status: 200 }]);
    expect(otherName).toMatch(/^nexus-[ab]$/);

    // Both replicas serve every secret.
    await stack.switchIdentity(pilot, stack.ids.superuser);
    for (const url of [urlA, urlB()]) for (const [p, v] of Object.entries(SECRETS)) expect(await getSecret(pilot.http, url, p)).toEqual(v);

    // The Keepers were refilled: each was written by a Nexus after the restore.
    for (const i of [1, 2, 3]) {
      await stack.proc(`keeper-${i}`).waitForEvent('keeper_request', { where: (l) => String(l['route']).includes('contribute') && l['status'] === 200 });
    }

    // No shard value in the database, its server log, or any output.
    const texts = [await databaseText(), cluster.log()];
    for (const n of ['nexus', 'nexus-b', 'keeper-1', 'keeper-2', 'keeper-3']) texts.push(stack.proc(n).stdout(), stack.proc(n).stderr());
    for (const r of cliRuns) texts.push(r.stdout, r.stderr);
    for (const id of [1, 2, 3]) {
      for (const f of forms(shard(id))) for (const t of texts) expect(t.includes(f), `shard ${id} as ${f.slice(0, 12)}…`).toBe(false);
    }
  });

  it('the collector killed mid-collection: the next call makes the other replica the collector, empty; every shard again → restored', { timeout: 240_000 }, async () => {
    const { a, b } = await totalLoss();
    const r1 = await spikeRestore(stack.nexusUrl, 1);
    expect(r1.code, r1.stderr).toBe(0);
    // A restored the key last time and gave the lock back: a new collection, nothing lost.
    expect(r1.stdout).not.toMatch(RESTARTED);
    expect(await a.waitForCount('restore', 1, { where: (l) => l['outcome'] === 'collected' })).toHaveLength(1);
    await stack.kill('nexus'); // the collector, holding shard 1 in memory only

    // Shard 2 through B: B takes the lock (A's went with its connection), its collection is empty.
    const r2 = await spikeRestore(urlB(), 2);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/Shards collected: 1\n/);
    // The operator is told plainly: started again on B, A's shards lost, which to send again.
    expect(r2.stdout).toContain(
      'The restore started again on replica nexus-b: replica nexus-a, which collected the shards before, stopped, and the shards it held are lost. Send every shard again except shard 2 (held now).\n',
    );
    await b.waitForEvent('restore_collector', { where: (l) => l['collector'] === 'this replica' && l['previousCollector'] === 'nexus-a' });
    // Status through B says it too.
    const st = await spike(urlB(), ['operator', 'status']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain('Collecting replica: nexus-b\n');
    expect(st.stdout).toMatch(RESTARTED);
    // The operator gives shard 1 again.
    const r3 = await spikeRestore(urlB(), 1);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stdout.toLowerCase()).toContain('restored');
    expect(r3.stdout).not.toMatch(RESTARTED);
    await b.waitForEvent('root_key_ready', { where: (l) => l['source'] === 'restore' });
    await stack.switchIdentity(pilot, stack.ids.superuser);
    for (const [p, v] of Object.entries(SECRETS)) expect(await getSecret(pilot.http, urlB(), p)).toEqual(v);
  });

  it("status and --reset through the replica that does not collect act on the collector's collection", { timeout: 240_000 }, async () => {
    const { a } = await totalLoss();
    const urlA = stack.nexusUrl;

    // A collects shard 1 (the lock was free: B restored last time and gave it back).
    const r1 = await spikeRestore(urlA, 1);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).not.toMatch(RESTARTED);
    // Status through B: A's collection, named.
    const s1 = await spike(urlB(), ['operator', 'status']);
    expect(s1.code, s1.stderr).toBe(0);
    expect(s1.stdout).toContain('Shards collected: 1\n');
    expect(s1.stdout).toContain('Shard ids received: 1\n');
    expect(s1.stdout).toContain('Collecting replica: nexus-a\n');
    expect(s1.stdout).toContain('Answered by replica: nexus-b\n');
    // --reset through B empties A's collection.
    const reset = await spike(urlB(), ['operator', 'restore', '--reset']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Restore collection emptied');
    expect(await a.waitForCount('restore', 1, { where: (l) => l['outcome'] === 'reset' })).toMatchObject([{ caller: stack.ids.restore, via: 'spiffe://spike.ist/spike/nexus', dropped: 1 }]);
    const s2 = await spike(urlA, ['operator', 'status', '-f', 'json']);
    expect(JSON.parse(s2.stdout)).toMatchObject({ ready: false, collected: 0, ids: [], collector: 'nexus-a' });

    // Both shards again, through B: forwarded to A, restored.
    expect((await spikeRestore(urlB(), 2)).stdout).toMatch(/Shards collected: 1\n/);
    const r3 = await spikeRestore(urlB(), 1);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stdout.toLowerCase()).toContain('restored');
    await a.waitForEvent('root_key_ready', { where: (l) => l['source'] === 'restore' });
  });
});
