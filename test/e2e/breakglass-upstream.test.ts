// The break-glass additions against a Nexus that lacks them (as upstream
// SPIKE Nexus: an unknown path answers 400 api_bad_request): the built
// `spike` says so plainly and never guesses. Also: `--version` does not
// load age (only the commands that use it do), seen in the list of modules
// the process resolved (test/helpers/import-trace.mjs).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST } from '../helpers/proc.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePilotEnv, startFakePilot, stopFakePilot } from '../helpers/fake-pilot.js';
import { runSpike, type FakeNexus } from '../helpers/fakenexus.js';
import type { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;

beforeAll(async () => {
  ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/bgu-', TD));
  wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
  nexus.respond(() => ({ status: 400, json: { err: 'api_bad_request' } }));
});
afterAll(() => stopFakePilot({ wl, nexus, tmp }));

const env = (): Record<string, string> =>
  fakePilotEnv({ wl, nexus, tmp }, { SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), SPIKE_HTTP_CLIENT_TIMEOUT: '10s' });

describe('break-glass commands against a Nexus without the status route', () => {
  it('status: one plain line, exit 1', async () => {
    const r = await runSpike(['operator', 'status'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: This SPIKE Nexus does not support `spike operator status` \(no \/v1\/operator\/status route[^\n]*\n$/);
    expect(nexus.requests.at(-1)).toMatchObject({ url: '/v1/operator/status' });
  });

  it('preflight: the state is a warning, not a failure (exit 0)', async () => {
    const r = await runSpike(['operator', 'preflight', '--for', 'restore'], { env: env() });
    expect(r.stdout).toMatch(/nexus-state +WARN +unknown: this SPIKE Nexus has no status route/);
    expect(r.code).toBe(0);
  });

  /** Runs `spike args` and returns the built files of age it resolved (our age chunk, the bundled age-encryption). */
  async function ageFilesLoadedBy(args: string[], name: string): Promise<{ code: number | null; ageFiles: string[]; all: string[] }> {
    const trace = join(tmp, `${name}.trace`);
    const hook = fileURLToPath(new URL('../helpers/import-trace.mjs', import.meta.url));
    const r = await runSpike(args, { env: { HOME: tmp, NODE_OPTIONS: `--import ${hook}`, IMPORT_TRACE_FILE: trace } });
    const all = readFileSync(trace, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return { code: r.code, ageFiles: all.filter((f) => AGE_FILES.has(f)), all };
  }
  // The chunks that hold age: esbuild names our lazy wrapper age-*.js and keeps the library's source paths in comments;
  // the break-glass fast path (src/pilot/fast/) loads the library from dist/spike-lib-age.cjs.
  const AGE_FILES = new Set([
    ...readdirSync(join(DIST, 'chunks'))
      .map((f) => join(DIST, 'chunks', f))
      .filter((f) => /\/age-[^/]*\.js$/.test(f) || readFileSync(f, 'utf8').includes('node_modules/age-encryption/')),
    join(DIST, 'spike-lib-age.cjs'),
  ]);

  it('--version answers without loading age', async () => {
    const r = await runSpike(['--version'], { env: {} });
    expect(r).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect(AGE_FILES.size).toBeGreaterThanOrEqual(2);
    const v = await ageFilesLoadedBy(['--version'], 'version');
    expect(v.code).toBe(0);
    expect(v.all).toContain(join(DIST, 'spike.cjs')); // dist/spike.js links to the CommonJS entry
    expect(v.ageFiles).toEqual([]);
    // control: a command that needs age does load it (so the trace would show it): age checks a well-formed recipient
    const rec = await ageFilesLoadedBy(['operator', 'recover', '--recipient', `age1${'q'.repeat(58)}`], 'recover');
    expect(rec.code).toBe(2);
    expect(rec.ageFiles.length).toBeGreaterThan(0);
  });
});
