// The readiness listener for load balancers (src/nexus/server/health.ts) and
// its settings: GET /ready answers 200 "ready" or 503 "not ready" and tells
// nothing else; other paths and methods get an empty 404 / 405. Raw sockets,
// so that every byte of the answer is seen.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { startHealthListener, type HealthListener } from '../../../src/nexus/server/health.js';

let listener: HealthListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

/** Sends `request` as it is and returns the whole answer (the server closes the connection). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(request));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const get = (path: string, method = 'GET'): string => `${method} ${path} HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n`;
const statusLine = (answer: string): string => answer.split('\r\n')[0] ?? '';
const body = (answer: string): string => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe('the health listener', () => {
  it('answers GET /ready with 200 "ready" or 503 "not ready", as the replica is', async () => {
    let ready = false;
    listener = await startHealthListener({ host: '127.0.0.1', port: 0, ready: () => ready });
    const notReady = await raw(listener.port, get('/ready'));
    expect(statusLine(notReady)).toBe('HTTP/1.1 503 Service Unavailable');
    expect(body(notReady)).toBe('not ready\n');
    ready = true;
    const ok = await raw(listener.port, get('/ready'));
    expect(statusLine(ok)).toBe('HTTP/1.1 200 OK');
    expect(body(ok)).toBe('ready\n');
    // Nothing but the bit: no server name, identity, version or counts in the headers.
    const headerNames = ok
      .slice(0, ok.indexOf('\r\n\r\n'))
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(':')[0]?.toLowerCase());
    expect(headerNames.sort()).toEqual(['cache-control', 'connection', 'content-length', 'content-type', 'date']);
    const head = await raw(listener.port, get('/ready', 'HEAD'));
    expect(statusLine(head)).toBe('HTTP/1.1 200 OK');
    expect(body(head)).toBe('');
    // A query string is the same path.
    expect(statusLine(await raw(listener.port, get('/ready?x=1')))).toBe('HTTP/1.1 200 OK');
  });

  it('answers anything else with an empty 404 or 405', async () => {
    listener = await startHealthListener({ host: '127.0.0.1', port: 0, ready: () => true });
    for (const path of ['/', '/health', '/ready/', '/v1/store/secrets', '/readyz']) {
      const a = await raw(listener.port, get(path));
      expect(statusLine(a), path).toBe('HTTP/1.1 404 Not Found');
      expect(body(a), path).toBe('');
    }
    const post = await raw(listener.port, `POST /ready HTTP/1.1\r\nHost: lb\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(statusLine(post)).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(body(post)).toBe('');
    expect(statusLine(await raw(listener.port, 'garbage\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
  });

  it('fails to start on a port in use', async () => {
    listener = await startHealthListener({ host: '127.0.0.1', port: 0, ready: () => true });
    await expect(startHealthListener({ host: '127.0.0.1', port: listener.port, ready: () => true })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('replica and health settings', () => {
  const base = { SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443,https://k2:8443,https://k3:8443' };

  it('defaults: no health listener, the replica name decided at start', () => {
    const c = loadNexusConfig(base);
    expect(c.health).toBeUndefined();
    expect(c.replicaName).toBeUndefined();
  });

  it('SPIKE_NEXUS_HEALTH_PORT on loopback unless SPIKE_NEXUS_HEALTH_ADDR says otherwise; SPIKE_NEXUS_REPLICA_NAME', () => {
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_HEALTH_PORT: '8080' }).health).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_HEALTH_PORT: '8080', SPIKE_NEXUS_HEALTH_ADDR: '0.0.0.0' }).health).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_HEALTH_PORT: '0', SPIKE_NEXUS_HEALTH_ADDR: '[::1]' }).health).toEqual({ host: '::1', port: 0 });
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_REPLICA_NAME: 'nexus-0.spike:8553' }).replicaName).toBe('nexus-0.spike:8553');
  });

  it.each([
    [{ SPIKE_NEXUS_HEALTH_PORT: '70000' }, 'SPIKE_NEXUS_HEALTH_PORT'],
    [{ SPIKE_NEXUS_HEALTH_PORT: 'http' }, 'SPIKE_NEXUS_HEALTH_PORT'],
    [{ SPIKE_NEXUS_HEALTH_ADDR: '127.0.0.1' }, 'SPIKE_NEXUS_HEALTH_ADDR: needs SPIKE_NEXUS_HEALTH_PORT'],
    [{ SPIKE_NEXUS_HEALTH_PORT: '8080', SPIKE_NEXUS_HEALTH_ADDR: 'localhost' }, 'SPIKE_NEXUS_HEALTH_ADDR: must be an IP address'],
    [{ SPIKE_NEXUS_REPLICA_NAME: 'two words' }, 'SPIKE_NEXUS_REPLICA_NAME'],
    [{ SPIKE_NEXUS_REPLICA_NAME: 'x'.repeat(129) }, 'SPIKE_NEXUS_REPLICA_NAME'],
  ])('refuses %j in one line naming the variable', (env, message) => {
    expect(() => loadNexusConfig({ ...base, ...env })).toThrow(message);
  });
});
