// The built break-glass fast path (src/pilot/fast/; run `npm run build`
// first): `spike operator restore|recover` run from their own CommonJS
// bundles, without commander or the ES module chunks of the full CLI, and
// print exactly what the full CLI prints for the same line. Seen from
// outside: the module files the process resolves (test/helpers/import-trace.mjs)
// and its output, against the same line spelled so that only the full CLI
// takes it (`-fhuman` instead of `-f human`: fast/args.ts leaves it to commander).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/pilot/fast/load.js';
import { runSpike, SPIKE_BIN, type CliRun } from '../helpers/fakenexus.js';
import { DIST } from '../helpers/proc.js';

const BUNDLES = ['restore', 'recover'].map((c) => join(DIST, `spike-operator-${c}.cjs`));
let tmp: string;

beforeAll(() => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  tmp = mkdtempSync('/tmp/pfp-');
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let traces = 0;

/** Runs `spike …args` without a Workload API agent; returns its output and the dist/ files it resolved. */
async function traced(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun & { files: string[] }> {
  const trace = join(tmp, `${++traces}.trace`);
  const hook = fileURLToPath(new URL('../helpers/import-trace.mjs', import.meta.url));
  const r = await runSpike(args, {
    env: {
      HOME: tmp,
      SPIFFE_ENDPOINT_SOCKET: `unix://${tmp}/missing/agent.sock`,
      SPIKE_NEXUS_API_URL: 'https://127.0.0.1:9',
      SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'),
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '1s',
      NODE_OPTIONS: `--import ${hook}`,
      IMPORT_TRACE_FILE: trace,
      ...env,
    },
  });
  const files = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u))
    .filter((f) => f.startsWith(DIST));
  return { ...r, files };
}

const chunksOf = (files: readonly string[]): string[] => files.filter((f) => f.startsWith(join(DIST, 'chunks')));

describe('spike operator restore|recover: the fast path (src/pilot/fast/)', () => {
  it.each([
    [['operator', 'restore'], ['operator', 'restore', '-fhuman']],
    [['restore', '-f', 'json'], ['restore', '-fjson']],
    [['operator', 'recover'], ['operator', 'recover', '-fhuman']],
    [['recover', '--format=json'], ['recover', '-fjson']],
  ])('%j runs without the full CLI and prints what the full CLI prints (%j)', async (fastArgs, fullArgs) => {
    const [fast, full] = await Promise.all([traced(fastArgs), traced(fullArgs)]);
    // control: the full CLI's line loads its chunks (so the trace would show them)
    expect(chunksOf(full.files)).toContain(join(DIST, 'chunks', 'spike-cli.js'));
    expect(chunksOf(fast.files)).toEqual([]);
    expect(full.stderr).toMatch(/^Error: cannot reach the SPIFFE Workload API at unix:\/\/.*no such socket/);
    expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: full.code, stdout: full.stdout, stderr: full.stderr });
    expect(fast.code).toBe(3);
  });

  it.each([
    [['operator', 'restore', '--help'], /^Usage: spike operator restore \[options\]/, 0],
    [['operator', 'restore', '--no-such-flag'], /^Error: unknown option '--no-such-flag'/, 2],
    [['operator', 'recover', '-f', 'yaml'], /^Error: invalid format 'yaml'/, 2],
    [['restore', '--file', '-V'], /^0\.1\.0\n$/, 0],
  ])('%j goes to the full CLI', async (args, text, code) => {
    const r = await traced(args);
    expect(chunksOf(r.files)).toContain(join(DIST, 'chunks', 'spike-cli.js'));
    expect(r.stdout + r.stderr).toMatch(text);
    expect(r.code).toBe(code);
  });

  it('SPIKE_FORMAT applies on the fast path as in the full CLI, and a bad one is the full CLI\'s error', async () => {
    const [json, full, bad] = await Promise.all([
      traced(['operator', 'restore'], { SPIKE_FORMAT: 'json' }),
      traced(['operator', 'restore', '-fhuman'], { SPIKE_FORMAT: 'json' }),
      traced(['operator', 'restore'], { SPIKE_FORMAT: 'yaml' }),
    ]);
    expect(chunksOf(json.files)).toEqual([]);
    expect(json.code).toBe(3);
    expect(json.stderr).toBe(full.stderr);
    expect(chunksOf(bad.files)).toContain(join(DIST, 'chunks', 'spike-cli.js'));
    expect(bad.stderr).toMatch(/^Error: SPIKE_FORMAT is 'yaml', which this command cannot print/);
    expect(bad.code).toBe(2);
  });

  it.each(BUNDLES)('%s: V8 takes its code cache, and it holds no commander', (file) => {
    expect(compileBundle(file).cacheUsed).toBe(true);
    const text = readFileSync(file, 'utf8');
    // esbuild names each source file it bundles in a comment: the command is there, commander is not (it is in the full CLI's chunks)
    expect(text).toMatch(/\/\/ src\/pilot\/commands\/operator-re(store|cover)\.ts\n/);
    expect(text).not.toMatch(/node_modules\/commander\//);
    const chunks = readdirSync(join(DIST, 'chunks')).map((f) => readFileSync(join(DIST, 'chunks', f), 'utf8'));
    expect(chunks.some((c) => /\/\/ node_modules\/commander\//.test(c))).toBe(true);
  });
});
