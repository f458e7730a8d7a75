// SPIKE Nexus end to end, with real processes from dist/ (npm run build first):
// bootstrap → ready → secrets over mTLS; Nexus crash → recovers from keepers;
// keeper crash → refilled; total crash → restore_needed → operator restore;
// wrong/mixed shards refused; restore on a healthy Nexus changes nothing;
// wrong peer IDs refused. The measured times go to a file (test/helpers/measurements.ts).
//
// One stack is shared (beforeAll); every test first brings it back to
// healthy() and writes the secrets it reads, so any test passes alone (`-t`)
// or after any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchShard, getSecret, putSecret, recover, restore } from '../../src/client/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { pickShard } from '../helpers/recovered-shards.js';
import { statusOf, statusOfError } from '../helpers/status.js';
import { reportMeasurements } from '../helpers/measurements.js';

const INTERVAL = '2s';

let stack: Stack;
let pilot: StackClient;
const measured: Record<string, number> = {};
/** The shards of the root key, recovered once while healthy (the root key never changes in this file). */
let shards: Map<number, Uint8Array | null>;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3, env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: INTERVAL, SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' } });
  await stack.startAll();
  pilot = await stack.client('pilot');
  await asRole(stack.ids.recover);
  shards = await recover(pilot.http, stack.nexusUrl);
}, 120_000);

afterAll(async () => {
  reportMeasurements('nexus-e2e', measured);
  await stack?.cleanup();
});

async function asRole(id: string): Promise<void> {
  if (pilot.id() !== id) await stack.switchIdentity(pilot, id);
}

const shard = (id: number): Uint8Array => pickShard(shards, id);

/** Nexus's view of keeper i's shard: the bytes, or the failure (as the nexus workload). */
async function keeperShard(i: number): Promise<Buffer | number | string> {
  const asNexus = await stack.client('nexus', stack.ids.keeper);
  try {
    return Buffer.from(await fetchShard(asNexus.http, stack.keeperUrls[i - 1]!));
  } catch (e) {
    return statusOfError(e);
  } finally {
    await asNexus.close();
  }
}

/** Keeper i holds `expected` (compared as hex, so a failure shows what it answered instead). */
async function expectKeeperHolds(i: number, expected: Uint8Array): Promise<void> {
  const got = await keeperShard(i);
  expect(Buffer.isBuffer(got) ? got.toString('hex') : got, `keeper ${i}`).toBe(Buffer.from(expected).toString('hex'));
}

/** Resolves once the running keeper i has been given a shard (its `shard_stored`, after `mark`). */
async function keeperStored(i: number, after = 0): Promise<void> {
  await stack.proc(`keeper-${i}`).waitForEvent('shard_stored', { after, timeoutMs: 60_000 });
}

/**
 * The state every test starts from, whatever an earlier test left: the three
 * keepers and Nexus running, Nexus ready (restored with the shards if it
 * cannot recover from the keepers), every keeper holding its shard, the
 * pilot client a superuser.
 */
async function healthy(): Promise<void> {
  for (const i of [1, 2, 3]) if (!stack.proc(`keeper-${i}`).running()) await stack.startKeeper(i);
  let nexus = stack.proc('nexus');
  if (!nexus.running()) nexus = await stack.startNexus();
  if (nexus.events('root_key_ready').length === 0) {
    const ready = nexus.waitForEvent('root_key_ready', { timeoutMs: 60_000 }).then(() => 'ready' as const);
    const needed = nexus.waitForEvent('restore_needed', { timeoutMs: 60_000 }).then(() => 'restore' as const);
    ready.catch(() => undefined);
    needed.catch(() => undefined);
    if ((await Promise.race([ready, needed])) === 'restore') {
      await asRole(stack.ids.restore);
      for (const id of [1, 2, 3]) if ((await restore(pilot.http, stack.nexusUrl, id, shard(id))).restored) break;
      await ready;
    }
  }
  // A keeper holds its shard once Nexus stored one in it (Nexus always sends keeper i the same shard).
  await Promise.all([1, 2, 3].map((i) => keeperStored(i)));
  await asRole(stack.ids.superuser);
}

describe('SPIKE Nexus with real processes', () => {
  it('bootstrap → ready → put/get a secret over mTLS', async () => {
    await healthy();
    await putSecret(pilot.http, stack.nexusUrl, 'app/db', { user: 'admin', pass: 'hunter2' });
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/db')).toEqual({ user: 'admin', pass: 'hunter2' });
    // secret values never reach the logs
    expect(stack.proc('nexus').lines.some((l) => JSON.stringify(l).includes('hunter2'))).toBe(false);
  });

  it('wrong peer IDs are refused', async () => {
    await healthy();
    await putSecret(pilot.http, stack.nexusUrl, 'app/peers', { k: 'v' });
    // superuser may not recover or restore
    expect(await statusOf(recover(pilot.http, stack.nexusUrl))).toBe(401);
    expect(await statusOf(restore(pilot.http, stack.nexusUrl, 1, new Uint8Array(32).fill(1)))).toBe(401);
    // a keeper identity may not read secrets
    const keeperAsClient = await stack.client('keeper-1');
    expect(await statusOf(getSecret(keeperAsClient.http, stack.nexusUrl, 'app/peers'))).toBe(401);
    // a client pinning the keeper ID refuses to talk to Nexus
    const pinned = await stack.client('pilot', stack.ids.keeper);
    expect(await statusOf(getSecret(pinned.http, stack.nexusUrl, 'app/peers'))).toBe('identity');
  });

  it('recover returns every shard to the recover role', async () => {
    await healthy();
    await asRole(stack.ids.recover);
    const mark = stack.proc('nexus').mark();
    const got = await recover(pilot.http, stack.nexusUrl);
    expect([...got.keys()].sort()).toEqual([1, 2, 3]);
    // each is the shard keeper i holds
    for (const i of [1, 2, 3]) await expectKeeperHolds(i, got.get(i) ?? new Uint8Array(0));
    const audit = await stack.proc('nexus').waitForEvent('recover', { after: mark, where: (l) => l.caller === stack.ids.recover });
    expect(audit.caller).toBe(stack.ids.recover);
  });

  it('Nexus killed and restarted → ready from keepers, secret intact', async () => {
    await healthy();
    await putSecret(pilot.http, stack.nexusUrl, 'app/restart', { user: 'admin', pass: 'hunter3' });
    await stack.kill('nexus');
    const t0 = Date.now();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers' });
    measured.nexusRestartToReady = Date.now() - t0;
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/restart')).toEqual({ user: 'admin', pass: 'hunter3' });
  }, 60_000);

  it('keeper killed and restarted → refilled by Nexus', async () => {
    await healthy();
    const nexus = stack.proc('nexus');
    const mark = nexus.mark();
    await stack.kill('keeper-2');
    // Nexus notices at its next push (every 2s here) …
    await nexus.waitForEvent('keeper_push_failed', { after: mark, where: (l) => l.keeper === 2 });
    const t0 = Date.now();
    await stack.startKeeper(2);
    // … and retries it with backoff (≤ SPIKE_NEXUS_RECOVERY_MAX_INTERVAL) instead of a full interval.
    const refilled = await nexus.waitForEvent('keeper_refilled', { after: mark, where: (l) => l.keeper === 2 });
    measured.keeperRestartToRefilled = Date.now() - t0;
    measured.keeperWithoutShardAsSeenByNexus = Number(refilled.withoutShardMs);
    await expectKeeperHolds(2, shard(2));
  }, 60_000);

  it('keeper restarted between two pushes (unnoticed) → refilled by the periodic push', async () => {
    await healthy();
    await stack.kill('keeper-3');
    const t0 = Date.now();
    await stack.startKeeper(3);
    // the restarted keeper is empty until Nexus's next push stores its shard
    await keeperStored(3);
    measured.keeperUnnoticedRestartToRefilled = Date.now() - t0;
    // refilled with its own shard
    await expectKeeperHolds(3, shard(3));
  }, 60_000);

  it('everything killed → restore_needed → a wrong shard does not fit and installs nothing → the right shard restores', async () => {
    await healthy();
    await putSecret(pilot.http, stack.nexusUrl, 'app/crash', { user: 'admin', pass: 'hunter4' });
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === 2 });
    await asRole(stack.ids.restore);
    const s1 = shard(1);
    const s3 = shard(3);
    // a mixed set: shard 1 right, shard 3 altered (as if from another key): no fit (200), both kept, nothing installed
    const first = await restore(pilot.http, stack.nexusUrl, 1, s1);
    expect(first).toEqual({ collected: 1, remaining: 1, restored: false });
    const wrong = Buffer.from(s3);
    wrong[31] = wrong[31]! ^ 1;
    expect(await restore(pilot.http, stack.nexusUrl, 3, wrong)).toEqual({ collected: 2, remaining: 1, restored: false });
    // the audit line travels through a pipe: wait for it rather than race the HTTP answer
    await nexus.waitForCount('restore', 1, { where: (a) => a.outcome === 'no_fit' });
    expect(nexus.events('root_key_ready')).toHaveLength(0);
    expect(nexus.events('root_key_rejected')).toHaveLength(0);
    // keepers untouched: still empty
    expect(await keeperShard(1)).toBe(400);
    // the right shard 3 fits with the shard 1 already held
    const keeper1 = stack.proc('keeper-1').mark();
    const t0 = Date.now();
    expect(await restore(pilot.http, stack.nexusUrl, 3, s3)).toEqual({ collected: 2, remaining: 0, restored: true });
    measured.restoreAnswer = Date.now() - t0;
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    // keepers refilled after the restore
    await keeperStored(1, keeper1);
    await expectKeeperHolds(1, s1);
    await asRole(stack.ids.superuser);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/crash')).toEqual({ user: 'admin', pass: 'hunter4' });
    // audit: caller, shard id and outcome, never the value (stderr may lag the answers: wait for the 3rd line)
    const audits = await nexus.waitForCount('restore', 3, { timeoutMs: 30_000 });
    expect(audits.every((a) => a.caller === stack.ids.restore)).toBe(true);
    expect(audits.map((a) => [a.shardId, a.outcome])).toEqual([
      [1, 'collected'],
      [3, 'no_fit'],
      [3, 'restored'],
    ]);
    expect(audits[2]).toMatchObject({ rejected: [], conflict: [3] });
    expect(JSON.stringify(audits)).not.toContain(Array.from(s1).slice(0, 5).join(','));
  }, 90_000);

  it('restore on a healthy Nexus changes nothing', async () => {
    await healthy();
    await putSecret(pilot.http, stack.nexusUrl, 'app/healthy', { user: 'admin', pass: 'hunter5' });
    const nexus = stack.proc('nexus');
    const readyBefore = nexus.events('root_key_ready').length;
    await asRole(stack.ids.restore);
    const other = new Uint8Array(32).fill(7);
    expect(await restore(pilot.http, stack.nexusUrl, 2, other)).toEqual({ collected: 0, remaining: 0, restored: true });
    expect(await restore(pilot.http, stack.nexusUrl, 3, other)).toEqual({ collected: 0, remaining: 0, restored: true });
    await asRole(stack.ids.superuser);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/healthy')).toEqual({ user: 'admin', pass: 'hunter5' });
    expect(nexus.events('root_key_ready')).toHaveLength(readyBefore);
  });

  it('refuses to start with an invalid configuration or a non-Nexus SVID (exit 1, one line)', async () => {
    const bad = stack.spawn('nexus-bad-config', 'spike-nexus', [], stack.envFor('nexus', { SPIKE_NEXUS_BACKEND_STORE: 'mysql' }));
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
    await healthy();
    expect(await stack.stop('nexus')).toBe(0);
  });
});
