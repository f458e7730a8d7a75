// What `spike operator recover` does with the outputs of an earlier export in
// the recovery directory, through the command with a scripted Nexus: a
// plaintext export never deletes earlier age-encrypted shard files (it
// refuses, exit 4, before asking Nexus, and the files and their manifest stay
// byte for byte); an encrypted export replaces them and their manifest; either
// replaces earlier plaintext files and leaves unrelated files alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as age from 'age-encryption';
import { computeShares } from '../../../../src/shamir/index.js';
import { ExitCode } from '../../../../src/pilot/output/exit.js';
import { runRecover } from '../../../../src/pilot/commands/operator-recover.js';
import { isEncryptedShardFile, refuseToDropEncryptedExports } from '../../../../src/pilot/breakglass/export.js';
import { fake, ID, json, failure } from '../fakes.js';

let tmp: string;
let dir: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'bgx-'));
  dir = join(tmp, 'r', 'recover');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const env = (): Record<string, string> => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), HOME: tmp });
const shares = computeShares(new Uint8Array(32).fill(9), 2, 3);
const recoverAnswer = () => json(200, { shards: Object.fromEntries(shares.map((s) => [String(s.id), Array.from(s.value)])) });
const AGE_SET = ['spike.recovery.1.txt.age', 'spike.recovery.2.txt.age', 'spike.recovery.3.txt.age', 'spike.recovery.manifest.json'];
const PLAIN_SET = ['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json'];

async function recipient(): Promise<string> {
  return age.identityToRecipient(await age.generateIdentity());
}

function snapshot(d: string): Record<string, string> {
  return Object.fromEntries(readdirSync(d).sort().map((n) => [n, readFileSync(join(d, n), 'latin1')]));
}

function manifestRecipients(): (string | undefined)[] {
  const m = JSON.parse(readFileSync(join(dir, 'spike.recovery.manifest.json'), 'utf8')) as { entries: { recipient?: string }[] };
  return m.entries.map((e) => e.recipient);
}

describe('recover and the files of an earlier export', () => {
  it('a plaintext export refuses (exit 4) to delete earlier age files: Nexus not asked, every file unchanged', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human', recipient: [await recipient()] });
    writeFileSync(join(dir, 'notes.txt.bak'), 'mine');
    const before = snapshot(dir);
    expect(Object.keys(before)).toEqual(['notes.txt.bak', ...AGE_SET]);

    const g = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    const e = await failure(runRecover(g.deps, { format: 'human' }));
    expect(e.exitCode).toBe(ExitCode.filesystem);
    expect(e.message).toBe(
      `Refusing a plaintext export into ${dir}: it holds the age-encrypted shard files of an earlier export (spike.recovery.1.txt.age, spike.recovery.2.txt.age, spike.recovery.3.txt.age), which it would delete. Move them and spike.recovery.manifest.json somewhere safe first, or export encrypted again with --recipient/--recipients-file. Nothing was written.`,
    );
    expect(g.calls).toEqual([]);
    expect(g.out).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('once the age files are moved away, the plaintext export runs and replaces the manifest', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human', recipient: [await recipient()] });
    const away = join(tmp, 'handed-over');
    mkdirSync(away);
    for (const n of readdirSync(dir).filter(isEncryptedShardFile)) renameSync(join(dir, n), join(away, n));
    const g = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(g.deps, { format: 'human' });
    expect(readdirSync(dir).sort()).toEqual(PLAIN_SET);
    expect(manifestRecipients()).toEqual([undefined, undefined, undefined]);
    expect(readdirSync(away)).toHaveLength(3);
  });

  it('an encrypted export replaces earlier age files, their manifest and plaintext files; unrelated files stay', async () => {
    const first = await recipient();
    const second = await recipient();
    const f = fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer });
    await runRecover(f.deps, { format: 'human' }); // plaintext first
    writeFileSync(join(dir, 'notes.txt.bak'), 'mine');
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human', recipient: [first] });
    expect(readdirSync(dir).sort()).toEqual(['notes.txt.bak', ...AGE_SET]);
    const old = readFileSync(join(dir, 'spike.recovery.1.txt.age'), 'latin1');
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human', recipient: [second] });
    expect(readdirSync(dir).sort()).toEqual(['notes.txt.bak', ...AGE_SET]);
    expect(readFileSync(join(dir, 'spike.recovery.1.txt.age'), 'latin1')).not.toBe(old);
    expect(manifestRecipients()).toEqual([second, second, second]);
    expect(readFileSync(join(dir, 'notes.txt.bak'), 'utf8')).toBe('mine');
  });

  it('an encrypted export zeroes the bytes of earlier plaintext shard files before removing them (a kept hard link sees zeros)', async () => {
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human' });
    const kept = join(tmp, 'kept');
    mkdirSync(kept);
    const sizes: number[] = [];
    for (const id of [1, 2, 3]) {
      const name = `spike.recovery.${id}.txt`;
      expect(readFileSync(join(dir, name), 'utf8')).toMatch(new RegExp(`^spike:${id}:[0-9a-f]{64}$`));
      linkSync(join(dir, name), join(kept, name));
      sizes.push(statSync(join(dir, name)).size);
    }
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human', recipient: [await recipient()] });
    expect(readdirSync(dir).sort()).toEqual(AGE_SET);
    [1, 2, 3].forEach((id, i) => {
      const bytes = readFileSync(join(kept, `spike.recovery.${id}.txt`));
      expect(bytes.length).toBe(sizes[i]);
      expect(bytes.every((b) => b === 0)).toBe(true);
    });
  });

  it('a plaintext export replaces an earlier plaintext export (upstream rule)', async () => {
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human' });
    writeFileSync(join(dir, 'spike.recovery.7.txt'), 'stale');
    await runRecover(fake({ spiffeId: ID.recover, env: env(), answer: recoverAnswer }).deps, { format: 'human' });
    expect(readdirSync(dir).sort()).toEqual(PLAIN_SET);
  });
});

describe('refuseToDropEncryptedExports', () => {
  it('passes a directory that does not exist yet or holds no age files; names at most three files', () => {
    expect(() => refuseToDropEncryptedExports(join(tmp, 'missing'))).not.toThrow();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'spike.recovery.1.txt'), 'x');
    writeFileSync(join(dir, 'other.age'), 'x');
    expect(() => refuseToDropEncryptedExports(dir)).not.toThrow();
    for (const i of [1, 2, 3, 4, 5]) writeFileSync(join(dir, `spike.recovery.${i}.txt.age`), 'x');
    expect(() => refuseToDropEncryptedExports(dir)).toThrow(/\(spike\.recovery\.1\.txt\.age, spike\.recovery\.2\.txt\.age, spike\.recovery\.3\.txt\.age and 2 more\)/);
  });
});
