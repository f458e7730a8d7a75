// recover and restore with the spike-ts flags, through the commands with a
// scripted Nexus: age recipients (no plaintext written; a bad count refused
// before the disk is touched), the manifest and its fingerprint, restore from
// an age file with the manifest check (nothing sent when it fails).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { computeShares } from '../../../../src/shamir/index.js';
import { ExitCode } from '../../../../src/pilot/output/exit.js';
import { runRecover } from '../../../../src/pilot/commands/operator-recover.js';
import { runRestore } from '../../../../src/pilot/commands/operator-restore.js';
import { fake, ID, json, failure } from '../fakes.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'bgr-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const env = (): Record<string, string> => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), HOME: tmp });
const shares = computeShares(new Uint8Array(32).fill(5), 2, 3);
const recoverAnswer = () => json(200, { shards: Object.fromEntries(shares.map((s) => [String(s.id), Array.from(s.value)])) });
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

async function keys(n: number): Promise<{ identity: string; recipient: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const identity = await age.generateIdentity();
      return { identity, recipient: await age.identityToRecipient(identity) };
    }),
  );
}

describe('recover --recipient', () => {
  it('writes only age files and the manifest; prints the fingerprint; threshold found from the shares', async () => {
    const k = await keys(3);
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human', recipient: k.map((x) => x.recipient) });
    const dir = join(tmp, 'r', 'recover');
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt.age', 'spike.recovery.2.txt.age', 'spike.recovery.3.txt.age', 'spike.recovery.manifest.json']);
    for (const name of readdirSync(dir)) for (const s of shares) expect(readFileSync(join(dir, name), 'latin1')).not.toContain(hex(s.value));
    const m = JSON.parse(readFileSync(join(dir, 'spike.recovery.manifest.json'), 'utf8')) as { threshold: number; fingerprint: string; entries: { recipient: string }[] };
    expect(m.threshold).toBe(2);
    expect(m.entries.map((e) => e.recipient)).toEqual(k.map((x) => x.recipient));
    const out = f.out.join('');
    expect(out).toContain('SPIKE Recovery shards saved, age-encrypted, to the recovery directory:');
    expect(out.replace(/ /g, '')).toContain(m.fingerprint);
    // shard 2 opens with key 2 only
    const d = new age.Decrypter();
    d.addIdentity(k[1]!.identity);
    const plain = await d.decrypt(age.armor.decode(readFileSync(join(dir, 'spike.recovery.2.txt.age'), 'latin1')), 'text');
    expect(plain).toBe(`spike:2:${hex(shares[1]!.value)}`);
  });

  it('replaces an earlier plaintext export, and refuses a bad recipient count before touching the disk', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human' });
    const dir = join(tmp, 'r', 'recover');
    expect(readdirSync(dir)).toContain('spike.recovery.1.txt');
    const k = await keys(2);
    const g = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    const e = await failure(runRecover(g.deps, { format: 'human', recipient: k.map((x) => x.recipient) }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toMatch(/3 shards but 2 age recipients/);
    expect(readdirSync(dir)).toContain('spike.recovery.1.txt'); // untouched
    const h = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(h.deps, { format: 'json', recipient: [k[0]!.recipient] });
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt.age', 'spike.recovery.2.txt.age', 'spike.recovery.3.txt.age', 'spike.recovery.manifest.json']);
  });

  it('refuses an invalid recipient before asking Nexus (exit 2)', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    writeFileSync(join(tmp, 'rcp.txt'), 'not-a-recipient\n');
    expect((await failure(runRecover(f.deps, { format: 'human', recipientsFile: join(tmp, 'rcp.txt') }))).exitCode).toBe(ExitCode.usage);
    expect(f.calls).toHaveLength(0);
    expect(existsSync(join(tmp, 'r'))).toBe(false);
  });
});

describe('restore --file --identity --manifest', () => {
  it('sends the decrypted shard when it matches the manifest; nothing when it does not', async () => {
    const k = await keys(1);
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human', recipient: [k[0]!.recipient] });
    const dir = join(tmp, 'r', 'recover');
    writeFileSync(join(tmp, 'k.txt'), `${k[0]!.identity}\n`);
    const manifest = join(dir, 'spike.recovery.manifest.json');
    const r = fake({ spiffeId: ID.restore, env: env(), answer: () => json(200, { collected: 1, remaining: 1, restored: false }) });
    await runRestore(r.deps, { format: 'json', file: join(dir, 'spike.recovery.3.txt.age'), identity: join(tmp, 'k.txt'), manifest });
    expect(r.calls).toEqual([{ path: '/v1/operator/restore', action: undefined, body: JSON.stringify({ id: 3, shard: Array.from(shares[2]!.value) }) }]);
    expect(r.out.join('')).toBe('{\n  "collected": 1,\n  "remaining": 1,\n  "restored": false\n}\n');

    // A shard of another root key, with the manifest: refused, nothing sent.
    const other = computeShares(new Uint8Array(32).fill(6), 2, 3)[0]!;
    writeFileSync(join(tmp, 'other.txt'), `spike:1:${hex(other.value)}`);
    const s = fake({ spiffeId: ID.restore, env: env(), answer: () => json(200, {}) });
    const e = await failure(runRestore(s.deps, { format: 'human', file: join(tmp, 'other.txt'), manifest }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toMatch(/^Shard 1 does not match the manifest/);
    expect(s.calls).toHaveLength(0);
    // The same from stdin, and --fingerprint without --manifest.
    const t = fake({ spiffeId: ID.restore, env: env(), stdin: `spike:1:${hex(other.value)}\n`, answer: () => json(200, {}) });
    expect((await failure(runRestore(t.deps, { format: 'human', manifest }))).exitCode).toBe(ExitCode.usage);
    expect((await failure(runRestore(t.deps, { format: 'human', fingerprint: 'ab' }))).message).toMatch(/--fingerprint needs --manifest/);
    expect(t.calls).toHaveLength(0);
  });

  it('the wrong identity: one line, exit 2, nothing sent', async () => {
    const [a, b] = await keys(2);
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human', recipient: [a!.recipient] });
    writeFileSync(join(tmp, 'b.txt'), `${b!.identity}\n`);
    const file = join(tmp, 'r', 'recover', 'spike.recovery.1.txt.age');
    const r = fake({ spiffeId: ID.restore, env: env(), answer: () => json(200, {}) });
    const e = await failure(runRestore(r.deps, { format: 'human', file, identity: join(tmp, 'b.txt') }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toBe(`Cannot decrypt ${file}: it is not encrypted to the identity in ${join(tmp, 'b.txt')}.`);
    expect(r.calls).toHaveLength(0);
  });
});
