// SPIKE Nexus end to end, with real processes from dist/ (npm run build first):
// bootstrap → ready → secrets over mTLS; Nexus crash → recovers from keepers;
// keeper crash → refilled; total crash → restore_needed → operator restore;
// wrong/mixed shards refused; restore on a healthy Nexus changes nothing;
// wrong peer IDs refused. The measured times go to a file (test/helpers/measurements.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchShard, getSecret, putSecret, recover, restore } from '../../src/client/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOf } from '../helpers/status.js';
import { reportMeasurements } from '../helpers/measurements.js';

const INTERVAL = '2s';

let stack: Stack;
let pilot: StackClient;
const measured: Record<string, number> = {};

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3, env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: INTERVAL, SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' } });
  await stack.startAll();
  pilot = await stack.client('pilot');
}, 120_000);

afterAll(async () => {
  reportMeasurements('nexus-e2e', measured);
  await stack?.cleanup();
});

async function asRole(id: string): Promise<void> {
  await stack.switchIdentity(pilot, id);
}


let shards: Map<number, Uint8Array | null>;

describe('SPIKE Nexus with real processes', () => {
  it('bootstrap → ready → put/get a secret over mTLS', async () => {
    await putSecret(pilot.http, stack.nexusUrl, 'app/db', { user: 'admin', pass: 'hunter2' });
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ user: 'admin', pass: 'hunter2' });
    // secret values never reach the logs
    expect(stack.proc('nexus').lines.some((l) => JSON.stringify(l).includes('hunter2'))).toBe(false);
  });

  it('wrong peer IDs are refused', async () => {
    // superuser may not recover or restore
    expect(await statusOf(recover(pilot.http, stack.nexusUrl))).toBe(401);
    expect(await statusOf(restore(pilot.http, stack.nexusUrl, 1, new Uint8Array(32).fill(1)))).toBe(401);
    // a keeper identity may not read secrets
    const keeperAsClient = await stack.client('keeper-1');
    expect(await statusOf(getSecret(keeperAsClient.http, stack.nexusUrl, 'app/db'))).toBe(401);
    // a client pinning the keeper ID refuses to talk to Nexus
    const pinned = await stack.client('pilot', stack.ids.keeper);
    expect(await statusOf(getSecret(pinned.http, stack.nexusUrl, 'app/db'))).toBe('identity');
  });

  it('recover returns every shard to the recover role', async () => {
    await asRole(stack.ids.recover);
    shards = await recover(pilot.http, stack.nexusUrl);
    expect([...shards.keys()].sort()).toEqual([1, 2, 3]);
    expect([...shards.values()].every((v) => v !== null && v.length === 32)).toBe(true);
    const audit = await stack.proc('nexus').waitForEvent('recover', { where: (l) => l.caller === stack.ids.recover, timeoutMs: 5_000 });
    expect(audit.caller).toBe(stack.ids.recover);
  });

  it('Nexus killed and restarted → ready from keepers, secret intact', async () => {
    await stack.kill('nexus');
    const t0 = Date.now();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers' });
    measured.nexusRestartToReady = Date.now() - t0;
    await asRole(stack.ids.superuser);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ user: 'admin', pass: 'hunter2' });
  });

  it('keeper killed and restarted → refilled by Nexus', async () => {
    const nexus = stack.proc('nexus');
    const mark = nexus.mark();
    await stack.kill('keeper-2');
    // Nexus notices at its next push (every 2s here) …
    await nexus.waitForEvent('keeper_push_failed', { after: mark, where: (l) => l.keeper === 2, timeoutMs: 15_000 });
    const t0 = Date.now();
    await stack.startKeeper(2);
    // … and retries it with backoff (≤ SPIKE_NEXUS_RECOVERY_MAX_INTERVAL) instead of a full interval.
    const refilled = await nexus.waitForEvent('keeper_refilled', { after: mark, where: (l) => l.keeper === 2, timeoutMs: 15_000 });
    measured.keeperRestartToRefilled = Date.now() - t0;
    measured.keeperWithoutShardAsSeenByNexus = Number(refilled.withoutShardMs);
    const asNexus = await stack.client('nexus', stack.ids.keeper);
    const s = await fetchShard(asNexus.http, stack.keeperUrls[1]!);
    expect(Buffer.from(s).equals(Buffer.from(shards.get(2)!))).toBe(true);
  });

  it('keeper restarted between two pushes (unnoticed) → refilled by the periodic push', async () => {
    await stack.kill('keeper-3');
    const t0 = Date.now();
    await stack.startKeeper(3);
    const asNexus = await stack.client('nexus', stack.ids.keeper);
    const end = Date.now() + 15_000;
    for (;;) {
      if ((await statusOf(fetchShard(asNexus.http, stack.keeperUrls[2]!))) === 200) break;
      if (Date.now() > end) throw new Error('keeper 3 was not refilled');
      await new Promise((r) => setTimeout(r, 50));
    }
    measured.keeperUnnoticedRestartToRefilled = Date.now() - t0;
    // refilled with its own shard
    expect(Buffer.from(await fetchShard(asNexus.http, stack.keeperUrls[2]!)).equals(Buffer.from(shards.get(3)!))).toBe(true);
  });

  it('everything killed → restore_needed → wrong/mixed shards refused → right shards restore', async () => {
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === 2 });
    await asRole(stack.ids.restore);
    const s1 = shards.get(1)!;
    const s3 = shards.get(3)!;
    // a mixed set: shard 1 right, shard 2 from another key
    const first = await restore(pilot.http, stack.nexusUrl, 1, s1);
    expect(first).toEqual({ collected: 1, remaining: 1, restored: false });
    const wrong = Buffer.from(s3);
    wrong[31] = wrong[31]! ^ 1;
    expect(await statusOf(restore(pilot.http, stack.nexusUrl, 3, wrong))).toBe(400);
    // the log line travels through a pipe: wait for it rather than race the HTTP answer
    await nexus.waitForEvent('root_key_rejected', { timeoutMs: 5_000 });
    expect(nexus.events('root_key_ready')).toHaveLength(0);
    // keepers untouched: still empty
    const asNexus = await stack.client('nexus', stack.ids.keeper);
    expect(await statusOf(fetchShard(asNexus.http, stack.keeperUrls[0]!))).toBe(400);
    // the right shards restore
    const t0 = Date.now();
    expect(await restore(pilot.http, stack.nexusUrl, 3, s3)).toEqual({ collected: 1, remaining: 1, restored: false });
    expect(await restore(pilot.http, stack.nexusUrl, 1, s1)).toEqual({ collected: 2, remaining: 0, restored: true });
    measured.restoreAnswer = Date.now() - t0;
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    // keepers refilled right after the restore
    const end = Date.now() + 10_000;
    for (;;) {
      const st = await statusOf(fetchShard(asNexus.http, stack.keeperUrls[0]!));
      if (st === 200) break;
      if (Date.now() > end) throw new Error('keeper 1 was not refilled after the restore');
      await new Promise((r) => setTimeout(r, 100));
    }
    await asRole(stack.ids.superuser);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ user: 'admin', pass: 'hunter2' });
    // audit: caller and shard id, never the value (stderr may lag the answers: wait for the 4th line)
    await nexus.waitForEvent('restore', { after: 0, where: () => nexus.events('restore').length >= 4, timeoutMs: 5_000 });
    const audits = nexus.events('restore');
    expect(audits.every((a) => a.caller === stack.ids.restore)).toBe(true);
    expect(audits.map((a) => a.shardId)).toEqual([1, 3, 3, 1]);
    expect(JSON.stringify(audits)).not.toContain(Array.from(s1).slice(0, 5).join(','));
  });

  it('restore on a healthy Nexus changes nothing', async () => {
    await asRole(stack.ids.restore);
    const other = new Uint8Array(32).fill(7);
    expect(await restore(pilot.http, stack.nexusUrl, 2, other)).toEqual({ collected: 0, remaining: 0, restored: true });
    expect(await restore(pilot.http, stack.nexusUrl, 3, other)).toEqual({ collected: 0, remaining: 0, restored: true });
    await asRole(stack.ids.superuser);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ user: 'admin', pass: 'hunter2' });
    expect(stack.proc('nexus').events('root_key_ready')).toHaveLength(1);
  });

  it('refuses to start with an invalid configuration or a non-Nexus SVID (exit 1, one line)', async () => {
    const bad = stack.spawn('nexus-bad-config', 'spike-nexus', [], stack.envFor('nexus', { SPIKE_NEXUS_BACKEND_STORE: 'postgres' }));
    expect(await bad.exited).toBe(1);
    expect(bad.raw.join('\n')).toMatch(/^spike-nexus: SPIKE_NEXUS_BACKEND_STORE: must be one of/);
    expect(bad.raw).toHaveLength(1);
    const mismatch = stack.spawn('nexus-bad-count', 'spike-nexus', [], stack.envFor('nexus', { SPIKE_NEXUS_SHAMIR_SHARES: '4' }));
    expect(await mismatch.exited).toBe(1);
    expect(mismatch.raw.join('\n')).toMatch(/SPIKE_NEXUS_KEEPER_PEERS: keeper count mismatch/);
    const notNexus = stack.spawn('nexus-as-keeper', 'spike-nexus', [], stack.envFor('keeper-1', { SPIKE_NEXUS_TLS_PORT: '127.0.0.1:0' }));
    expect(await notNexus.exited).toBe(1);
    expect(notNexus.raw.join('\n')).toMatch(/SPIFFE ID is not valid: spiffe:\/\/spike.ist\/spike\/keeper/);
  });

  it('SIGTERM shuts Nexus down cleanly', async () => {
    expect(await stack.stop('nexus')).toBe(0);
  });
});
