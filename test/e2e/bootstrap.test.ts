// SPIKE Bootstrap as a real process against three real Keepers, the real dev
// Workload API, and a stub Nexus verify endpoint (it rebuilds the root key
// from the Keepers as Nexus would and decrypts the probe). Run
// `npm run build` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DIST, Proc, minimalEnv, spawnBin } from '../helpers/proc.js';
import { X509Source } from '../../src/spiffe/workloadapi.js';
import { authorizeIf } from '../../src/spiffe/authorizer.js';
import { mtlsServerOptions } from '../../src/spiffe/tlsconfig.js';
import { createSpikeHttpClient } from '../../src/client/http.js';
import { fetchShard } from '../../src/client/api.js';
import type { SpikeHttpClient } from '../../src/client/transport.js';
import { isKeeper } from '../../src/protocol/roles.js';
import { recoverSecret } from '../../src/shamir/index.js';

const ROOTS = ['spike.ist'];

/** `node dist/<script> args` with PATH, HOME and `env` only. */
const start = (script: string, args: string[], env: Record<string, string>): Proc => spawnBin(script, script, args, minimalEnv(env));

let dir: string;
let agent: Proc;
const keepers: Proc[] = [];
let keeperUrls: URL[] = [];
let nexusSource: X509Source;
let nexusClient: SpikeHttpClient;
let stubNexus: https.Server;
let nexusUrl: URL;
/** How many verify calls the stub answers 503 before it starts verifying. */
let notReadyFor = 0;
let verifyCalls = 0;

const sock = (w: string) => `unix://${join(dir, 'sockets', `${w}.sock`)}`;

async function keeperShards(): Promise<Buffer[]> {
  return Promise.all(keeperUrls.map((u) => fetchShard(nexusClient, u)));
}

/** The stub Nexus: /v1/bootstrap/verify only, as upstream. */
function handleVerify(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      verifyCalls++;
      const send = (status: number, body: string): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      };
      if (req.url !== '/v1/bootstrap/verify' || req.method !== 'POST') return send(400, '{"err":"api_bad_request"}');
      if (verifyCalls <= notReadyFor) return send(503, '{"err":"state_not_ready"}');
      try {
        const { nonce, ciphertext } = JSON.parse(Buffer.concat(chunks).toString()) as { nonce: string; ciphertext: string };
        const shards = await keeperShards();
        const key = recoverSecret(shards.slice(0, 2).map((value, i) => ({ id: i + 1, value })), 2);
        const ct = Buffer.from(ciphertext, 'base64');
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
        d.setAuthTag(ct.subarray(ct.length - 16));
        const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
        send(200, JSON.stringify({ hash: createHash('sha256').update(plain).digest('hex') }));
      } catch {
        send(500, '{"hash":"","err":"api_internal_error"}');
      }
    })();
  });
}

function bootstrapEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SPIFFE_ENDPOINT_SOCKET: sock('bootstrap'),
    SPIKE_NEXUS_KEEPER_PEERS: keeperUrls.map((u) => u.origin).join(','),
    SPIKE_NEXUS_API_URL: nexusUrl.origin,
    SPIKE_NEXUS_DATA_DIR: dataDir,
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
    SPIKE_BOOTSTRAP_KEEPER_RETRY_INITIAL_INTERVAL: '50ms',
    SPIKE_BOOTSTRAP_KEEPER_RETRY_MAX_INTERVAL: '100ms',
    SPIKE_BOOTSTRAP_INIT_VERIFICATION_TIMEOUT: '20s',
    SPIKE_SYSTEM_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Runs `spike-bootstrap args` to its exit (`exitCode` is then set). */
async function runBootstrapProcess(env: Record<string, string>, args = ['-init']): Promise<Proc> {
  const p = start('spike-bootstrap.js', args, env);
  await p.exited;
  return p;
}

const events = (p: Proc): unknown[] => p.lines.map((l) => l.msg);

beforeAll(async () => {
  if (!existsSync(join(DIST, 'spike-bootstrap.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  dir = mkdtempSync('/tmp/kbe-');
  agent = start('spike-dev-agent.js', ['run'], { SPIKE_DEV_DIR: dir, SPIKE_NEXUS_KEEPER_PEERS: 'https://a:1,https://b:2,https://c:3' });
  await agent.waitForEvent('agent_ready');
  for (const n of [1, 2, 3]) {
    keepers.push(start('spike-keeper.js', [], { SPIFFE_ENDPOINT_SOCKET: sock(`keeper-${n}`), SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0' }));
  }
  keeperUrls = (await Promise.all(keepers.map((k) => k.waitForEvent('keeper_listening')))).map(
    (ev) => new URL(`https://127.0.0.1:${String(ev.port)}`),
  );
  nexusSource = await X509Source.create({ address: sock('nexus'), timeoutMs: 10_000 });
  nexusClient = createSpikeHttpClient({ source: nexusSource, serverAuthorizer: authorizeIf((id) => isKeeper(id, ROOTS), 'keeper'), timeoutMs: 5000 });
  stubNexus = https.createServer(mtlsServerOptions(nexusSource), handleVerify);
  await new Promise<void>((r) => stubNexus.listen(0, '127.0.0.1', r));
  nexusUrl = new URL(`https://127.0.0.1:${(stubNexus.address() as AddressInfo).port}`);
}, 60_000);

afterAll(async () => {
  nexusClient?.close();
  if (stubNexus) {
    stubNexus.closeAllConnections();
    await new Promise<void>((r) => stubNexus.close(() => r()));
  }
  await nexusSource?.close();
  for (const k of keepers) await k.stop('SIGTERM', 5000);
  await agent?.stop('SIGTERM', 5000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('spike-bootstrap -init', () => {
  it('seeds every keeper, waits for Nexus, verifies, records completion; then skips; FORCE re-keys', async () => {
    const data = join(dir, 'nexus');
    notReadyFor = verifyCalls + 2; // Nexus answers 503 twice first
    const first = await runBootstrapProcess(bootstrapEnv(data));
    expect(first.stderr()).toBe('');
    expect(first.exitCode).toBe(0);
    expect(events(first)).toContain('bootstrap_completed');
    const marker = join(data, 'data', 'bootstrap.json');
    expect(statSync(marker).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(marker, 'utf8')).bootstrap_completed).toBe(true);
    const shards1 = await keeperShards();
    // any two shards rebuild the same key
    const k12 = recoverSecret([{ id: 1, value: shards1[0] as Buffer }, { id: 2, value: shards1[1] as Buffer }], 2);
    const k23 = recoverSecret([{ id: 2, value: shards1[1] as Buffer }, { id: 3, value: shards1[2] as Buffer }], 2);
    expect(Buffer.from(k12).equals(Buffer.from(k23))).toBe(true);
    // no secret material on any output
    const all = first.stdout() + first.stderr();
    for (const s of shards1) expect(all).not.toContain([...s].join(','));

    const second = await runBootstrapProcess(bootstrapEnv(data));
    expect(second.exitCode).toBe(0);
    expect(events(second)).toContain('bootstrap_skipped');
    expect((await keeperShards()).map((b) => b.toString('hex'))).toEqual(shards1.map((b) => b.toString('hex')));

    const forced = await runBootstrapProcess(bootstrapEnv(data, { SPIKE_BOOTSTRAP_FORCE: 'true' }));
    expect(forced.exitCode).toBe(0);
    expect(events(forced)).toContain('bootstrap_completed');
    expect((await keeperShards())[0]?.equals(shards1[0] as Buffer)).toBe(false);
  });

  it('skips for the memory and lite backends', async () => {
    for (const backend of ['memory', 'lite']) {
      const p = await runBootstrapProcess(bootstrapEnv(join(dir, `nx-${backend}`), { SPIKE_NEXUS_BACKEND_STORE: backend }));
      expect(p.exitCode).toBe(0);
      expect(events(p)).toContain('bootstrap_skipped');
      expect(existsSync(join(dir, `nx-${backend}`, 'data', 'bootstrap.json'))).toBe(false);
    }
  });

  it('refuses a keeper count different from SPIKE_NEXUS_SHAMIR_SHARES: one line, non-zero, no marker', async () => {
    const data = join(dir, 'nx-mismatch');
    const p = await runBootstrapProcess(bootstrapEnv(data, { SPIKE_NEXUS_SHAMIR_SHARES: '4', SPIKE_NEXUS_SHAMIR_THRESHOLD: '2' }));
    expect(p.exitCode).not.toBe(0);
    const err = p.stderr().trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain('keeper count mismatch');
    expect(existsSync(join(data, 'data', 'bootstrap.json'))).toBe(false);
  });

  it('fails with one line when a keeper is unreachable', async () => {
    const data = join(dir, 'nx-down');
    const peers = [...keeperUrls.slice(0, 2).map((u) => u.origin), 'https://127.0.0.1:1'].join(',');
    const p = await runBootstrapProcess(bootstrapEnv(data, { SPIKE_NEXUS_KEEPER_PEERS: peers, SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES: '2' }));
    expect(p.exitCode).toBe(1);
    expect(p.stderr()).toMatch(/failed to reach keeper 3 at https:\/\/127\.0\.0\.1:1 after 2 attempts/);
    expect(existsSync(join(data, 'data', 'bootstrap.json'))).toBe(false);
  });

  it('refuses a usage error and a non-bootstrap identity', async () => {
    const usage = await runBootstrapProcess(bootstrapEnv(join(dir, 'nx-u')), []);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr()).toContain('usage: spike-bootstrap -init');
    const wrong = await runBootstrapProcess(bootstrapEnv(join(dir, 'nx-w'), { SPIFFE_ENDPOINT_SOCKET: sock('pilot') }));
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr()).toMatch(/bootstrap SPIFFE ID required/);
  });
});

describe('spike-bootstrap -init with the real SPIKE Nexus', () => {
  let stack: import('../helpers/stack.js').Stack | undefined;
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('Nexus rebuilds the key from the keepers and verifies it; a second run skips', async () => {
    const { Stack } = await import('../helpers/stack.js');
    stack = await Stack.create({ keepers: 3 });
    await stack.startAgent();
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    const first = await stack.bootstrap();
    expect(first.code).toBe(0);
    expect(first.proc.lines.some((l) => l.msg === 'bootstrap_completed')).toBe(true);
    await nexus.waitForEvent('root_key_ready');
    expect(existsSync(join(stack.nexusDataDir, 'data', 'bootstrap.json'))).toBe(true);
    const second = await stack.bootstrap();
    expect(second.code).toBe(0);
    expect(second.proc.lines.some((l) => l.msg === 'bootstrap_skipped')).toBe(true);
  }, 90_000);
});
