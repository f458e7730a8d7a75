// The built break-glass fast path (src/pilot/fast/; run `npm run build`
// first): `spike operator restore|recover` run from their own CommonJS
// bundles, without commander or the ES module chunks of the full CLI, and
// print exactly what the full CLI prints for the same line. Seen from
// outside: the module files the process resolves (test/helpers/import-trace.mjs)
// and its output, against the same line spelled so that only the full CLI
// takes it (`-fhuman` instead of `-f human`: fast/args.ts leaves it to commander).
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/pilot/fast/load.js';
import { FakeNexus, runSpike, SPIKE_BIN, type CliRun } from '../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { DIST } from '../helpers/proc.js';
import { createTestCa, svidResponse } from '../helpers/testca.js';

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
    // The root's -V/--version counts only before the command (commander's positional options, as upstream's
    // cobra): after it, -V is --file's value, or an unknown option of restore.
    [['restore', '--file', '-V'], /^Error: cannot reach the SPIFFE Workload API/, 3],
    [['operator', 'restore', '-V'], /^Error: unknown option '-V'/, 2],
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

// Restore reads its shard from descriptor 0 directly when it is no terminal
// (src/pilot/output/io.ts readStdin): a pipe, a file, a socket whose data
// comes late, and too much input. (A child's descriptor 0 is always blocking
// here — libuv makes it so —, so the EAGAIN fallback is unit-tested:
// test/unit/pilot/output/read-stdin.test.ts.)
describe('spike operator restore: the shard from standard input', () => {
  const TD = 'spike.ist';
  const SHARD = `spike:1:${'ab'.repeat(32)}`;
  let wl: FakeWorkloadApi;
  let nexus: FakeNexus;

  beforeAll(async () => {
    const ca = await createTestCa(TD);
    wl = await FakeWorkloadApi.start();
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    nexus = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/nexus`) });
    nexus.respond(() => ({ status: 200, json: { collected: 1, remaining: 2, restored: false } }));
  });
  afterAll(async () => {
    await nexus?.close();
    await wl?.close();
  });

  const env = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp,
    SPIFFE_ENDPOINT_SOCKET: wl.address,
    SPIKE_NEXUS_API_URL: nexus.url,
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
    SPIKE_HTTP_CLIENT_TIMEOUT: '10s',
  });

  /** Runs `spike operator restore` with `stdin` as its descriptor 0 (a file descriptor or a socket). */
  function restoreWith(stdin: number | Socket): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [SPIKE_BIN, 'operator', 'restore'], { env: env(), stdio: [stdin, 'pipe', 'pipe'] as StdioOptions });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const sent = (): string[] => nexus.requests.map((r) => JSON.parse(r.body.toString()) as { id: number }).map((b) => `shard ${b.id}`);

  it('from a pipe, from a file, and from a socket that sends it late: the same shard is sent', async () => {
    nexus.requests.length = 0;
    const piped = await runSpike(['operator', 'restore'], { env: env(), stdin: `${SHARD}\n` });
    expect(piped).toMatchObject({ code: 0, stderr: '' });
    expect(piped.stdout).toMatch(/Shards collected: 1/);

    const file = join(tmp, 'shard.txt');
    writeFileSync(file, SHARD);
    const fd = openSync(file, 'r');
    const fromFile = await restoreWith(fd);
    closeSync(fd);
    expect({ code: fromFile.code, stdout: fromFile.stdout }).toEqual({ code: 0, stdout: piped.stdout });

    // A socket as the child's stdin: the read waits until the shard comes.
    const path = join(tmp, 'stdin.sock');
    const server = createServer();
    await new Promise<void>((r) => server.listen(path, r));
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = connect(path);
    await new Promise<void>((r) => client.once('connect', () => r()));
    const peer = await accepted;
    const run = restoreWith(client);
    setTimeout(() => peer.end(SHARD), 1500);
    const late = await run;
    client.destroy();
    server.close();
    expect({ code: late.code, stdout: late.stdout, stderr: late.stderr }).toEqual({ code: 0, stdout: piped.stdout, stderr: '' });
    expect(sent()).toEqual(['shard 1', 'shard 1', 'shard 1']);
  });

  it('more than 4096 bytes: one line, exit 2, nothing sent (as from the full CLI)', async () => {
    nexus.requests.length = 0;
    const big = `${SHARD}${' '.repeat(5000)}`;
    const [fast, full] = await Promise.all([
      runSpike(['operator', 'restore'], { env: env(), stdin: big }),
      runSpike(['operator', 'restore', '-fhuman'], { env: env(), stdin: big }),
    ]);
    expect(fast).toMatchObject({ code: 2, stdout: '', stderr: 'Error: Input too long: more than 4096 bytes.\n' });
    expect({ code: full.code, stderr: full.stderr }).toEqual({ code: fast.code, stderr: fast.stderr });
    expect(nexus.requests).toEqual([]);
  });
});
