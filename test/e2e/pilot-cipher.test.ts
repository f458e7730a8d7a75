// `spike cipher encrypt|decrypt` (built CLI) and the cipher routes through
// the client library, against the real local stack (dev agent, Keepers,
// Nexus, Bootstrap from dist/; `npm run build` first): round trips through
// files and real shell pipes, tampered, truncated, foreign-version and
// oversized input, a workload without access, a lite workload, a workload
// with a policy. The foreign ciphertext is made with node:crypto, never
// with our own cipher code.
import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cipherDecrypt, cipherDecryptStream, cipherEncrypt, cipherEncryptStream, putPolicy } from '../../src/client/index.js';
import { SPIKE_BIN } from '../helpers/fakenexus.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOf } from '../helpers/status.js';

const LITE = 'spiffe://spike.ist/spike/workload/role/lite';
const APP = 'spiffe://spike.ist/workload/cipher-app';

let stack: Stack;
let tmp: string;
let app: StackClient;

beforeAll(async () => {
  tmp = mkdtempSync('/tmp/pci-');
  stack = await Stack.create({ keepers: 2 });
  await stack.startAll();
  await stack.setEntry('pilot', stack.ids.superuser);
  await stack.setEntry('app', APP);
  app = await stack.client('app');
}, 120_000);
afterAll(async () => {
  await stack?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function pilotEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot'))) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `command` with sh (real pipes and redirections), stdout kept as bytes. */
function sh(command: string, opts: { stdin?: Buffer; env?: Record<string, string> } = {}): Promise<Run> {
  const child = spawn('/bin/sh', ['-c', command], { env: { ...pilotEnv(), ...opts.env, SPIKE: `${process.execPath} ${SPIKE_BIN}` }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.stdin ?? Buffer.alloc(0));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** `spike <args>` with stdin bytes, stdout as bytes. */
const spike = (args: string[], stdin?: Buffer, env?: Record<string, string>): Promise<Run> =>
  sh(`$SPIKE ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`, { ...(stdin ? { stdin } : {}), ...(env ? { env } : {}) });

describe('spike cipher against the real stack', () => {
  it('encrypt -f in -o out, then decrypt -f out -o back: the same bytes, through Nexus', { timeout: 60_000 }, async () => {
    const input = join(tmp, 'in.bin');
    const enc = join(tmp, 'in.enc');
    const back = join(tmp, 'back.bin');
    const plain = randomBytes(40_000);
    writeFileSync(input, plain);
    expect(await spike(['cipher', 'encrypt', '-f', input, '-o', enc])).toMatchObject({ code: 0, stderr: '' });
    const sealed = readFileSync(enc);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(1 + 12 + plain.length + 16);
    expect(await spike(['cipher', 'decrypt', '-f', enc, '-o', back])).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(back)).toEqual(plain);
    // long flags, and the stream Nexus made is the upstream format: 0x01 ‖ nonce ‖ AES-256-GCM output
    expect(await spike(['cipher', 'decrypt', '--file', enc, '--out', back])).toMatchObject({ code: 0 });
    expect(readFileSync(back)).toEqual(plain);
  });

  it('through shell pipes: encrypt | decrypt gives the bytes back; binary and empty input', { timeout: 60_000 }, async () => {
    const plain = Buffer.concat([Buffer.from([0, 0xff, 0x0a, 0x0d, 0x1b]), randomBytes(30_000)]);
    const r = await sh('$SPIKE cipher encrypt | $SPIKE cipher decrypt', { stdin: plain });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toEqual(plain);
    const empty = await sh('$SPIKE cipher encrypt | $SPIKE cipher decrypt', { stdin: Buffer.alloc(0) });
    expect([empty.code, empty.stdout.length]).toEqual([0, 0]);
    // redirections to and from files
    const f = join(tmp, 'piped.enc');
    expect((await sh(`$SPIKE cipher encrypt > '${f}'`, { stdin: plain })).code).toBe(0);
    expect((await sh(`$SPIKE cipher decrypt < '${f}'`)).stdout).toEqual(plain);
  });

  it('JSON mode: encrypt --plaintext prints the JSON answer; decrypt --version 1 --nonce --ciphertext gives the plaintext', { timeout: 60_000 }, async () => {
    const e = await spike(['cipher', 'encrypt', '--plaintext', Buffer.from('sensitive data').toString('base64')]);
    expect([e.code, e.stderr]).toEqual([0, '']);
    const doc = JSON.parse(e.stdout.toString()) as { version: number; nonce: string; ciphertext: string };
    expect(Object.keys(doc)).toEqual(['version', 'nonce', 'ciphertext']);
    expect(doc.version).toBe(1);
    const d = await spike(['cipher', 'decrypt', '--version', '1', '--nonce', doc.nonce, '--ciphertext', doc.ciphertext]);
    expect([d.code, d.stderr, d.stdout.toString()]).toEqual([0, '', 'sensitive data']);
    // `spike --version` alone is still the program's version
    expect((await spike(['--version'])).stdout.toString()).toMatch(/^\d+\.\d+\.\d+/);
    // another version byte: Nexus refuses it (400), nothing on stdout
    const v2 = await spike(['cipher', 'decrypt', '--version', '2', '--nonce', doc.nonce, '--ciphertext', doc.ciphertext]);
    expect([v2.code, v2.stdout.length]).toEqual([1, 0]);
    expect(v2.stderr).toMatch(/^Error: Invalid request\. \(SPIKE Nexus takes cipher format version 1/);
  });

  it('tampered, truncated or foreign-version streams: exit 1, one Error line, nothing on stdout, -o never created', { timeout: 60_000 }, async () => {
    const sealed = (await spike(['cipher', 'encrypt'], Buffer.from('a secret line\n'))).stdout;
    expect(sealed.length).toBe(1 + 12 + 14 + 16);
    const tampered = Buffer.from(sealed);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    const otherVersion = Buffer.from(sealed);
    otherVersion[0] = 2;
    const foreign = Buffer.alloc(12, 7);
    const c = createCipheriv('aes-256-gcm', randomBytes(32), foreign);
    const foreignKey = Buffer.concat([Buffer.of(1), foreign, c.update('x'), c.final(), c.getAuthTag()]);
    for (const [name, input, want] of [
      ['tampered', tampered, /^Error: Decryption failed\. /],
      ['another key', foreignKey, /^Error: Decryption failed\. /],
      ['cut in the ciphertext', sealed.subarray(0, sealed.length - 3), /^Error: Decryption failed\. /],
      ['cut in the nonce', sealed.subarray(0, 8), /^Error: Invalid request\. \(crypto_failed_to_read_nonce: /],
      ['empty', Buffer.alloc(0), /^Error: Invalid request\. \(crypto_failed_to_read_version: /],
      ['version 2', otherVersion, /^Error: Invalid request\. \(crypto_unsupported_version: /],
    ] as const) {
      const out = join(tmp, `never-${name.replace(/ /g, '-')}`);
      for (const args of [[], ['-o', out]]) {
        const r = await spike(['cipher', 'decrypt', ...args], input);
        expect([r.code, r.stdout.length], name).toEqual([1, 0]);
        expect(r.stderr, name).toMatch(want);
        expect(r.stderr.trimEnd().split('\n'), name).toHaveLength(1);
        expect(existsSync(out), name).toBe(false);
      }
    }
  });

  it('too large: refused by the Pilot before sending (exit 2); past Nexus\'s own limit, Nexus answers 400 (exit 1)', { timeout: 60_000 }, async () => {
    const big = join(tmp, 'big.bin');
    writeFileSync(big, randomBytes(65_521));
    const r = await spike(['cipher', 'encrypt', '-f', big]);
    expect([r.code, r.stdout.length]).toEqual([2, 0]);
    expect(r.stderr).toBe('Error: Input too long: more than 65520 bytes (SPIKE Nexus encrypts at most 65520 bytes; SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE).\n');
    // a Pilot told a larger limit than Nexus has: Nexus refuses
    const n = await spike(['cipher', 'encrypt', '-f', big], undefined, { SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: '200000' });
    expect([n.code, n.stdout.length]).toEqual([1, 0]);
    expect(n.stderr).toMatch(/^Error: Invalid request\. \(SPIKE Nexus refused it; it encrypts at most 199984 bytes/);
    // exactly the limit round-trips (Nexus's plaintext cap leaves room for the tag)
    writeFileSync(big, randomBytes(65_520));
    const ok = await sh(`$SPIKE cipher encrypt -f '${big}' | $SPIKE cipher decrypt`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toEqual(readFileSync(big));
  });

  it('a Pilot without the superuser role: exit 3', { timeout: 60_000 }, async () => {
    await stack.setEntry('pilot', stack.ids.recover);
    try {
      const r = await spike(['cipher', 'encrypt'], Buffer.from('x'));
      expect([r.code, r.stdout.length]).toEqual([3, 0]);
    } finally {
      await stack.setEntry('pilot', stack.ids.superuser);
    }
  });
});

describe('cipher routes for workloads (client library)', () => {
  it('a workload without a policy gets 401; with execute on spike/system/cipher/exec it round-trips', { timeout: 60_000 }, async () => {
    const nexus = stack.nexusUrl;
    expect(await statusOf(cipherEncryptStream(app.http, nexus, Buffer.from('x')))).toBe(401);
    expect(await statusOf(cipherEncrypt(app.http, nexus, { plaintext: Buffer.from('x') }))).toBe(401);
    const pilot = await stack.client('pilot');
    await putPolicy(pilot.http, nexus, { name: 'cipher-app', spiffeIdPattern: '^spiffe://spike\\.ist/workload/cipher-app$', pathPattern: '^spike/system/cipher/exec$', permissions: ['execute'] });
    const sealed = await cipherEncryptStream(app.http, nexus, Buffer.from('app data'));
    expect((await cipherDecryptStream(app.http, nexus, sealed)).toString()).toBe('app data');
  });

  it('a lite workload encrypts and decrypts in both modes, and what the Pilot encrypted', { timeout: 60_000 }, async () => {
    await stack.setEntry('lite', LITE);
    const lite = await stack.client('lite');
    const nexus = stack.nexusUrl;
    const s = await cipherEncrypt(lite.http, nexus, { plaintext: Buffer.from('lite json'), algorithm: 'AES-GCM' });
    expect([s.version, s.nonce.length]).toEqual([1, 12]);
    expect((await cipherDecrypt(lite.http, nexus, s)).toString()).toBe('lite json');
    const sealed = await cipherEncryptStream(lite.http, nexus, Buffer.from('lite stream'));
    expect((await cipherDecryptStream(lite.http, nexus, sealed)).toString()).toBe('lite stream');
    // one key for everyone: the Pilot's ciphertext opens for the lite workload
    const byPilot = (await spike(['cipher', 'encrypt'], Buffer.from('from the pilot'))).stdout;
    expect((await cipherDecryptStream(lite.http, nexus, byPilot)).toString()).toBe('from the pilot');
    // but secrets stay closed to it
    const { getSecret } = await import('../../src/client/index.js');
    expect(await statusOf(getSecret(lite.http, nexus, 'apps/x'))).toBe(401);
  });
});
