// `spike operator rotate` in a real pseudo-terminal (node-pty) against the built
// CLI: the y/N question on the terminal, y goes on and follows to the end with a
// progress line; n sends nothing; Ctrl-C exits 130 and sends nothing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNexus, SPIKE_BIN } from '../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const OLD = '0123456789abcdef'.repeat(4);
const NEW = 'fedcba9876543210'.repeat(4);
const QUESTION = 'become useless)? [y/N] ';
let ca: TestCa;
let wl: FakeWorkloadApi;
let nexus: FakeNexus;
let tmp: string;
let polls = 0;

beforeAll(async () => {
  if (!existsSync(SPIKE_BIN)) throw new Error('build first');
  tmp = mkdtempSync('/tmp/rp-');
  ca = await createTestCa(TD);
  wl = await FakeWorkloadApi.start();
  wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/superuser`)));
  nexus = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/nexus`) });
  nexus.respond((req) => {
    if (req.url === '/v1/operator/rotate') return { status: 200, json: { state: 'started', phase: 'reencrypting', done: 0, total: 4, previousFingerprint: OLD, fingerprint: NEW } };
    polls++;
    if (polls === 1) return { status: 200, json: { ready: true, threshold: 2, fingerprint: NEW, rotation: 'reencrypting', rotationDone: 2, rotationTotal: 4, rotationFingerprint: NEW } };
    if (polls === 2) return { status: 200, json: { ready: true, threshold: 2, fingerprint: NEW, rotation: 'pushing', rotationDone: 4, rotationTotal: 4, rotationFingerprint: NEW, rotationWaiting: [2] } };
    return { status: 200, json: { ready: true, threshold: 2, fingerprint: NEW } };
  });
});
afterAll(async () => {
  await nexus?.close();
  await wl?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function runInPty(args: string[], answer: string | undefined): Promise<{ output: string; code: number }> {
  const term = spawnPty(process.execPath, [SPIKE_BIN, ...args], {
    name: 'xterm', cols: 200, rows: 30, cwd: tmp,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: nexus.url, SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s' },
  });
  let output = '';
  let typed = false;
  const killer = setTimeout(() => term.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    term.onData((d) => {
      output += d;
      if (answer !== undefined && !typed && output.includes(QUESTION)) {
        typed = true;
        term.write(answer === '\x03' ? answer : `${answer}\r`);
      }
    });
    term.onExit(({ exitCode }) => {
      clearTimeout(killer);
      resolve({ output, code: exitCode });
    });
  });
}

describe('rotate on a terminal', () => {
  it('y: rotates, progress line, success text', async () => {
    const r = await runInPty(['operator', 'rotate'], 'y');
    expect(r.code).toBe(0);
    expect(r.output).toContain('Re-encrypting stored records');
    expect(r.output).toContain('Waiting for keeper 2');
    expect(r.output).toContain('The root key was rotated');
    expect(nexus.requests.some((q) => q.url === '/v1/operator/rotate')).toBe(true);
  });
  it('n: nothing sent', async () => {
    const before = nexus.requests.length;
    const r = await runInPty(['operator', 'rotate'], 'n');
    expect(r.code).toBe(0);
    expect(nexus.requests.length).toBe(before);
  });
  it('Ctrl-C: 130', async () => {
    const before = nexus.requests.length;
    const r = await runInPty(['operator', 'rotate'], '\x03');
    expect(r.code).toBe(130);
    expect(nexus.requests.length).toBe(before);
  });
});
