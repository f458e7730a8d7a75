import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createDecipheriv, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideBootstrap } from '../../../src/bootstrap/decide.js';
import { markerExists, markerPath, writeMarker } from '../../../src/bootstrap/marker.js';
import { makeVerificationProbe } from '../../../src/bootstrap/probe.js';
import { generateRootKey } from '../../../src/shamir/index.js';
import { parseBootstrapArgs } from '../../../src/bootstrap/args.js';
import { BootstrapError, runBootstrap, type BootstrapNetwork, type BootstrapRunOptions } from '../../../src/bootstrap/run.js';
import { ClientError } from '../../../src/client/errors.js';
import { recoverSecret, GROUP_ORDER } from '../../../src/shamir/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'kbs-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('decideBootstrap (once per store)', () => {
  it('skips memory and lite, runs a fresh sqlite store, skips a bootstrapped one unless forced', () => {
    expect(decideBootstrap({ backend: 'memory', force: true, alreadyBootstrapped: false }).run).toBe(false);
    expect(decideBootstrap({ backend: 'lite', force: true, alreadyBootstrapped: false }).run).toBe(false);
    expect(decideBootstrap({ backend: 'sqlite', force: false, alreadyBootstrapped: false }).run).toBe(true);
    expect(decideBootstrap({ backend: 'sqlite', force: false, alreadyBootstrapped: true }).run).toBe(false);
    expect(decideBootstrap({ backend: 'sqlite', force: true, alreadyBootstrapped: true }).run).toBe(true);
  });
});

describe('marker', () => {
  it('is written atomically with mode 0600, creating the data dir 0700, and detected afterwards', () => {
    const dir = join(tmp(), 'data');
    expect(markerExists(dir)).toBe(false);
    writeMarker(dir, { bootstrap_completed: true, completed_at: 'now', completed_by: 'spiffe://x/y', shares: 3, threshold: 2 });
    expect(markerExists(dir)).toBe(true);
    expect(statSync(markerPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(markerPath(dir), 'utf8')).bootstrap_completed).toBe(true);
    expect(readdirSync(dir)).toEqual(['bootstrap.json']); // no temp file left
    // rewriting (forced bootstrap) replaces it
    writeMarker(dir, { bootstrap_completed: true, completed_at: 'later', completed_by: 'spiffe://x/y', shares: 3, threshold: 2 });
    expect(JSON.parse(readFileSync(markerPath(dir), 'utf8')).completed_at).toBe('later');
  });

  it('replaces a planted symlink by a file and never writes through it', () => {
    const dir = tmp();
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, markerPath(dir));
    writeMarker(dir, { bootstrap_completed: true, completed_at: 'now', completed_by: 'spiffe://x/y', shares: 3, threshold: 2 });
    expect(lstatSync(markerPath(dir)).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });
});

describe('verification probe', () => {
  it('is AES-256-GCM (ciphertext ‖ tag) of a 64-char hex plaintext whose SHA-256 is expected', () => {
    const key = Buffer.alloc(32, 7);
    const p = makeVerificationProbe(key);
    expect(p.nonce.length).toBe(12);
    const d = createDecipheriv('aes-256-gcm', key, p.nonce);
    d.setAuthTag(p.ciphertext.subarray(p.ciphertext.length - 16));
    const plain = Buffer.concat([d.update(p.ciphertext.subarray(0, p.ciphertext.length - 16)), d.final()]);
    expect(plain.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(createHash('sha256').update(plain).digest('hex')).toBe(p.expectedHash);
  });
});

describe('generateRootKey', () => {
  it('draws again when the random bytes are >= n or zero', () => {
    const seq = [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0), Buffer.alloc(32, 0x11)];
    const k = generateRootKey(() => seq.shift() as Buffer);
    expect(k.equals(Buffer.alloc(32, 0x11))).toBe(true);
    expect(BigInt('0x' + k.toString('hex')) < GROUP_ORDER).toBe(true);
  });
});

describe('parseBootstrapArgs', () => {
  it('accepts -init in Go flag forms only', () => {
    expect(parseBootstrapArgs(['-init']).kind).toBe('init');
    expect(parseBootstrapArgs(['--init']).kind).toBe('init');
    expect(parseBootstrapArgs([]).kind).toBe('error');
    expect(parseBootstrapArgs(['init']).kind).toBe('error');
    expect(parseBootstrapArgs(['-init', 'x']).kind).toBe('error');
  });
});

const K = (n: number) => Array.from({ length: n }, (_, i) => new URL(`https://127.0.0.1:${8443 + i * 100}`));

function baseConfig(dataDir: string, peers = K(3)) {
  return {
    keeperPeers: peers,
    shamir: { shares: 3, threshold: 2, maxShareCount: 1000 },
    nexusDataDir: dataDir,
    keeperTimeoutMs: 1000,
    keeperMaxRetries: 3,
    keeperRetryInitialMs: 1,
    keeperRetryMaxMs: 2,
    verificationTimeoutMs: 60_000,
  };
}

/** A fake keeper set + Nexus that rebuilds the key from the first `threshold` shards and decrypts the probe. */
function fakeNetwork(opts: { failKeeper?: (id: number, attempt: number) => Error | undefined; nexusBefore?: number; wrongHash?: boolean } = {}) {
  const received = new Map<string, Buffer>();
  const attempts = new Map<string, number>();
  let verifies = 0;
  const net: BootstrapNetwork = {
    async contribute(keeper, shard) {
      const a = (attempts.get(keeper.origin) ?? 0) + 1;
      attempts.set(keeper.origin, a);
      const id = Number(keeper.port) === 8443 ? 1 : Number(keeper.port) === 8543 ? 2 : 3;
      const err = opts.failKeeper?.(id, a);
      if (err) throw err;
      received.set(keeper.origin, Buffer.from(shard));
    },
    async verify(nonce, ciphertext) {
      verifies++;
      if (verifies <= (opts.nexusBefore ?? 0)) throw new ClientError('status', 'not ready', { status: 503, code: 'state_not_ready' });
      const shares = [...received.entries()].map(([origin, value]) => ({ id: Number(new URL(origin).port) === 8443 ? 1 : Number(new URL(origin).port) === 8543 ? 2 : 3, value }));
      const key = recoverSecret(shares.slice(0, 2), 2);
      const d = createDecipheriv('aes-256-gcm', key, nonce);
      d.setAuthTag(Buffer.from(ciphertext.subarray(ciphertext.length - 16)));
      const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
      const h = createHash('sha256').update(plain).digest('hex');
      return opts.wrongHash ? h.replace(/^./, (c) => (c === '0' ? '1' : '0')) : h;
    },
  };
  return { net, received, attempts, verifies: () => verifies };
}

describe('runBootstrap', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs Bootstrap on fake time (every retry wait passes at once): undefined on success, else the error. */
  async function run(opts: BootstrapRunOptions): Promise<unknown> {
    const outcome = runBootstrap(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.runAllTimersAsync();
    return outcome;
  }

  it('gives every keeper its share, waits for Nexus (503s), verifies and writes the marker', async () => {
    const dir = join(tmp(), 'data');
    const f = fakeNetwork({ nexusBefore: 2 });
    expect(await run({ config: baseConfig(dir), network: f.net, selfId: 'spiffe://spike.ist/spike/bootstrap' })).toBeUndefined();
    expect(f.received.size).toBe(3);
    expect(f.verifies()).toBe(3);
    expect(markerExists(dir)).toBe(true);
  });

  it('refuses a keeper count that differs from SPIKE_NEXUS_SHAMIR_SHARES, and no keepers', async () => {
    const dir = join(tmp(), 'data');
    expect(await run({ config: baseConfig(dir, K(2)), network: fakeNetwork().net, selfId: 'x' })).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/keeper count mismatch/) }),
    );
    expect(await run({ config: baseConfig(dir, []), network: fakeNetwork().net, selfId: 'x' })).toBeInstanceOf(BootstrapError);
    expect(existsSync(dir)).toBe(false);
  });

  it('retries an unreachable keeper, then fails with upstream-style message and no marker', async () => {
    const dir = join(tmp(), 'data');
    const transient = fakeNetwork({ failKeeper: (id, a) => (id === 2 && a < 3 ? new ClientError('transport', 'ECONNREFUSED') : undefined) });
    expect(await run({ config: baseConfig(dir), network: transient.net, selfId: 'x' })).toBeUndefined();
    expect(transient.attempts.get('https://127.0.0.1:8543')).toBe(3);

    const dir2 = join(tmp(), 'data');
    const dead = fakeNetwork({ failKeeper: (id) => (id === 3 ? new ClientError('transport', 'ECONNREFUSED') : undefined) });
    const e = await run({ config: baseConfig(dir2), network: dead.net, selfId: 'x' });
    expect(e).toBeInstanceOf(BootstrapError);
    expect((e as Error).message).toMatch(/failed to reach keeper 3 at https:\/\/127\.0\.0\.1:8643 after 3 attempts/);
    expect(markerExists(dir2)).toBe(false);
  });

  it('does not retry a keeper that refuses us (401)', async () => {
    const dir = join(tmp(), 'data');
    const f = fakeNetwork({ failKeeper: (id) => (id === 1 ? new ClientError('status', 'no', { status: 401 }) : undefined) });
    expect(await run({ config: baseConfig(dir), network: f.net, selfId: 'x' })).toEqual(expect.objectContaining({ message: expect.stringMatching(/keeper 1/) }));
    expect(f.attempts.get('https://127.0.0.1:8443')).toBe(1);
  });

  it('retries a keeper that answers 503 or times out; a malformed answer (decode) is not retried', async () => {
    const flaky = fakeNetwork({
      failKeeper: (id, a) =>
        id === 1 && a === 1 ? new ClientError('status', 'busy', { status: 503 }) : id === 1 && a === 2 ? new ClientError('timeout', 'slow') : undefined,
    });
    expect(await run({ config: baseConfig(join(tmp(), 'data')), network: flaky.net, selfId: 'x' })).toBeUndefined();
    expect(flaky.attempts.get('https://127.0.0.1:8443')).toBe(3);
    const garbled = fakeNetwork({ failKeeper: (id) => (id === 2 ? new ClientError('decode', 'malformed answer') : undefined) });
    expect(await run({ config: baseConfig(join(tmp(), 'data')), network: garbled.net, selfId: 'x' })).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/keeper 2/) }),
    );
    expect(garbled.attempts.get('https://127.0.0.1:8543')).toBe(1);
  });

  it('a wrong hash is fatal and leaves no marker', async () => {
    const dir = join(tmp(), 'data');
    expect(await run({ config: baseConfig(dir), network: fakeNetwork({ wrongHash: true }).net, selfId: 'x' })).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/wrong hash/) }),
    );
    expect(markerExists(dir)).toBe(false);
  });

  it('waits for Nexus 1 s doubling up to 10 s, each wait shortened by at most 20% (jitter)', async () => {
    const f = fakeNetwork({ nexusBefore: 6 });
    const net: BootstrapNetwork = {
      contribute: f.net.contribute,
      verify: (nonce, ciphertext) => {
        times.push(Date.now());
        return f.net.verify(nonce, ciphertext);
      },
    };
    const times: number[] = [];
    const retries: unknown[] = [];
    const e = await run({
      config: { ...baseConfig(join(tmp(), 'data')), verificationTimeoutMs: 120_000 },
      network: net,
      selfId: 'x',
      onProgress: (msg, fields) => void (msg === 'verify_retry' && retries.push(fields.delay_ms)),
    });
    expect(e).toBeUndefined();
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    const nominal = [1000, 2000, 4000, 8000, 10_000, 10_000];
    expect(gaps).toHaveLength(nominal.length);
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(0.8 * (nominal[i] as number) - 1);
      expect(g).toBeLessThanOrEqual(nominal[i] as number);
    });
    expect(retries).toHaveLength(6);
  });

  it('gives up verifying at SPIKE_BOOTSTRAP_INIT_VERIFICATION_TIMEOUT', async () => {
    const dir = join(tmp(), 'data');
    const start = Date.now();
    const e = await run({ config: { ...baseConfig(dir), verificationTimeoutMs: 5000 }, network: fakeNetwork({ nexusBefore: Infinity }).net, selfId: 'x' });
    expect((e as Error).message).toMatch(/did not verify/);
    expect(Date.now() - start).toBe(5000);
    expect(markerExists(dir)).toBe(false);
  });
});
