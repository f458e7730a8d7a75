// The agent in-process, driven through raw grpc-js calls and the control socket.
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlRequest } from '../../../src/devagent/control.js';
import { startDevAgent, type DevAgent } from '../../../src/devagent/server.js';
import type { DevAgentConfig } from '../../../src/devagent/config.js';
import {
  workloadApiClientConstructor,
  workloadApiMetadata,
  type WorkloadApiClient,
  type X509BundlesResponseMessage,
  type X509SvidResponseMessage,
} from '../../../src/spiffe/proto.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

let root: string;
let agent: DevAgent | undefined;
const clients: WorkloadApiClient[] = [];

function config(over: Partial<DevAgentConfig> = {}): DevAgentConfig {
  return { devDir: join(root, 'd'), trustDomain: 'spike.ist', svidTtlMs: 3_600_000, keeperCount: 1, logLevel: 'warn', ...over };
}

function client(socket: string): WorkloadApiClient {
  const Ctor = workloadApiClientConstructor();
  const c = new Ctor(`unix://${socket}`, grpc.credentials.createInsecure());
  clients.push(c);
  return c;
}

/** A server stream as an async queue: next() waits for the next message or the final status. */
function watch<T>(stream: grpc.ClientReadableStream<T>) {
  const items: (T | grpc.ServiceError)[] = [];
  const waiters: ((v: T | grpc.ServiceError) => void)[] = [];
  const push = (v: T | grpc.ServiceError): void => {
    const w = waiters.shift();
    if (w) w(v);
    else items.push(v);
  };
  stream.on('data', (m: T) => push(m));
  stream.on('error', (e: grpc.ServiceError) => push(e));
  return {
    next(timeoutMs = 5000): Promise<T | grpc.ServiceError> {
      const v = items.shift();
      if (v !== undefined) return Promise.resolve(v);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
        waiters.push((x) => {
          clearTimeout(t);
          resolve(x);
        });
      });
    },
    pending: () => items.length,
    cancel: () => stream.cancel(),
  };
}

function isStatus(v: unknown): v is grpc.ServiceError {
  return v instanceof Error && typeof (v as grpc.ServiceError).code === 'number';
}

function leafId(m: X509SvidResponseMessage | grpc.ServiceError): string {
  if (isStatus(m)) throw new Error(`unexpected status ${m.code} ${m.details}`);
  const der = m.svids?.[0]?.x509_svid;
  if (!der) throw new Error('no svid');
  return new X509Certificate(Buffer.from(der)).subjectAltName ?? '';
}

beforeEach(() => {
  root = mkdtempSync('/tmp/dsv-');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await agent?.close();
  agent = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('dev agent (in-process)', () => {
  it('serves each workload its SVID with the bundle, and bundles keyed spiffe://td', async () => {
    agent = await startDevAgent(config(), silent);
    const sockets = agent.sockets();
    expect(Object.keys(sockets).sort()).toEqual(['bootstrap', 'keeper-1', 'nexus', 'pilot']);
    const s = watch(client(sockets['nexus'] as string).FetchX509SVID({}, workloadApiMetadata()));
    const first = await s.next();
    expect(leafId(first)).toBe('URI:spiffe://spike.ist/spike/nexus');
    const msg = first as X509SvidResponseMessage;
    const svid = msg.svids?.[0];
    expect(svid?.spiffe_id).toBe('spiffe://spike.ist/spike/nexus');
    expect(Buffer.from(svid?.bundle ?? []).equals(agent.ca.certDer)).toBe(true);
    expect(svid?.x509_svid_key?.length).toBeGreaterThan(100);
    s.cancel();

    const b = watch(client(sockets['pilot'] as string).FetchX509Bundles({}, workloadApiMetadata()));
    const bundles = (await b.next()) as X509BundlesResponseMessage;
    expect(Object.keys(bundles.bundles ?? {})).toEqual(['spiffe://spike.ist']);
    expect(Buffer.from(bundles.bundles?.['spiffe://spike.ist'] ?? []).equals(agent.ca.certDer)).toBe(true);
    b.cancel();
  });

  it('answers INVALID_ARGUMENT without the security header', async () => {
    agent = await startDevAgent(config(), silent);
    const c = client(agent.sockets()['nexus'] as string);
    const s = watch(c.FetchX509SVID({}, new grpc.Metadata()));
    const e = await s.next();
    expect(isStatus(e) && e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((e as grpc.ServiceError).details).toBe('security header missing from request');
    const wrong = new grpc.Metadata();
    wrong.set('workload.spiffe.io', 'TRUE');
    const e2 = await watch(c.FetchX509Bundles({}, wrong)).next();
    expect(isStatus(e2) && e2.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('pushes the new SVID to open streams before setEntry resolves, and ends them on delete', async () => {
    agent = await startDevAgent(config(), silent);
    const c = client(agent.sockets()['pilot'] as string);
    const a = watch(c.FetchX509SVID({}, workloadApiMetadata()));
    const b = watch(c.FetchX509SVID({}, workloadApiMetadata()));
    expect(leafId(await a.next())).toBe('URI:spiffe://spike.ist/spike/pilot/role/superuser');
    expect(leafId(await b.next())).toBe('URI:spiffe://spike.ist/spike/pilot/role/superuser');

    await agent.setEntry('pilot', 'spiffe://spike.ist/spike/pilot/role/recover');
    expect(leafId(await a.next())).toBe('URI:spiffe://spike.ist/spike/pilot/role/recover');
    expect(leafId(await b.next())).toBe('URI:spiffe://spike.ist/spike/pilot/role/recover');
    expect(JSON.parse(readFileSync(join(root, 'd', 'entries.json'), 'utf8'))['pilot']).toBe('spiffe://spike.ist/spike/pilot/role/recover');

    expect(await agent.deleteEntry('pilot')).toBe(true);
    for (const s of [a, b]) {
      const e = await s.next();
      expect(isStatus(e) && e.code).toBe(grpc.status.PERMISSION_DENIED);
      expect((e as grpc.ServiceError).details).toBe('no identity issued');
    }
    // New calls are refused too, until the entry comes back.
    const late = await watch(c.FetchX509SVID({}, workloadApiMetadata())).next();
    expect(isStatus(late) && late.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await agent.deleteEntry('pilot')).toBe(false);
    await agent.setEntry('pilot', 'spiffe://spike.ist/spike/pilot/role/restore');
    expect(leafId(await watch(c.FetchX509SVID({}, workloadApiMetadata())).next())).toBe('URI:spiffe://spike.ist/spike/pilot/role/restore');
  });

  it('starts a socket for a new workload at once', async () => {
    agent = await startDevAgent(config(), silent);
    await agent.setEntry('demo-app', 'spiffe://spike.ist/apps/demo');
    const path = agent.sockets()['demo-app'] as string;
    expect(path).toBe(join(root, 'd', 'sockets', 'demo-app.sock'));
    expect(leafId(await watch(client(path).FetchX509SVID({}, workloadApiMetadata())).next())).toBe('URI:spiffe://spike.ist/apps/demo');
  });

  it('refuses bad entries without changing anything', async () => {
    agent = await startDevAgent(config(), silent);
    const before = agent.entries();
    await expect(agent.setEntry('pilot', 'spiffe://evil.org/x')).rejects.toThrow(/trust domain/);
    await expect(agent.setEntry('Bad_Name', 'spiffe://spike.ist/x')).rejects.toThrow(/invalid workload name/);
    expect(agent.entries()).toEqual(before);
  });

  it('refuses a workload whose socket path would be too long, before writing anything', async () => {
    agent = await startDevAgent(config({ devDir: join(root, 'x'.repeat(45)) }), silent);
    const before = readFileSync(join(root, 'x'.repeat(45), 'entries.json'), 'utf8');
    await expect(agent.setEntry('w'.repeat(32), 'spiffe://spike.ist/w')).rejects.toThrow(/socket path too long/);
    expect(readFileSync(join(root, 'x'.repeat(45), 'entries.json'), 'utf8')).toBe(before);
    expect(agent.entries()['w'.repeat(32)]).toBeUndefined();
  });

  it('rotates SVIDs at half their TTL and pushes them', async () => {
    agent = await startDevAgent(config({ svidTtlMs: 2_000 }), silent);
    const s = watch(client(agent.sockets()['nexus'] as string).FetchX509SVID({}, workloadApiMetadata()));
    const first = (await s.next()) as X509SvidResponseMessage;
    const second = (await s.next(4_000)) as X509SvidResponseMessage;
    const c1 = new X509Certificate(Buffer.from(first.svids?.[0]?.x509_svid ?? []));
    const c2 = new X509Certificate(Buffer.from(second.svids?.[0]?.x509_svid ?? []));
    expect(c2.serialNumber).not.toBe(c1.serialNumber);
    expect(c2.subjectAltName).toBe('URI:spiffe://spike.ist/spike/nexus');
    // Issued before the first one expired.
    expect(Date.parse(c1.validTo)).toBeGreaterThan(Date.now() - 1000);
  });

  it('serves the control protocol and refuses malformed requests', async () => {
    agent = await startDevAgent(config(), silent);
    const ctl = join(root, 'd', 'sockets', 'control.sock');
    const ping = await controlRequest(ctl, { op: 'ping' }, 2000);
    expect(ping).toEqual({ ok: true, pid: process.pid });
    const bad = await controlRequest(ctl, { op: 'set', workload: 'pilot', spiffeId: 'spiffe://nope.org/x' }, 2000);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.code).toBe('invalid');
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = createConnection(ctl, () => sock.write('{"op":"explode"}\n'));
      let buf = '';
      sock.on('data', (d) => (buf += d.toString()));
      sock.on('end', () => resolve(buf));
      sock.on('error', reject);
    });
    expect(JSON.parse(raw)).toMatchObject({ ok: false, code: 'bad_request' });
    // Still alive.
    expect((await controlRequest(ctl, { op: 'list' }, 2000)).ok).toBe(true);
  });

  it('removes every socket on close', async () => {
    agent = await startDevAgent(config(), silent);
    const paths = Object.values(agent.sockets());
    await agent.close();
    agent = undefined;
    for (const p of [...paths, join(root, 'd', 'sockets', 'control.sock')]) expect(existsSync(p)).toBe(false);
  });
});
