// Root-key rotation end to end (docs/design.md § Root-key rotation), real
// processes from dist/ (npm run build first): dev agent, three Keepers
// (threshold 2), Nexus on SQLite, Bootstrap, and the built `spike`.
//   - refusals first: `spike operator rotate` without --yes on a
//     non-terminal (exit 2) and as the restore role (exit 3) change nothing;
//   - a few hundred secrets (some with several versions, one deleted version,
//     one with several keys and characters Go's JSON escapes) and a policy;
//   - `spike operator recover` (old shards + manifest), `spike operator
//     rotate --yes -f json`: a new fingerprint, the previous one is the old
//     manifest's; every secret, older version and the policy read back; the
//     status shows the new fingerprint and no rotation; recover again: the
//     manifest's fingerprint is the rotate answer's;
//   - total loss (Nexus and every Keeper killed): the OLD shards are refused
//     as belonging to a previous root key (exit 5), the NEW ones restore;
//     every secret reads back, the deleted version undeletes to its value.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteSecret, getPolicy, getSecret, putPolicy, putSecret, undeleteSecret } from '../../src/client/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOf } from '../helpers/status.js';
import { lostSecrets, nexusStatus, readRecovery, seedSecrets, spike, totalLoss, type RecoveryFiles } from '../helpers/rotation.js';

const COUNT = 300;
const POLICY = {
  name: 'rotation-readers',
  spiffeIdPattern: '^spiffe://spike\\.ist/workload/rot-reader$',
  pathPattern: '^app/s/.*$',
  permissions: ['read', 'list'],
};
const READER_ID = 'spiffe://spike.ist/workload/rot-reader';
/** Values Go's json.Marshal escapes (\u003c \u0026 \u2028) and non-ASCII: the plaintext bytes must survive re-encryption as they are. */
const MULTI = { user: 'admin', pass: 's3cr3t<&>\u2028é', note: '' };

let stack: Stack;
let pilot: StackClient;
let tmp: string;
/** path → last value of `v`. */
const expected = new Map<string, string>();
/** path → value of `v` in version 1 (secrets with three versions). */
const firstVersions = new Map<string, string>();

beforeAll(async () => {
  tmp = mkdtempSync('/tmp/rot-');
  stack = await Stack.create({ keepers: 3, threshold: 2 });
  await stack.startAll();
  pilot = await stack.client('pilot');
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function asRole(id: string): Promise<void> {
  if (pilot.id() !== id) await stack.switchIdentity(pilot, id);
}

const recoveryEnv = (name: string) => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, name) });

async function recoverInto(name: string): Promise<RecoveryFiles & { printed: string }> {
  await asRole(stack.ids.recover);
  const r = await spike(stack, ['operator', 'recover', '-f', 'json'], recoveryEnv(name));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const printed = (JSON.parse(r.stdout) as { fingerprint: string }).fingerprint;
  return { ...readRecovery(join(tmp, name)), printed };
}

async function fingerprintNow(): Promise<string> {
  const s = await nexusStatus(pilot, stack.nexusUrl);
  expect(s.ready).toBe(true);
  expect(s.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  return s.fingerprint;
}

describe('root-key rotation (real stack, 3 keepers, threshold 2)', () => {
  it('refuses without --yes on a non-terminal (exit 2) and for the restore role (exit 3); nothing changes', { timeout: 120_000 }, async () => {
    await asRole(stack.ids.superuser);
    const before = await fingerprintNow();

    const noYes = await spike(stack, ['operator', 'rotate']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/^Error: .*--yes.*\n$/);
    expect(await fingerprintNow()).toBe(before);

    await asRole(stack.ids.restore);
    const wrongRole = await spike(stack, ['operator', 'rotate', '--yes']);
    expect(wrongRole.code).toBe(3);
    expect(wrongRole.stderr).toMatch(/^Error: .*\n$/);
    await asRole(stack.ids.superuser);
    expect(await fingerprintNow()).toBe(before);
    expect(stack.proc('nexus').events('rotation_started')).toHaveLength(0);
  });

  it('rotate: new fingerprint, every secret/version/policy reads, old shards refused after total loss, new shards restore', { timeout: 420_000 }, async () => {
    await asRole(stack.ids.superuser);
    // ---- data: COUNT secrets, every 15th with three versions; one deleted version; several keys; a policy
    const single = new Map<string, string>();
    for (let i = 0; i < COUNT; i++) {
      const path = `app/s/${i}`;
      if (i % 15 === 0) {
        firstVersions.set(path, `value-${i}-v1`);
        await putSecret(pilot.http, stack.nexusUrl, path, { v: `value-${i}-v1` });
        await putSecret(pilot.http, stack.nexusUrl, path, { v: `value-${i}-v2` });
        await putSecret(pilot.http, stack.nexusUrl, path, { v: `value-${i}` });
      } else single.set(path, `value-${i}`);
      expected.set(path, `value-${i}`);
    }
    await seedSecrets(pilot, stack.nexusUrl, single);
    for (const v of ['d1', 'd2', 'd3']) await putSecret(pilot.http, stack.nexusUrl, 'app/deleted', { v });
    await deleteSecret(pilot.http, stack.nexusUrl, 'app/deleted', [2]);
    expected.set('app/deleted', 'd3');
    await putSecret(pilot.http, stack.nexusUrl, 'app/multi', MULTI);
    await putPolicy(pilot.http, stack.nexusUrl, POLICY);
    await stack.setEntry('rot-reader', READER_ID);
    const reader = await stack.client('rot-reader');
    expect(await getSecret(reader.http, stack.nexusUrl, 'app/s/1')).toEqual({ v: 'value-1' });

    // ---- the old shards
    const old = await recoverInto('old');
    expect(old.printed).toBe(old.fingerprint);
    expect([...old.files.keys()].sort()).toEqual([1, 2, 3]);
    await asRole(stack.ids.superuser);
    expect(await fingerprintNow()).toBe(old.fingerprint);

    // ---- rotate
    const nexus = stack.proc('nexus');
    const rot = await spike(stack, ['operator', 'rotate', '--yes', '-f', 'json']);
    expect(rot.stderr).toBe('');
    expect(rot.code).toBe(0);
    const answer = JSON.parse(rot.stdout) as { rotated: boolean; fingerprint: string; previousFingerprint: string; rows: number };
    expect(answer.rotated).toBe(true);
    expect(answer.previousFingerprint).toBe(old.fingerprint);
    expect(answer.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.fingerprint).not.toBe(old.fingerprint);
    const finished = await nexus.waitForEvent('rotation_finished');
    expect(finished).toMatchObject({ caller: stack.ids.superuser, previousFingerprint: old.fingerprint, fingerprint: answer.fingerprint });
    const started = await nexus.waitForEvent('rotation_started');
    // COUNT + 1 + 1 secrets (metadata rows) + their versions + the policy
    expect(started.total).toBeGreaterThanOrEqual(2 * (COUNT + 2) + 1);
    // never key material in Nexus's output
    const out = nexus.stdout() + nexus.stderr();
    for (const h of old.hex.values()) expect(out).not.toContain(h);

    // ---- everything reads back under the new key
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    for (const [p, v] of firstVersions) expect(await getSecret(pilot.http, stack.nexusUrl, p, 1)).toEqual({ v });
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/s/15', 2)).toEqual({ v: 'value-15-v2' });
    expect(await statusOf(getSecret(pilot.http, stack.nexusUrl, 'app/deleted', 2))).toBe(404);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/multi')).toEqual(MULTI);
    expect(await getPolicy(pilot.http, stack.nexusUrl, POLICY.name)).toMatchObject(POLICY);
    expect(await getSecret(reader.http, stack.nexusUrl, 'app/s/2')).toEqual({ v: 'value-2' });
    expect(await statusOf(getSecret(reader.http, stack.nexusUrl, 'app/multi'))).toBe(401);

    // ---- status: the new fingerprint, no rotation
    const st = await spike(stack, ['operator', 'status', '-f', 'json']);
    expect(st.code).toBe(0);
    const stj = JSON.parse(st.stdout) as Record<string, unknown>;
    expect(stj).toMatchObject({ ready: true, fingerprint: answer.fingerprint });
    expect(stj.rotation ?? '').toBe('');
    expect(await fingerprintNow()).toBe(answer.fingerprint);

    // ---- recover again: the new set
    const fresh = await recoverInto('new');
    expect(fresh.fingerprint).toBe(answer.fingerprint);
    expect(fresh.printed).toBe(answer.fingerprint);
    for (const id of [1, 2, 3]) expect(fresh.hex.get(id)).not.toBe(old.hex.get(id));

    // ---- total loss: Nexus and every Keeper
    const again = await totalLoss(stack, ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']);
    await asRole(stack.ids.restore);

    // the OLD shards: the first is collected, the second completes a set that rebuilds a retired key
    const o1 = await spike(stack, ['operator', 'restore', '--file', old.files.get(1)!]);
    expect(o1).toMatchObject({ code: 0, stderr: '' });
    expect(o1.stdout).toContain('Shards remaining: 1');
    const o2 = await spike(stack, ['operator', 'restore', '--file', old.files.get(2)!]);
    expect(o2.code).toBe(5);
    expect(o2.stdout + o2.stderr).toMatch(/these shards belong to a previous root key/i);
    expect(again.events('root_key_ready')).toHaveLength(0);
    expect((await nexusStatus(pilot, stack.nexusUrl)).ready).toBe(false);

    // the NEW shards (after emptying the collection) restore
    expect(await spike(stack, ['operator', 'restore', '--reset'])).toMatchObject({ code: 0 });
    const n1 = await spike(stack, ['operator', 'restore', '--file', fresh.files.get(1)!]);
    expect(n1).toMatchObject({ code: 0, stderr: '' });
    expect(n1.stdout).toContain('Shards remaining: 1');
    const n2 = await spike(stack, ['operator', 'restore', '--file', fresh.files.get(2)!]);
    expect(n2).toMatchObject({ code: 0, stderr: '' });
    expect(n2.stdout).toContain('SPIKE is now restored and ready to use.');
    await again.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });

    await asRole(stack.ids.superuser);
    expect(await fingerprintNow()).toBe(answer.fingerprint);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    for (const [p, v] of firstVersions) expect(await getSecret(pilot.http, stack.nexusUrl, p, 1)).toEqual({ v });
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/multi')).toEqual(MULTI);
    expect(await getPolicy(pilot.http, stack.nexusUrl, POLICY.name)).toMatchObject(POLICY);
    // the deleted version was re-encrypted too: undeleted, it reads its value
    await undeleteSecret(pilot.http, stack.nexusUrl, 'app/deleted', [2]);
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/deleted', 2)).toEqual({ v: 'd2' });
  });
});
