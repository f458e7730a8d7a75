// Writes during a root-key rotation (docs/design.md § Root-key rotation),
// real processes from dist/ (npm run build first): while Nexus re-encrypts
// ~2000 secrets, writers keep putting new secrets and new versions of
// secrets the rotation has or has not reached yet. No write fails; after the
// rotation every answered write reads back its value (none lost, none
// reverted to an older version), and again after Nexus is SIGKILLed and
// comes back from the Keepers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSecret } from '../../src/client/index.js';
import { reportMeasurements } from '../helpers/measurements.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { lostSecrets, postRotate, seedSecrets, settled, waitForStatus } from '../helpers/rotation.js';

const SEED = 2000;
const NEW_PATH_WRITERS = 3;
const OVERWRITERS = 2;

let stack: Stack;
let pilot: StackClient;
/** path → last value of `v` answered 200. */
const acked = new Map<string, string>();
const measured: Record<string, unknown> = {};

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3, threshold: 2, env: { SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s', SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' } });
  await stack.startAll();
  pilot = await stack.client('pilot');
  await stack.switchIdentity(pilot, stack.ids.superuser);
  const seed = new Map<string, string>();
  for (let i = 0; i < SEED; i++) seed.set(`base/${i}`, `seed-${i}`);
  await seedSecrets(pilot, stack.nexusUrl, seed, 16);
  for (const [p, v] of seed) acked.set(p, v);
}, 300_000);

afterAll(async () => {
  reportMeasurements('rotation-concurrent-writes', measured);
  await stack?.cleanup();
});

describe('writes during a rotation (~2000 secrets)', () => {
  it('every write answered during the rotation reads back after it, and after a Nexus crash', { timeout: 300_000 }, async () => {
    const nexus = stack.proc('nexus');
    const before = (await waitForStatus(pilot, stack, settled, 'ready')).fingerprint;
    let stop = false;
    const ackTimes: number[] = [];
    const failures: string[] = [];
    const put = async (path: string, v: string): Promise<void> => {
      try {
        await putSecret(pilot.http, stack.nexusUrl, path, { v });
        acked.set(path, v);
        ackTimes.push(Date.now());
      } catch (e) {
        failures.push(`${path}=${v}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    // new secrets
    const newPaths = async (w: number): Promise<void> => {
      for (let n = 0; !stop; n++) await put(`new/${w}/${n}`, `new-${w}-${n}`);
    };
    // new versions of seeded secrets, each writer its own paths, walking through all of them
    // (rows the rotation has re-encrypted already and rows it has not reached yet)
    const overwrite = async (w: number): Promise<void> => {
      for (let round = 1; !stop; round++) {
        for (let i = w; i < SEED && !stop; i += OVERWRITERS * 7) await put(`base/${i}`, `over-${round}-${i}`);
      }
    };
    const writers = Promise.all([...Array.from({ length: NEW_PATH_WRITERS }, (_, w) => newPaths(w)), ...Array.from({ length: OVERWRITERS }, (_, w) => overwrite(w))]);
    try {
      // writes are flowing before the rotation begins
      while (ackTimes.length < 30 && failures.length === 0) await new Promise((r) => setTimeout(r, 20));
      const mark = nexus.mark();
      const r = await postRotate(pilot, stack.nexusUrl);
      expect(r.status).toBe(200);
      expect(r.answer).toMatchObject({ state: 'started', previousFingerprint: before });
      const started = await nexus.waitForEvent('rotation_started', { after: mark });
      const reencrypted = await nexus.waitForEvent('rotation_reencrypted', { after: mark, timeoutMs: 240_000 });
      await nexus.waitForEvent('rotation_finished', { after: mark, timeoutMs: 240_000 });
      const during = ackTimes.filter((t) => t >= Number(started._at) && t <= Number(reencrypted._at)).length;
      measured.writesAckedWhileReencrypting = during;
      measured.reencryptMs = Number(reencrypted._at) - Number(started._at);
      measured.rowsTotal = started.total;
      // writes kept being answered while rows were re-encrypted
      expect(during).toBeGreaterThan(0);
    } finally {
      stop = true;
      await writers;
    }
    measured.writesAnswered = ackTimes.length;
    expect(failures).toEqual([]);
    const after = (await waitForStatus(pilot, stack, settled, 'ready with no rotation')).fingerprint;
    expect(after).not.toBe(before);
    expect(acked.size).toBeGreaterThan(SEED);
    expect(await lostSecrets(pilot, stack.nexusUrl, acked)).toEqual([]);

    // a crash right after: Nexus comes back from the Keepers with the new key, nothing lost
    await stack.kill('nexus');
    const again = await stack.startNexus();
    await again.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers', timeoutMs: 60_000 });
    expect((await waitForStatus(pilot, stack, settled, 'ready')).fingerprint).toBe(after);
    expect(await lostSecrets(pilot, stack.nexusUrl, acked)).toEqual([]);
  });
});
