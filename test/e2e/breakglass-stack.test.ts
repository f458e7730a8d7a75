// The break-glass additions end to end, with the real stack (dev agent, three
// keepers, Nexus, Bootstrap from dist/) and the built `spike`, following
// docs/runbook.md: preflight, recover with a manifest, verify (good and
// tampered), recover --recipient (no plaintext), total loss, status during
// the restore, restore --file --identity --manifest (wrong identity and a
// foreign shard refused locally), restored, every secret back.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as age from 'age-encryption';
import type { Stack } from '../helpers/stack.js';
import { spikeAsPilot, startStackWithTmp, stopStackWithTmp } from '../helpers/stack-cli.js';

let stack: Stack, tmp: string;

beforeAll(async () => {
  ({ stack, tmp } = await startStackWithTmp('/tmp/bgs-', { keepers: 3, threshold: 2 }));
}, 120_000);
afterAll(() => stopStackWithTmp(stack, tmp));

const spike = (args: string[], extra: Record<string, string> = {}, stdin?: string) => spikeAsPilot(stack, args, { extra, stdin });

const plainEnv = () => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'plain') });
const ageEnv = () => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'age') });

describe('break-glass runbook against the real stack', () => {
  it('preflight, recover + manifest, verify, encrypted recover, total loss, status, restore from age files', { timeout: 240_000 }, async () => {
    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'put', 'apps/db', 'pass=s3cr3t'])).toMatchObject({ code: 0 });

    // 1. Preflight fails for the superuser (role), passes once the role is recover.
    const pfBad = await spike(['operator', 'preflight', '--for', 'recover'], plainEnv());
    expect(pfBad.code).toBe(3);
    expect(pfBad.stdout).toMatch(/role +FAIL/);
    expect(pfBad.stderr).toBe('Error: Preflight failed: role (FAIL).\n');
    await stack.setEntry('pilot', stack.ids.recover);
    const pf = await spike(['operator', 'preflight', '--for', 'recover', '-f', 'json'], plainEnv());
    expect(pf.stderr).toBe('');
    expect(pf.code).toBe(0);
    const pfj = JSON.parse(pf.stdout) as { ok: boolean; checks: { name: string; result: string; detail: string }[] };
    expect(pfj.ok).toBe(true);
    expect(pfj.checks.find((c) => c.name === 'nexus')).toMatchObject({ result: 'PASS', detail: expect.stringContaining(stack.ids.nexus) });
    expect(pfj.checks.find((c) => c.name === 'nexus-state')).toMatchObject({ result: 'PASS', detail: 'ready (threshold 2)' });

    // 2. Recover (plaintext) writes the manifest and prints the fingerprint; verify passes.
    const rec = await spike(['operator', 'recover'], plainEnv());
    expect(rec.code).toBe(0);
    const fp = /Shard set fingerprint.*\n {2}((?:[0-9a-f]{4} ){15}[0-9a-f]{4})\n/.exec(rec.stdout)?.[1];
    expect(fp).toMatch(/^(?:[0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    const plainDir = join(tmp, 'plain', 'recover');
    const manifest = JSON.parse(readFileSync(join(plainDir, 'spike.recovery.manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ shares: 3, threshold: 2, nexusId: stack.ids.nexus, encryption: 'none', fingerprint: fp!.replace(/ /g, '') });
    const ver = await spike(['operator', 'verify', '--fingerprint', fp!], plainEnv());
    expect(ver).toMatchObject({ code: 0, stderr: '' });
    expect(ver.stdout).toMatch(/Set check: OK/);

    // A typo in one copy is named; offline (no Workload API at all).
    const typo = join(tmp, 'typo');
    cpSync(plainDir, typo, { recursive: true });
    const f2 = join(typo, 'spike.recovery.2.txt');
    const t = readFileSync(f2, 'latin1');
    writeFileSync(f2, t.slice(0, -1) + (t.endsWith('0') ? '1' : '0'));
    const bad = await spike(['operator', 'verify', typo], { SPIFFE_ENDPOINT_SOCKET: 'unix:///nonexistent/x.sock' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/FAIL {2}\S*spike\.recovery\.2\.txt +shard 2 does not match the manifest/);
    expect(bad.stderr).toBe('Error: Shard verification failed (see the report above).\n');

    // 3. Recover again, encrypted to three custodians: no plaintext shard file.
    const ids = await Promise.all([1, 2, 3].map(() => age.generateIdentity()));
    const recipients = await Promise.all(ids.map((i) => age.identityToRecipient(i)));
    ids.forEach((id, i) => writeFileSync(join(tmp, `key${i + 1}.txt`), `${id}\n`, { mode: 0o600 }));
    const wrongKey = join(tmp, 'wrong.txt');
    writeFileSync(wrongKey, `${await age.generateIdentity()}\n`, { mode: 0o600 });
    writeFileSync(join(tmp, 'recipients.txt'), `# custodians, shard 1..3\n${recipients.join('\n')}\n`);
    const encRec = await spike(['operator', 'recover', '--recipients-file', join(tmp, 'recipients.txt'), '-f', 'json'], ageEnv());
    expect(encRec).toMatchObject({ code: 0, stderr: '' });
    const ageDir = join(tmp, 'age', 'recover');
    expect(readdirSync(ageDir).sort()).toEqual(['spike.recovery.1.txt.age', 'spike.recovery.2.txt.age', 'spike.recovery.3.txt.age', 'spike.recovery.manifest.json']);
    expect(JSON.parse(encRec.stdout)).toMatchObject({ encrypted: true, fingerprint: fp!.replace(/ /g, '') });
    for (const n of [1, 2, 3]) {
      const v = await spike(['operator', 'verify', '-i', join(tmp, `key${n}.txt`), join(ageDir, `spike.recovery.${n}.txt.age`)]);
      expect(v.code, v.stdout).toBe(0);
    }

    // 4. Total loss: every process dies; Nexus comes back waiting for a restore.
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed');
    await stack.setEntry('pilot', stack.ids.restore);

    const pfr = await spike(['operator', 'preflight', '--for', 'restore'], ageEnv());
    expect(pfr.code).toBe(0);
    expect(pfr.stdout).toMatch(/nexus-state +PASS +waiting for a restore: 0 of 2 shards collected/);
    expect(await spike(['operator', 'status', '-f', 'json'])).toMatchObject({
      code: 0,
      stdout: '{\n  "ready": false,\n  "collected": 0,\n  "remaining": 2,\n  "threshold": 2,\n  "ids": []\n}\n',
    });

    const m = join(ageDir, 'spike.recovery.manifest.json');
    const file = (n: number): string => join(ageDir, `spike.recovery.${n}.txt.age`);
    // The wrong identity: one line, exit 2, nothing sent.
    const wrong = await spike(['operator', 'restore', '--file', file(1), '--identity', wrongKey, '--manifest', m]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(`Error: Cannot decrypt ${file(1)}: it is not encrypted to the identity in ${wrongKey}.\n`);
    // A shard of another set (a stale export from a different root key): refused locally.
    const foreign = join(tmp, 'foreign.txt');
    writeFileSync(foreign, `spike:2:${'5a'.repeat(31)}01`);
    const fr = await spike(['operator', 'restore', '--file', foreign, '--manifest', m]);
    expect(fr.code).toBe(2);
    expect(fr.stderr).toMatch(/^Error: Shard 2 does not match the manifest .*nothing was sent\.\n$/);
    expect((await spike(['operator', 'status'])).stdout).toMatch(/Shards collected: 0\n/);

    const r1 = await spike(['operator', 'restore', '--file', file(3), '--identity', join(tmp, 'key3.txt'), '--manifest', m, '--fingerprint', fp!]);
    expect(r1).toMatchObject({ code: 0, stderr: '' });
    expect(r1.stdout).toContain('Shards remaining: 1');
    const st = await spike(['operator', 'status']);
    expect(st.stdout).toBe(
      '\nSPIKE Nexus is waiting for an operator restore.\nShards collected: 1\nShards remaining: 1\nThreshold: 2\nShard ids received: 3\n\n',
    );
    const r2 = await spike(['operator', 'restore', '--file', file(1), '-i', join(tmp, 'key1.txt'), '-m', m, '-f', 'json']);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ collected: 2, remaining: 0, restored: true });
    expect((await spike(['operator', 'status', '-f', 'json'])).stdout).toBe(
      // The fingerprint Nexus reports for its live key is the one the Pilot computed from the exported shares.
      `{\n  "ready": true,\n  "collected": 0,\n  "remaining": 0,\n  "threshold": 2,\n  "ids": [],\n  "fingerprint": "${fp!.replace(/ /g, '')}"\n}\n`,
    );

    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: 's3cr3t\n' });
  });

  it('preflight fails plainly when the Workload API is not there (exit 3, no hang)', { timeout: 30_000 }, async () => {
    const r = await spike(['operator', 'preflight'], { SPIFFE_ENDPOINT_SOCKET: `unix://${join(tmp, 'none.sock')}`, SPIKE_SPIFFE_SOURCE_TIMEOUT: '1s' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/workload-api +FAIL/);
    expect(r.stdout).toMatch(/nexus +SKIP/);
  });
});
