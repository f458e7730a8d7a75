// Root-key rotation crash matrix (docs/design.md § Root-key rotation), real
// processes from dist/ (npm run build first): dev agent, three Keepers
// (threshold 2), Nexus on SQLite. ~2000 secrets (≈ 4000 rows: ≥ 8
// re-encryption batches). For each rotation failpoint Nexus is restarted with
// SPIKE_NEXUS_FAILPOINTS=<point>, a rotation is asked for, Nexus dies by
// SIGKILL at that point, it is started again without the failpoint, gets a root
// key from the Keepers by itself, resumes (or never began), and ends with no
// rotation; then every secret reads back its last value, the fingerprint
// moved on (stayed, for before_begin), and a second crash right after still
// comes back with that fingerprint from the Keepers alone. Also: a Keeper down
// when the new shards are pushed and another SIGKILLed while Nexus waits in
// phase 'pushing': restarted, the rotation finishes. At the end, after a total
// loss, the shards exported before the whole matrix are refused as a retired
// key and the current ones restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPolicy, getSecret, putPolicy, putSecret, recover } from '../../src/client/index.js';
import { decodeRestoreResponse, encodeRestoreRequest, type RestoreResponse } from '../../src/protocol/messages.js';
import { ACTION_RESET, PATH_OPERATOR_RESTORE, urlFor } from '../../src/protocol/paths.js';
import { reportMeasurements } from '../helpers/measurements.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { killedBySigkill, lostSecrets, nexusStatus, postRotate, seedSecrets, settled, waitForStatus } from '../helpers/rotation.js';

const SEED = 2000;
/** Every rotation failpoint of src/nexus/rotation/failpoint-names.ts, some at a later pass. */
const POINTS = [
  'rotation.before_begin',
  'rotation.after_begin',
  'rotation.in_batch@1',
  'rotation.in_batch@3',
  'rotation.after_batch@1',
  'rotation.after_batch@3',
  'rotation.after_reencrypt',
  'rotation.after_push_one',
  'rotation.before_finish',
  'rotation.after_finish',
] as const;

/** Where the restarted Nexus must pick the rotation up (undefined: no rotation to resume). */
const RESUMES: Record<(typeof POINTS)[number], { phase: 'reencrypting' | 'pushing'; done: 'zero' | 'some' | 'all' } | undefined> = {
  'rotation.before_begin': undefined,
  'rotation.after_begin': { phase: 'reencrypting', done: 'zero' },
  'rotation.in_batch@1': { phase: 'reencrypting', done: 'zero' },
  'rotation.in_batch@3': { phase: 'reencrypting', done: 'some' },
  'rotation.after_batch@1': { phase: 'reencrypting', done: 'some' },
  'rotation.after_batch@3': { phase: 'reencrypting', done: 'some' },
  'rotation.after_reencrypt': { phase: 'pushing', done: 'all' },
  'rotation.after_push_one': { phase: 'pushing', done: 'all' },
  'rotation.before_finish': { phase: 'pushing', done: 'all' },
  'rotation.after_finish': undefined,
};

const POLICY = { name: 'matrix', spiffeIdPattern: '^spiffe://spike\\.ist/workload/m$', pathPattern: '^matrix/.*$', permissions: ['read'] };

let stack: Stack;
let pilot: StackClient;
/** path → last value of `v` (every write was answered 200). */
const expected = new Map<string, string>();
/** The shards of the root key in force before the matrix (recover, at the start). */
let initialShards: Map<number, Buffer>;
let initialFingerprint: string;
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  stack = await Stack.create({
    keepers: 3,
    threshold: 2,
    env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s', SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' },
  });
  await stack.startAll();
  pilot = await stack.client('pilot');
  const t0 = Date.now();
  const seed = new Map<string, string>();
  for (let i = 0; i < SEED; i++) seed.set(`matrix/${i % 40}/s-${i}`, `seed-${i}`);
  await seedSecrets(pilot, stack.nexusUrl, seed, 16);
  for (const [p, v] of seed) expected.set(p, v);
  // a few secrets with several versions, and a policy (the third table)
  for (let i = 0; i < 10; i++) {
    for (let k = 1; k <= 3; k++) await putSecret(pilot.http, stack.nexusUrl, `matrix/versions/${i}`, { v: `v${k}-${i}` });
    expected.set(`matrix/versions/${i}`, `v3-${i}`);
  }
  await putPolicy(pilot.http, stack.nexusUrl, POLICY);
  measured.seedMs = Date.now() - t0;
  measured.secrets = expected.size;
  await asRole(stack.ids.recover);
  const shards = await recover(pilot.http, stack.nexusUrl);
  initialShards = new Map([...shards].flatMap(([id, v]) => (v === null ? [] : [[id, v] as [number, Buffer]])));
  await asRole(stack.ids.superuser);
  initialFingerprint = (await nexusStatus(pilot, stack.nexusUrl)).fingerprint;
}, 300_000);

afterAll(async () => {
  reportMeasurements('rotation-crash-matrix', measured);
  for (const v of initialShards?.values() ?? []) v.fill(0);
  await stack?.cleanup();
});

async function asRole(id: string): Promise<void> {
  if (pilot.id() !== id) await stack.switchIdentity(pilot, id);
}

/** Every Keeper and Nexus running, Nexus ready with no rotation in progress. */
async function healthy(): Promise<string> {
  for (let i = 1; i <= 3; i++) if (!stack.proc(`keeper-${i}`).running()) await stack.startKeeper(i);
  if (!stack.proc('nexus').running()) await stack.startNexus();
  await asRole(stack.ids.superuser);
  return (await waitForStatus(pilot, stack, settled, 'ready with no rotation')).fingerprint;
}

/** SIGKILL Nexus and start it again: it must get its root key from the Keepers alone. */
async function crashAndComeBack(): Promise<string> {
  await stack.kill('nexus');
  const nexus = await stack.startNexus();
  await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers', timeoutMs: 60_000 });
  return (await waitForStatus(pilot, stack, settled, 'ready with no rotation')).fingerprint;
}

async function restorePost(id: number, value: Uint8Array): Promise<RestoreResponse> {
  const res = await pilot.http.postJson(urlFor(stack.nexusUrl, PATH_OPERATOR_RESTORE), encodeRestoreRequest(id, value));
  expect(res.status).toBe(200);
  return decodeRestoreResponse(res.body);
}

describe('rotation crash matrix (3 keepers, threshold 2, ~2000 secrets)', () => {
  it.each(POINTS)('SIGKILL at %s → restart → the rotation ends, every secret reads back', { timeout: 300_000 }, async (point) => {
    const before = await healthy();
    const t0 = Date.now();
    await stack.stop('nexus');
    const armed = await stack.startNexus({ SPIKE_NEXUS_FAILPOINTS: point });
    await armed.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers', timeoutMs: 60_000 });
    // the start-up warning names the armed point
    expect(armed.stdout() + armed.stderr()).toContain(point.split('@')[0]);
    await waitForStatus(pilot, stack, settled, 'ready with no rotation');

    const call = postRotate(pilot, stack.nexusUrl).catch((e: unknown) => e);
    await armed.exited;
    expect(killedBySigkill(stack, 'nexus')).toBe(true);
    await call; // answered or cut off: either is fine, the store decides

    const nexus = await stack.startNexus();
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers', timeoutMs: 60_000 });
    const resume = RESUMES[point];
    const resumed = resume === undefined ? undefined : await nexus.waitForEvent('rotation_resumed', { timeoutMs: 60_000 });
    const where = (l: typeof resumed) => {
      if (l === undefined) return undefined;
      const done = Number(l.done);
      const total = Number(l.total);
      return { phase: l.phase, done: done === 0 ? 'zero' : done >= total ? 'all' : 'some', countsEveryRow: total >= 2 * expected.size };
    };
    expect(where(resumed)).toEqual(resume === undefined ? undefined : { ...resume, countsEveryRow: true });
    const after = (await waitForStatus(pilot, stack, settled, 'ready with no rotation')).fingerprint;
    // the fingerprint moved on, except when the rotation never began
    expect(after === before).toBe(point === 'rotation.before_begin');
    if (resume !== undefined) await nexus.waitForEvent('rotation_finished', { where: (l) => l.fingerprint === after });
    expect(nexus.events('rotation_resumed').length).toBe(resume === undefined ? 0 : 1);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'matrix/versions/3', 1)).toEqual({ v: 'v1-3' });
    expect(await getPolicy(pilot.http, stack.nexusUrl, POLICY.name)).toMatchObject(POLICY);
    // the Keepers hold the set the status names: a crash now comes back with it, by itself
    expect(await crashAndComeBack()).toBe(after);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    measured[point] = { ms: Date.now() - t0 };
  });

  it('a Keeper down when the shards are pushed, another SIGKILLed while Nexus waits in pushing: restarted, the rotation finishes', { timeout: 300_000 }, async () => {
    const before = await healthy();
    const nexus = stack.proc('nexus');
    const mark = nexus.mark();
    await stack.kill('keeper-3');
    const r = await postRotate(pilot, stack.nexusUrl);
    expect(r.status).toBe(200);
    expect(r.answer).toMatchObject({ state: 'started', previousFingerprint: before });
    const fresh = r.answer!.fingerprint;
    expect(fresh).not.toBe(before);

    const waiting = await waitForStatus(
      pilot,
      stack,
      // Until keepers 1 and 2 have acknowledged, the first push still lists them too.
      (s) => s.rotation === 'pushing' && (s.rotationWaiting ?? []).join(',') === '3',
      'pushing, waiting for keeper 3 alone',
      240_000,
      (s) => s.rotation === '' && s.fingerprint !== before, // finished although keeper 3 never took its new shard
    );
    expect(waiting.rotationFingerprint).toBe(fresh);
    expect(waiting.rotationWaiting).toEqual([3]);
    await nexus.waitForEvent('rotation_waiting_keepers', { after: mark });
    // keeper 2 has its new shard; it crashes while Nexus still waits for keeper 3
    await stack.kill('keeper-2');
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]); // served while waiting
    expect((await nexusStatus(pilot, stack.nexusUrl)).rotation).toBe('pushing');
    await stack.startKeeper(2);
    await stack.startKeeper(3);
    const done = await waitForStatus(pilot, stack, settled, 'ready with no rotation');
    expect(done.fingerprint).toBe(fresh);
    await nexus.waitForEvent('rotation_finished', { after: mark, where: (l) => l.fingerprint === fresh });
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    expect(await crashAndComeBack()).toBe(fresh);
  });

  it('after a total loss, the shards from before the matrix are refused as a retired key; the current ones restore', { timeout: 300_000 }, async () => {
    const current = await healthy();
    expect(current).not.toBe(initialFingerprint);
    await asRole(stack.ids.recover);
    const shards = await recover(pilot.http, stack.nexusUrl);
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === 2 });
    await asRole(stack.ids.restore);
    expect(await restorePost(1, initialShards.get(1)!)).toMatchObject({ state: 'collecting', restored: false, retired: false });
    expect(await restorePost(2, initialShards.get(2)!)).toMatchObject({ state: 'no_fit', restored: false, retired: true });
    expect(nexus.events('root_key_ready')).toHaveLength(0);
    const reset = await pilot.http.postJson(urlFor(stack.nexusUrl, PATH_OPERATOR_RESTORE, ACTION_RESET), Buffer.from('{}'));
    expect(reset.status).toBe(200);
    expect(await restorePost(3, shards.get(3)!)).toMatchObject({ state: 'collecting' });
    expect(await restorePost(1, shards.get(1)!)).toMatchObject({ state: 'restored', restored: true });
    for (const v of shards.values()) v?.fill(0);
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    await asRole(stack.ids.superuser);
    expect((await waitForStatus(pilot, stack, settled, 'ready')).fingerprint).toBe(current);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
  });
});
