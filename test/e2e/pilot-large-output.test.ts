// Large outputs through a pipe: `spike` exits only after stdout has been
// written out. (Exiting with data still queued for a pipe drops it: a
// `spike secret list | …` of 100k paths printed a few thousand lines.)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNexus, SPIKE_BIN } from '../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const PATHS = Array.from({ length: 60_000 }, (_, i) => `apps/service-${String(i).padStart(6, '0')}/database/password`);
let ca: TestCa;
let wl: FakeWorkloadApi;
let nexus: FakeNexus;

beforeAll(async () => {
  if (!existsSync(SPIKE_BIN)) throw new Error('build first: npm run build');
  ca = await createTestCa(TD);
  wl = await FakeWorkloadApi.start();
  wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/superuser`)));
  nexus = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/nexus`) });
  nexus.respond(() => ({ status: 200, json: { keys: PATHS } }));
});
afterAll(async () => {
  await nexus?.close();
  await wl?.close();
});

/** Runs spike with stdout on a pipe that the test reads only in small steps, each on a later turn of the event loop. */
function runWithSlowReader(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [SPIKE_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: nexus.url },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Buffer[] = [];
  child.stdout.pause();
  const readSome = (): void => {
    let c: Buffer | null;
    let n = 0;
    while (n < 4 && (c = child.stdout.read(4096) as Buffer | null) !== null) {
      chunks.push(c);
      n++;
    }
    if (!child.stdout.readableEnded) setImmediate(readSome);
  };
  child.stdout.on('readable', () => undefined);
  setImmediate(readSome);
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}

describe('large output through a pipe', () => {
  it('secret list of 60k paths: every line arrives before spike exits', { timeout: 120_000 }, async () => {
    const r = await runWithSlowReader(['secret', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(PATHS.length);
    for (const p of [PATHS[0], PATHS[29_999], PATHS[59_999]]) expect(r.stdout).toContain(`${p as string}\n`);
  });
});

describe('a reader that goes away', () => {
  it('secret list | head -1: spike ends without hanging, without an error line, exit 0', { timeout: 120_000 }, async () => {
    const child = spawn('/bin/sh', ['-c', `{ "${process.execPath}" "${SPIKE_BIN}" secret list; echo "spike exit $?" >&2; } | head -n 1`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: nexus.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out, err }).toEqual({ code: 0, out: `- ${PATHS[0] as string}\n`, err: 'spike exit 0\n' });
  });
});
