// spike-dev-agent as a real process (dist/spike-dev-agent.js, built by
// `npm run build`), talked to by src/spiffe's X509Source, raw grpc-js calls
// and its own CLI. SPIKE_DEV_AGENT_BIN may point at another build of it.
import * as grpc from '@grpc/grpc-js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { X509Bundle, X509BundleSet } from '../../src/spiffe/bundle.js';
import { workloadApiClientConstructor, workloadApiMetadata, type X509SvidResponseMessage } from '../../src/spiffe/proto.js';
import { WorkloadApiError, X509Source } from '../../src/spiffe/workloadapi.js';
import { verifyX509Svid } from '../../src/spiffe/x509svid.js';

const BIN = process.env['SPIKE_DEV_AGENT_BIN'] ?? resolve('dist/spike-dev-agent.js');
const TD = 'spike.ist';

interface Agent {
  proc: ChildProcess;
  sockets: Record<string, string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let root: string;
let devDir: string;
const procs: ChildProcess[] = [];
const sources: X509Source[] = [];
const clients: grpc.Client[] = [];

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, SPIKE_DEV_DIR: devDir, ...extra };
}

/** Starts `spike-dev-agent run` and resolves on its agent_ready line. */
function startAgent(extra: Record<string, string> = {}): Promise<Agent> {
  const proc = spawn(process.execPath, [BIN, 'run'], { env: baseEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.once('exit', (code, signal) => res({ code, signal })));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Agent>((resolveAgent, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent not ready in time; stderr: ${stderr}`)), 20_000);
    const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      let rec: { msg?: string; sockets?: Record<string, string> };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return;
      }
      if (rec.msg === 'agent_ready' && rec.sockets) {
        clearTimeout(timer);
        resolveAgent({ proc, sockets: rec.sockets, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}

function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { env: baseEnv(extra), timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

async function source(workload: string, sockets: Record<string, string>): Promise<X509Source> {
  const s = await X509Source.create({ address: `unix://${sockets[workload]}`, timeoutMs: 10_000, backoff: { stepMs: 200, maxMs: 1000 } });
  sources.push(s);
  return s;
}

function nextUpdate(s: X509Source, timeoutMs: number): Promise<void> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('no update in time')), timeoutMs);
    s.once('update', () => {
      clearTimeout(t);
      res();
    });
  });
}

/** Opens a raw FetchX509SVID stream and resolves with its first message or its error status. */
function rawFetch(socket: string, md: grpc.Metadata): Promise<X509SvidResponseMessage | grpc.ServiceError> {
  const Ctor = workloadApiClientConstructor();
  const c = new Ctor(`unix://${socket}`, grpc.credentials.createInsecure());
  clients.push(c);
  return new Promise((res) => {
    const call = c.FetchX509SVID({}, md);
    call.on('data', (m: X509SvidResponseMessage) => {
      res(m);
      call.cancel();
    });
    call.on('error', (e: grpc.ServiceError) => res(e));
  });
}

function isStatus(v: unknown): v is grpc.ServiceError {
  return v instanceof Error && typeof (v as grpc.ServiceError).code === 'number';
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
});

beforeEach(() => {
  root = mkdtempSync('/tmp/dae-');
  devDir = join(root, 'dev');
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe('spike-dev-agent (real process)', () => {
  it('serves a first SVID that verifies against the bundle and the CA on disk', async () => {
    const agent = await startAgent();
    expect(Object.keys(agent.sockets).sort()).toEqual(['bootstrap', 'keeper-1', 'keeper-2', 'keeper-3', 'nexus', 'pilot']);
    const s = await source('nexus', agent.sockets);
    const svid = s.getX509Svid();
    expect(svid.id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
    expect(verifyX509Svid(svid.chainDer, s).id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
    const onDisk = new X509BundleSet([X509Bundle.fromPem(TD, readFileSync(join(devDir, 'ca.crt'), 'utf8'))]);
    expect(verifyX509Svid(svid.chainDer, onDisk).id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
    expect(readFileSync(join(devDir, 'agent.pid'), 'utf8').trim()).toBe(String(agent.proc.pid));
  });

  it('entry set: the open source has the new SVID when the command returns', async () => {
    const agent = await startAgent();
    const s = await source('pilot', agent.sockets);
    expect(s.getX509Svid().id.toString()).toBe(`spiffe://${TD}/spike/pilot/role/superuser`);
    const r = await cli(['entry', 'set', 'pilot', `spiffe://${TD}/spike/pilot/role/recover`]);
    const idAtReturn = s.getX509Svid().id.toString();
    expect(r.code).toBe(0);
    expect(idAtReturn).toBe(`spiffe://${TD}/spike/pilot/role/recover`);
    const list = await cli(['entry', 'list', '--json']);
    expect(JSON.parse(list.stdout)['pilot']).toBe(`spiffe://${TD}/spike/pilot/role/recover`);
    expect(JSON.parse(readFileSync(join(devDir, 'entries.json'), 'utf8'))['pilot']).toBe(`spiffe://${TD}/spike/pilot/role/recover`);
  });

  it('rotates SVIDs automatically with a short TTL', async () => {
    const agent = await startAgent({ SPIKE_DEV_AGENT_SVID_TTL: '2s' });
    const s = await source('nexus', agent.sockets);
    const first = s.getX509Svid().chain[0]?.serialNumber;
    await nextUpdate(s, 5_000);
    const second = s.getX509Svid();
    expect(second.chain[0]?.serialNumber).not.toBe(first);
    expect(second.id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
    expect(verifyX509Svid(second.chainDer, s).id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
  });

  it('a client recovers when the agent is killed and restarted (same CA)', async () => {
    const agent = await startAgent();
    const s = await source('keeper-1', agent.sockets);
    const bundleBefore = s.getX509BundleForTrustDomain(TD)?.pems();
    agent.proc.kill('SIGKILL');
    await agent.exited;
    const updated = nextUpdate(s, 15_000);
    const again = await startAgent();
    expect(again.sockets['keeper-1']).toBe(agent.sockets['keeper-1']);
    await updated;
    expect(s.getX509Svid().id.toString()).toBe(`spiffe://${TD}/spike/keeper/1`);
    expect(s.getX509BundleForTrustDomain(TD)?.pems()).toEqual(bundleBefore);
    const before = new X509BundleSet([X509Bundle.fromPem(TD, (bundleBefore ?? []).join(''))]);
    expect(verifyX509Svid(s.getX509Svid().chainDer, before).id.toString()).toBe(`spiffe://${TD}/spike/keeper/1`);
  });

  it('no agent: X509Source fails with a clear error within its deadline', async () => {
    const socket = join(root, 'none.sock');
    const err = await X509Source.create({ address: `unix://${socket}`, timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadApiError);
    expect((err as Error).message).toContain(socket);
    expect((err as Error).message).toContain('within 1.5s');
  });

  it('answers INVALID_ARGUMENT to a call without the security header', async () => {
    const agent = await startAgent();
    const r = await rawFetch(agent.sockets['nexus'] as string, new grpc.Metadata());
    expect(isStatus(r) && r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((r as grpc.ServiceError).details).toBe('security header missing from request');
  });

  it('answers PERMISSION_DENIED for a workload without an entry; entry delete ends open streams', async () => {
    // Without an agent, entry delete edits entries.json (created with the defaults).
    const del = await cli(['entry', 'delete', 'bootstrap']);
    expect(del.code).toBe(0);
    const agent = await startAgent();
    const unknown = await rawFetch(agent.sockets['bootstrap'] as string, workloadApiMetadata());
    expect(isStatus(unknown) && unknown.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((unknown as grpc.ServiceError).details).toBe('no identity issued');

    const Ctor = workloadApiClientConstructor();
    const c = new Ctor(`unix://${agent.sockets['keeper-2']}`, grpc.credentials.createInsecure());
    clients.push(c);
    const call = c.FetchX509SVID({}, workloadApiMetadata());
    const events: string[] = [];
    const first = new Promise<void>((r) => call.once('data', () => r()));
    const ended = new Promise<grpc.ServiceError>((r) => call.on('error', (e: grpc.ServiceError) => r(e)));
    call.on('data', () => events.push('data'));
    await first;
    const r = await cli(['entry', 'delete', 'keeper-2']);
    expect(r.code).toBe(0);
    const e = await ended;
    expect(e.code).toBe(grpc.status.PERMISSION_DENIED);
    const list = JSON.parse((await cli(['entry', 'list', '--json'])).stdout) as Record<string, string>;
    expect(list['keeper-2']).toBeUndefined();
    expect(list['keeper-1']).toBe(`spiffe://${TD}/spike/keeper/1`);
  });

  it('a new workload gets a listening socket at once', async () => {
    const agent = await startAgent();
    const r = await cli(['entry', 'set', 'demo', `spiffe://${TD}/apps/demo`]);
    expect(r.code).toBe(0);
    const path = (await cli(['socket', 'demo'])).stdout.trim();
    expect(path).toBe(join(devDir, 'sockets', 'demo.sock'));
    const s = await source('demo', { demo: path });
    expect(s.getX509Svid().id.toString()).toBe(`spiffe://${TD}/apps/demo`);
    expect(agent.proc.exitCode).toBeNull();
  });

  it('SIGTERM: exit 0, sockets and pid file removed', async () => {
    const agent = await startAgent();
    const s = await source('nexus', agent.sockets);
    expect(s.getX509Svid().id.toString()).toBe(`spiffe://${TD}/spike/nexus`);
    agent.proc.kill('SIGTERM');
    const { code, signal } = await agent.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(readdirSync(join(devDir, 'sockets'))).toEqual([]);
    expect(existsSync(join(devDir, 'agent.pid'))).toBe(false);
  });

  it('CLI: bad input exits 2 with one line, help exits 0, a second agent is refused', async () => {
    const badId = await cli(['entry', 'set', 'pilot', 'spiffe://evil.org/x']);
    expect(badId.code).toBe(2);
    expect(badId.stderr.trim().split('\n')).toHaveLength(1);
    expect(badId.stderr).toMatch(/^Error: .*trust domain spike\.ist/);
    const badName = await cli(['entry', 'set', 'Bad/Name', `spiffe://${TD}/x`]);
    expect(badName.code).toBe(2);
    expect((await cli(['socket', '../x'])).code).toBe(2);
    expect((await cli(['entry', 'set', 'pilot'])).code).toBe(2);
    expect((await cli(['bogus'])).code).toBe(2);
    expect((await cli(['run'], { SPIKE_DEV_AGENT_SVID_TTL: 'soon' })).code).toBe(2);
    for (const args of [['--help'], ['run', '--help'], ['entry', '--help'], ['entry', 'set', '--help'], ['socket', '--help']]) {
      const h = await cli(args);
      expect(h.code, args.join(' ')).toBe(0);
      expect(h.stdout).toMatch(/Usage: spike-dev-agent/);
    }
    const agent = await startAgent();
    const second = await cli(['run']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already running/);
    expect(agent.proc.exitCode).toBeNull();
  });

  it('CLI: exits 1 when the pid file names a live agent that does not answer', async () => {
    mkdirSync(devDir, { mode: 0o700 });
    // Our own pid stands in for a hung agent: alive, but no control socket.
    writeFileSync(join(devDir, 'agent.pid'), `${process.pid}\n`);
    const r = await cli(['entry', 'set', 'pilot', `spiffe://${TD}/spike/pilot/role/restore`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not answer/);
  }, 40_000);
});
