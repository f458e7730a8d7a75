// Root-key rotation with several Nexus replicas on one PostgreSQL database
// (docs/postgres.md § Root-key rotation), real processes from dist/ (npm run
// build first): dev agent, three Keepers (threshold 2), replicas A (the
// Stack's `nexus`) and B, later C, on a private cluster.
//   - `spike operator rotate` through A while a writer puts through B: B learns
//     the new key without a restart (its status shows the new fingerprint),
//     every secret — those from before and every write answered during the
//     rotation — reads back through B and through A, each row in the database
//     opens with the new key only.
//   - Replica C with a failpoint is SIGKILLed right after its first re-encryption
//     batch: a rotate through B meanwhile answers `running` (one rotation at a
//     time); the rotation is resumed by a surviving replica once C's lease runs
//     out and finishes; every secret reads back.
//   - Replica B frozen (SIGSTOP) through a whole rotation through A: after
//     SIGCONT it answers only 503 or the right value, drops the retired key
//     and fetches the new one from the Keepers, without a restart.
//   - Total loss (every Nexus and Keeper): the shards exported before the last
//     rotation are refused (exit 5, "previous root key"), the new ones restore.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecret, putSecret } from '../../src/client/index.js';
import type { StatusResponse } from '../../src/protocol/messages.js';
import { openSecretValues } from '../../src/nexus/store/sqlite/rows.js';
import { recoverSecret } from '../../src/shamir/index.js';
import type { PostgresCluster } from '../helpers/postgres.js';
import { postgresStack } from '../helpers/postgres-stack.js';
import { lostSecrets, nexusStatus, postRotate, readRecovery, seedSecrets, spike, totalLoss, type RecoveryFiles } from '../helpers/rotation.js';
import { Stack, type Proc, type StackClient } from '../helpers/stack.js';
import { statusOfError } from '../helpers/status.js';

/** Enough rows (metadata + versions) for two re-encryption batches of 500. */
const COUNT = 400;

let cluster: PostgresCluster;
let stack: Stack;
let tmp: string;
const pgStack = postgresStack('/tmp/rotpg-');
let pilot: StackClient;
let urlB: URL;
const expected = new Map<string, string>();

beforeAll(async () => {
  ({ cluster, stack, tmp } = await pgStack.start());
  await stack.startAll();
  urlB = (await startReplica('nexus-b')).url;
  await stack.proc('nexus-b').waitForEvent('root_key_ready');
  pilot = await stack.client('pilot');
  await stack.switchIdentity(pilot, stack.ids.superuser);
}, 180_000);

afterAll(() => pgStack.cleanup());

async function startReplica(name: string, extra: Record<string, string> = {}): Promise<{ proc: Proc; url: URL }> {
  const proc = stack.spawn(name, 'spike-nexus', [], stack.envFor('nexus', { SPIKE_NEXUS_TLS_PORT: '127.0.0.1:0', SPIKE_NEXUS_REPLICA_NAME: name, ...extra }));
  const port = Number((await proc.waitForEvent('nexus_listening'))['port']);
  return { proc, url: new URL(`https://127.0.0.1:${port}`) };
}

async function asRole(id: string): Promise<void> {
  if (pilot.id() !== id) await stack.switchIdentity(pilot, id);
}

async function recoverInto(name: string): Promise<RecoveryFiles> {
  await asRole(stack.ids.recover);
  const r = await spike(stack, ['operator', 'recover', '-f', 'json'], { SPIKE_PILOT_RECOVERY_DIR: join(tmp, name) });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  await asRole(stack.ids.superuser);
  return readRecovery(join(tmp, name));
}

/** Polls `url`'s status until `done` holds (transport errors retried): a rotation's end through another replica has no answer to wait on. */
async function statusUntil(url: URL, done: (s: StatusResponse) => boolean, what: string, timeoutMs = 180_000): Promise<StatusResponse> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await nexusStatus(pilot, url);
      if (done(last as StatusResponse)) return last as StatusResponse;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > end) throw new Error(`${url.href} never showed ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function heartbeatAgeMs(name: string): Promise<number> {
  const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: 'postgres', database: 'spike' });
  await c.connect();
  try {
    const r = await c.query<{ ms: string }>('SELECT (extract(epoch FROM now() - last_seen) * 1000)::bigint AS ms FROM spike_ts_replicas WHERE name = $1', [name]);
    return Number(r.rows[0]?.ms ?? 0);
  } finally {
    await c.end();
  }
}

async function rawRows(): Promise<{ nonce: Buffer; encrypted_data: Buffer }[]> {
  const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: 'postgres', database: 'spike' });
  await c.connect();
  try {
    return (await c.query<{ nonce: Buffer; encrypted_data: Buffer }>('SELECT nonce, encrypted_data FROM secrets')).rows;
  } finally {
    await c.end();
  }
}

/** The root key two of `files`' shards rebuild (an independent check of what the database rows are sealed with). */
function keyOf(files: RecoveryFiles): Uint8Array {
  const shares = [1, 2].map((id) => ({ id, value: Buffer.from(files.hex.get(id)!, 'hex') }));
  return recoverSecret(shares, 2);
}

function opensWith(key: Uint8Array, r: { nonce: Buffer; encrypted_data: Buffer }): boolean {
  try {
    openSecretValues(key, r.nonce, r.encrypted_data);
    return true;
  } catch {
    return false;
  }
}

describe('root-key rotation with two active replicas on PostgreSQL', () => {
  let old: RecoveryFiles;
  let afterFirst: string;

  it('rotate through A while B writes: B learns the new key without a restart, nothing is lost', { timeout: 420_000 }, async () => {
    for (let i = 0; i < COUNT; i++) expected.set(`app/s/${i}`, `value-${i}`);
    await seedSecrets(pilot, stack.nexusUrl, expected);
    for (const v of ['a1', 'a2']) await putSecret(pilot.http, urlB, 'app/two', { v });
    expected.set('app/two', 'a2');
    old = await recoverInto('old');
    const before = await nexusStatus(pilot, urlB);
    expect(before.fingerprint).toBe(old.fingerprint);

    // A writer through B for as long as the rotation runs: every answered write must read back.
    let writing = true;
    let n = 0;
    const written = new Map<string, string>();
    const writer = (async () => {
      while (writing) {
        const path = `app/during/${n}`;
        await putSecret(pilot.http, urlB, path, { v: `during-${n}` });
        written.set(path, `during-${n}`);
        n++;
      }
    })();
    const rot = await spike(stack, ['operator', 'rotate', '--yes', '-f', 'json']);
    writing = false;
    await writer;
    expect(rot.stderr).toBe('');
    expect(rot.code).toBe(0);
    const answer = JSON.parse(rot.stdout) as { rotated: boolean; fingerprint: string; previousFingerprint: string };
    expect(answer).toMatchObject({ rotated: true, previousFingerprint: old.fingerprint });
    expect(answer.fingerprint).not.toBe(old.fingerprint);
    afterFirst = answer.fingerprint;
    expect(written.size).toBeGreaterThan(0);

    // B: the new key in memory (what it pushes and exports), without a restart.
    const b = await statusUntil(urlB, (s) => s.fingerprint === answer.fingerprint && s.rotation === '', 'the new fingerprint');
    expect(b.ready).toBe(true);
    expect(stack.proc('nexus-b').events('nexus_listening')).toHaveLength(1);
    for (const [p, v] of written) expected.set(p, v);
    expect(await lostSecrets(pilot, urlB, expected)).toEqual([]);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
    expect(await getSecret(pilot.http, urlB, 'app/two', 1)).toEqual({ v: 'a1' });
    // A write through B now is readable through A (sealed with the new key).
    await putSecret(pilot.http, urlB, 'app/after', { v: 'after' });
    expected.set('app/after', 'after');
    expect(await getSecret(pilot.http, stack.nexusUrl, 'app/after')).toEqual({ v: 'after' });
    // Every stored version opens with the new key (the shards `recover` exports now), none with the old one.
    const now = await recoverInto('first');
    expect(now.fingerprint).toBe(answer.fingerprint);
    const rows = await rawRows();
    expect(rows.length).toBeGreaterThan(COUNT + written.size);
    const [oldKey, newKey] = [keyOf(old), keyOf(now)];
    expect(rows.filter((r) => !opensWith(newKey, r))).toHaveLength(0);
    expect(rows.filter((r) => opensWith(oldKey, r))).toHaveLength(0);
  });

  it.each(['rotation.after_batch@1', 'rotation.before_finish'])('a replica SIGKILLed mid-rotation (%s): a second rotate answers running; a surviving replica resumes and finishes it', { timeout: 420_000 }, async (failpoint) => {
    const prior = (await nexusStatus(pilot, urlB)).fingerprint;
    const marks = { a: stack.proc('nexus').mark(), b: stack.proc('nexus-b').mark() };
    const c = await startReplica('nexus-c', { SPIKE_NEXUS_FAILPOINTS: failpoint });
    await c.proc.waitForEvent('root_key_ready');
    const first = await postRotate(pilot, c.url).catch(() => undefined);
    // C may die before or after it answered: either way the rotation began (and went as far as the failpoint).
    const code = await c.proc.exited;
    expect(code).toBeNull();
    expect(c.proc.child.signalCode).toBe('SIGKILL');
    expect(first === undefined || first.answer?.state === 'started').toBe(true);

    const again = await postRotate(pilot, urlB);
    expect(again.status).toBe(200);
    expect(again.answer).toMatchObject({ state: 'running' });

    const done = await statusUntil(urlB, (s) => s.rotation === '' && s.fingerprint !== prior && s.fingerprint !== afterFirst, 'the rotation finished by a surviving replica');
    expect(done.ready).toBe(true);
    const a = await statusUntil(stack.nexusUrl, (s) => s.fingerprint === done.fingerprint, 'A on the same key');
    expect(a.rotation).toBe('');
    const resumed = [
      ...stack.proc('nexus').lines.slice(marks.a).filter((l) => l.action === 'rotation_resumed' || l.msg === 'rotation_resumed'),
      ...stack.proc('nexus-b').lines.slice(marks.b).filter((l) => l.action === 'rotation_resumed' || l.msg === 'rotation_resumed'),
    ];
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(await lostSecrets(pilot, urlB, expected)).toEqual([]);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
  });

  it('a replica frozen through a whole rotation never answers with the old key and fetches the new key from the Keepers without a restart', { timeout: 420_000 }, async () => {
    const b = stack.proc('nexus-b');
    const pid = b.child.pid;
    if (pid === undefined) throw new Error('nexus-b has no pid');
    const before = await nexusStatus(pilot, urlB);
    expect(before.ready).toBe(true);
    const readyBefore = b.events('root_key_ready').length;
    await putSecret(pilot.http, stack.nexusUrl, 'app/frozen', { v: 'frozen' });
    expected.set('app/frozen', 'frozen');
    process.kill(pid, 'SIGSTOP');
    let resumed = false;
    try {
      const rot = await spike(stack, ['operator', 'rotate', '--yes', '-f', 'json']);
      expect(rot).toMatchObject({ code: 0, stderr: '' });
      const answer = JSON.parse(rot.stdout) as { fingerprint: string; previousFingerprint: string };
      expect(answer.previousFingerprint).toBe(before.fingerprint);
      // B's timers (heartbeat, periodic push, the rotation poll) are overdue once its heartbeat is 3 s old.
      await until(async () => (await heartbeatAgeMs('nexus-b')) > 3_000, 'B overdue');
      const mark = b.mark();
      process.kill(pid, 'SIGCONT');
      resumed = true;
      // Until B has the new key: every answer through B is 503 or the right value.
      const answers = new Set<string>();
      let s: StatusResponse | undefined;
      while (s?.ready !== true || s.fingerprint !== answer.fingerprint) {
        answers.add(await getSecret(pilot.http, urlB, 'app/frozen').then((v) => JSON.stringify(v), (e: unknown) => String(statusOfError(e))));
        s = await nexusStatus(pilot, urlB).catch(() => undefined);
      }
      expect([...answers].filter((a) => a !== JSON.stringify({ v: 'frozen' }) && a !== '503')).toEqual([]);
      await b.waitForEvent('root_key_retired_elsewhere', { after: mark });
      await b.waitForEvent('root_key_dropped', { after: mark });
      expect(b.events('root_key_ready').length).toBe(readyBefore + 1);
      expect(b.events('root_key_ready').at(-1)).toMatchObject({ source: 'keepers' });
      expect(b.events('nexus_listening')).toHaveLength(1);
      expect(await lostSecrets(pilot, urlB, expected)).toEqual([]);
    } finally {
      if (!resumed) process.kill(pid, 'SIGCONT');
    }
  });

  it('after a total loss the shards from before the rotations are refused and the new ones restore', { timeout: 420_000 }, async () => {
    const fresh = await recoverInto('new');
    expect(fresh.fingerprint).not.toBe(old.fingerprint);
    const again = await totalLoss(stack, ['nexus', 'nexus-b', 'keeper-1', 'keeper-2', 'keeper-3']);
    await asRole(stack.ids.restore);
    const o1 = await spike(stack, ['operator', 'restore', '--file', old.files.get(1)!]);
    expect(o1).toMatchObject({ code: 0, stderr: '' });
    const o2 = await spike(stack, ['operator', 'restore', '--file', old.files.get(2)!]);
    expect(o2.code).toBe(5);
    expect(o2.stdout + o2.stderr).toMatch(/these shards belong to a previous root key/i);
    expect(again.events('root_key_ready')).toHaveLength(0);
    expect(await spike(stack, ['operator', 'restore', '--reset'])).toMatchObject({ code: 0 });
    expect(await spike(stack, ['operator', 'restore', '--file', fresh.files.get(1)!])).toMatchObject({ code: 0 });
    const n2 = await spike(stack, ['operator', 'restore', '--file', fresh.files.get(3)!]);
    expect(n2).toMatchObject({ code: 0, stderr: '' });
    expect(n2.stdout).toContain('SPIKE is now restored and ready to use.');
    await again.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    await asRole(stack.ids.superuser);
    expect(await lostSecrets(pilot, stack.nexusUrl, expected)).toEqual([]);
  });
});
