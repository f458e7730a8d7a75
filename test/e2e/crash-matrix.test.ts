// Crash matrix: real processes from dist/ (npm run build
// first), 5 Keepers / threshold 3:
//   - SIGKILL Nexus in the middle of a burst of secret writes: every write
//     answered 200 reads back after the restart (three rounds);
//   - one Keeper down + Nexus crash → Nexus recovers from the Keepers by itself;
//   - shares − threshold (2) Keepers down + Nexus crash → still by itself;
//   - shares − threshold + 1 (3) Keepers down + Nexus crash → restore needed,
//     operator restore with the real `spike` CLI;
//   - all Keepers and Nexus killed → restore needed → `spike operator restore`;
//   - a Keeper restarted while Nexus runs is refilled (time measured);
// with zero secrets lost at every step. The measured counts and times are
// written at the end to a file (test/helpers/measurements.ts).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchShard, getSecret, putSecret } from '../../src/client/index.js';
import { runSpike, type CliRun } from '../helpers/fakenexus.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOfError as statusOf } from '../helpers/status.js';
import { reportMeasurements } from '../helpers/measurements.js';

const SHARES = 5;
const THRESHOLD = 3;

let stack: Stack;
let pilot: StackClient;
let recoveryDir: string;
/** Every secret whose write was answered 200: path → value of `v`. */
const acked = new Map<string, string>();
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  stack = await Stack.create({
    keepers: SHARES,
    threshold: THRESHOLD,
    env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s', SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' },
  });
  await stack.startAll();
  pilot = await stack.client('pilot');
  recoveryDir = mkdtempSync(join(stack.dir, 'r-'));
  // the shards every restore below uses, recovered with the real CLI while healthy
  for (let i = 0; i < 10; i++) await put(`seed/${i}`, `seed-${i}`);
  await asRole(stack.ids.recover);
  recoverRun = await runSpike(['operator', 'recover'], { env: pilotEnv() });
  await asRole(stack.ids.superuser);
  if (recoverRun.code !== 0) throw new Error(`spike operator recover failed (${String(recoverRun.code)}): ${recoverRun.stderr}`);
  shardHex = new Map([1, 2, 3, 4, 5].map((i) => [i, shardFile(i).split(':')[2]!]));
}, 120_000);

afterAll(async () => {
  reportMeasurements('crash-matrix', measured);
  await stack?.cleanup();
});

// ---- helpers ----------------------------------------------------------------

async function asRole(id: string): Promise<void> {
  await stack.switchIdentity(pilot, id);
}


async function put(path: string, v: string): Promise<void> {
  await putSecret(pilot.http, stack.nexusUrl, path, { v });
  acked.set(path, v);
}

/** Reads back every acknowledged secret; returns the paths that are missing or wrong. */
async function lostSecrets(): Promise<string[]> {
  const lost: string[] = [];
  const paths = [...acked.keys()];
  // a few at a time: two cores
  for (let i = 0; i < paths.length; i += 16) {
    await Promise.all(
      paths.slice(i, i + 16).map(async (p) => {
        try {
          const got = await getSecret(pilot.http, stack.nexusUrl, p);
          if (got.v !== acked.get(p)) lost.push(`${p} (got ${JSON.stringify(got)})`);
        } catch (e) {
          lost.push(`${p} (${String(statusOf(e))})`);
        }
      }),
    );
  }
  return lost;
}

async function restartNexusFromKeepers(): Promise<number> {
  const t0 = Date.now();
  const nexus = await stack.startNexus();
  await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers', timeoutMs: 30_000 });
  return Date.now() - t0;
}

/** Restarts keeper `i` (empty) while Nexus runs; resolves with ms from start to Nexus's `keeper_refilled`. */
async function restartKeeperAndTimeRefill(i: number, after: number): Promise<{ refillMs: number; withoutShardMs: number }> {
  const nexus = stack.proc('nexus');
  const t0 = Date.now();
  await stack.startKeeper(i);
  const ev = await nexus.waitForEvent('keeper_refilled', { after, where: (l) => l.keeper === i, timeoutMs: 30_000 });
  return { refillMs: Number(ev._at) - t0, withoutShardMs: Number(ev.withoutShardMs) };
}

/** Nexus's view of keeper `i`'s shard (as the nexus workload), hex or the failure. */
async function keeperShardHex(i: number): Promise<string> {
  const asNexus = await stack.client('nexus', stack.ids.keeper);
  try {
    return Buffer.from(await fetchShard(asNexus.http, stack.keeperUrls[i - 1]!)).toString('hex');
  } catch (e) {
    return `failed:${String(statusOf(e))}`;
  } finally {
    await asNexus.close();
  }
}

function pilotEnv(): Record<string, string> {
  return {
    HOME: stack.dir,
    SPIFFE_ENDPOINT_SOCKET: `unix://${stack.socketOf('pilot')}`,
    SPIKE_NEXUS_API_URL: stack.nexusUrl.origin,
    SPIKE_PILOT_RECOVERY_DIR: recoveryDir,
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '20s',
    SPIKE_HTTP_CLIENT_TIMEOUT: '20s',
  };
}

function shardFile(id: number): string {
  return readFileSync(join(recoveryDir, 'recover', `spike.recovery.${id}.txt`), 'latin1');
}

/** `spike operator restore` once per shard id, as the seed's break-glass procedure says. */
async function cliRestore(ids: number[]): Promise<CliRun[]> {
  await asRole(stack.ids.restore);
  const runs: CliRun[] = [];
  for (const id of ids) runs.push(await runSpike(['operator', 'restore'], { env: pilotEnv(), stdin: shardFile(id) }));
  await asRole(stack.ids.superuser);
  return runs;
}

function expectRestoreRuns(runs: CliRun[]): void {
  for (const [k, r] of runs.entries()) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    if (k < runs.length - 1) expect(r.stdout).toContain(`Shards collected: ${k + 1}\nShards remaining: ${THRESHOLD - k - 1}\n`);
    else expect(r.stdout).toContain('SPIKE is now restored and ready to use.');
  }
}

async function waitAllKeepersHold(shards: Map<number, string>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const held = await Promise.all([...shards.keys()].map(async (i) => (await keeperShardHex(i)) === shards.get(i)));
    if (held.every(Boolean)) return;
    if (Date.now() > end) throw new Error(`keepers not refilled: ${JSON.stringify(held)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let shardHex: Map<number, string>;
let recoverRun: CliRun;

/**
 * The state every test starts from, whatever the test before it left: every Keeper and Nexus
 * running, Nexus ready, every Keeper holding its shard. A Nexus that cannot recover from the
 * Keepers is restored with `spike operator restore`.
 */
async function healthy(): Promise<void> {
  for (let i = 1; i <= SHARES; i++) if (!stack.proc(`keeper-${i}`).running()) await stack.startKeeper(i);
  let nexus = stack.proc('nexus');
  if (!nexus.running()) nexus = await stack.startNexus();
  if (nexus.events('root_key_ready').length === 0) {
    const ready = nexus.waitForEvent('root_key_ready', { timeoutMs: 30_000 }).then(() => 'ready' as const);
    const needed = nexus.waitForEvent('restore_needed', { timeoutMs: 30_000 }).then(() => 'restore' as const);
    ready.catch(() => undefined);
    needed.catch(() => undefined);
    if ((await Promise.race([ready, needed])) === 'restore') {
      // shard by shard until ready (some may have come from surviving keepers already)
      for (let id = 1; id <= SHARES && nexus.events('root_key_ready').length === 0; id++) await cliRestore([id]);
      await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    }
  }
  await asRole(stack.ids.superuser);
  await waitAllKeepersHold(shardHex);
}

// ---- the matrix ---------------------------------------------------------------

describe(`crash matrix (${SHARES} keepers, threshold ${THRESHOLD})`, () => {
  it('`spike operator recover` while healthy writes the shards the keepers hold', async () => {
    await healthy();
    expect(recoverRun.stderr).toBe('');
    expect(recoverRun.code).toBe(0);
    const shardFiles = readdirSync(join(recoveryDir, 'recover')).filter((f) => f.endsWith('.txt'));
    expect(shardFiles.sort()).toEqual([1, 2, 3, 4, 5].map((i) => `spike.recovery.${i}.txt`));
    // what the keepers hold is what recover handed out
    for (const i of [1, 2, 3, 4, 5]) expect(await keeperShardHex(i)).toMatch(/^[0-9a-f]{64}$/);
    for (const i of [1, 2, 3, 4, 5]) expect(await keeperShardHex(i)).toBe(shardHex.get(i));
  }, 60_000);

  it('SIGKILL Nexus in the middle of a write burst: every write answered 200 reads back', async () => {
    await healthy();
    const rounds: Record<string, number>[] = [];
    for (let round = 0; round < 3; round++) {
      const answered = new Set<number>();
      const failed = new Set<number>();
      let next = 0;
      let killing: Promise<void> | undefined;
      const killAt = 40 + 20 * round; // acks before the kill
      const worker = async (): Promise<void> => {
        while (killing === undefined) {
          const i = next++;
          try {
            await put(`burst/${round}/${i}`, `value-${round}-${i}`);
            answered.add(i);
            if (answered.size >= killAt && killing === undefined) killing = stack.kill('nexus');
          } catch (e) {
            statusOf(e); // a ClientError (transport), anything else is a bug
            failed.add(i);
            if (killing === undefined) throw new Error(`write ${i} failed before the kill: ${String(e)}`, { cause: e });
          }
        }
      };
      // one sequential writer overwriting a single path (new versions of one secret)
      let hotSent = 0;
      let hotAcked = 0;
      const hotWriter = async (): Promise<void> => {
        while (killing === undefined) {
          const v = ++hotSent;
          try {
            await putSecret(pilot.http, stack.nexusUrl, `hot/${round}`, { v: String(v) });
            hotAcked = v;
          } catch (e) {
            statusOf(e);
            if (killing === undefined) throw new Error(`hot write ${v} failed before the kill: ${String(e)}`, { cause: e });
          }
        }
      };
      await Promise.all([...Array.from({ length: 8 }, worker), hotWriter()]);
      await killing;
      const restartMs = await restartNexusFromKeepers();
      // unanswered writes may or may not have landed; answered ones must have
      let unansweredButStored = 0;
      for (const i of failed) {
        const answer = await getSecret(pilot.http, stack.nexusUrl, `burst/${round}/${i}`).then(
          () => 'stored' as const,
          (e: unknown) => statusOf(e),
        );
        expect(['stored', 404]).toContain(answer);
        if (answer === 'stored') unansweredButStored++;
      }
      // the overwritten secret: at least the last answered version, at most the last one sent
      const hot = Number((await getSecret(pilot.http, stack.nexusUrl, `hot/${round}`)).v);
      expect(hot).toBeGreaterThanOrEqual(hotAcked);
      expect(hot).toBeLessThanOrEqual(hotSent);
      acked.set(`hot/${round}`, String(hot));
      rounds.push({
        sent: next,
        answered200: answered.size,
        failedAtKill: failed.size,
        unansweredButStored,
        hotVersionsAnswered: hotAcked,
        hotVersionAfterRestart: hot,
        restartToReadyMs: restartMs,
      });
      expect(failed.size).toBeGreaterThan(0); // the kill really hit writes in flight
    }
    measured.burst = rounds;
    expect(await lostSecrets()).toEqual([]);
  }, 180_000);

  it('one Keeper down, Nexus crashes → Nexus recovers from the other four by itself; the Keeper is refilled when back', async () => {
    await healthy();
    await stack.kill('keeper-1');
    await stack.kill('nexus');
    measured.oneKeeperDown_restartToReadyMs = await restartNexusFromKeepers();
    expect(await lostSecrets()).toEqual([]);
    await put('degraded/one', 'written with keeper-1 down');
    const mark = stack.proc('nexus').mark();
    measured.oneKeeperDown_keeperRestartToRefilled = await restartKeeperAndTimeRefill(1, mark);
    expect(await keeperShardHex(1)).toBe(shardHex.get(1));
  }, 120_000);

  it('shares − threshold (2) Keepers down, Nexus crashes → recovers from exactly threshold Keepers; both refilled', async () => {
    await healthy();
    await stack.kill('keeper-2');
    await stack.kill('keeper-4');
    await stack.kill('nexus');
    measured.twoKeepersDown_restartToReadyMs = await restartNexusFromKeepers();
    expect(await lostSecrets()).toEqual([]);
    await put('degraded/two', 'written with keepers 2 and 4 down');
    const mark = stack.proc('nexus').mark();
    const [k2, k4] = await Promise.all([restartKeeperAndTimeRefill(2, mark), restartKeeperAndTimeRefill(4, mark)]);
    measured.twoKeepersDown_keeperRestartToRefilled = { keeper2: k2, keeper4: k4 };
    await waitAllKeepersHold(shardHex);
  }, 120_000);

  it('shares − threshold + 1 (3) Keepers down, Nexus crashes → waits for a restore; `spike operator restore` brings it back', async () => {
    await healthy();
    for (const n of ['keeper-1', 'keeper-3', 'keeper-5', 'nexus']) await stack.kill(n);
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 2 && l.threshold === THRESHOLD, timeoutMs: 30_000 });
    // the killed keepers come back empty: still not enough shards, still not ready
    await Promise.all([1, 3, 5].map((i) => stack.startKeeper(i)));
    await expect(getSecret(pilot.http, stack.nexusUrl, 'seed/0')).rejects.toMatchObject({ status: 503 });
    expect(nexus.events('root_key_ready')).toHaveLength(0);
    const t0 = Date.now();
    expectRestoreRuns(await cliRestore([5, 1, 3]));
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    measured.threeKeepersDown_restoreCliMs = Date.now() - t0;
    await waitAllKeepersHold(shardHex);
    measured.threeKeepersDown_restoreToAllKeepersRefilledMs = Date.now() - t0;
    expect(await lostSecrets()).toEqual([]);
  }, 150_000);

  it('all Keepers and Nexus killed → restore needed → `spike operator restore` → zero secrets lost, keepers refilled', async () => {
    await healthy();
    await put('before-total-crash', 'last write');
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3', 'keeper-4', 'keeper-5']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === THRESHOLD, timeoutMs: 30_000 });
    await expect(getSecret(pilot.http, stack.nexusUrl, 'seed/0')).rejects.toMatchObject({ status: 503 });
    const t0 = Date.now();
    expectRestoreRuns(await cliRestore([2, 4, 3]));
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    measured.totalCrash_restoreCliMs = Date.now() - t0;
    await waitAllKeepersHold(shardHex);
    measured.totalCrash_restoreToAllKeepersRefilledMs = Date.now() - t0;
    expect(await lostSecrets()).toEqual([]);
    measured.secretsCheckedAtEnd = acked.size;
    // and the system is healthy again: a Nexus crash now heals by itself
    await stack.kill('nexus');
    measured.afterRestore_restartToReadyMs = await restartNexusFromKeepers();
    expect(await lostSecrets()).toEqual([]);
  }, 150_000);
});
