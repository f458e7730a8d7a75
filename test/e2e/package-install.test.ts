// The npm package end to end, as a user gets it (README § Install): `npm pack`
// in a copy of this checkout without dist/ (its prepack builds dist/), then
//   - `npm install -g --prefix <temp> --allow-scripts=better-sqlite3 <tarball>`:
//     spike, spike-nexus, spike-keeper, spike-bootstrap and spike-dev-agent on
//     PATH from <temp>/bin run the break-glass drill (start, put a secret,
//     recover the shards, Nexus and every Keeper killed, restore, the secret
//     reads back), and the installed hack/demo.sh runs its drill on the
//     installed dist/;
//   - a fresh project that depends on the tarball imports `{ SpikeClient }`
//     from 'spike-ts' (a class) and type-checks a small consumer with tsc.
// Dependencies come from npm's cache (--prefer-offline) or the registry;
// better-sqlite3 builds from source (node-gyp) against the headers of the
// Node that runs this test.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Proc, REPO } from '../helpers/proc.js';

const BINS = ['spike', 'spike-nexus', 'spike-keeper', 'spike-bootstrap', 'spike-dev-agent'];
interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  main?: string;
  types?: string;
  exports?: unknown;
}

/** Every string in an `exports` value (conditions and subpaths nest). */
function exportTargets(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(exportTargets);
  return [];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The runner's environment without npm's own npm_* variables (set by `npm test`), plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

interface RunOptions {
  cwd?: string;
  env: Record<string, string>;
  input?: string;
  /** Killed (SIGKILL) after this long, so that a hang fails with its output; default 2 minutes. */
  killAfterMs?: number;
}

/** Runs `cmd args` (found on env.PATH) to its end; stdin is `input` or closed. */
function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<Run> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const killer = setTimeout(() => {
    stderr += `\n(killed after ${opts.killAfterMs ?? 120_000} ms)`;
    child.kill('SIGKILL');
  }, opts.killAfterMs ?? 120_000);
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return new Promise((ok, ko) => {
    child.on('error', ko);
    child.on('close', (code) => {
      clearTimeout(killer);
      ok({ code, stdout, stderr });
    });
  });
}

async function mustRun(cmd: string, args: readonly string[], opts: RunOptions): Promise<Run> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/**
 * node-gyp's headers for the Node that runs this test (<prefix>/include/node),
 * when that Node ships them: the machine's npm setting may name another Node's.
 */
function nodedirArgs(): string[] {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? [`--nodedir=${prefix}`] : [];
}

let work = '';
/** The package.json that was packed. */
let pkg: PackageJson;
let tarball = '';
let prefix = '';
let installed = '';
let consumer = '';
const procs: Proc[] = [];

beforeAll(async () => {
  work = mkdtempSync('/tmp/spike-pkg-');
  // 1. A checkout's files (tracked, and new ones not ignored) without dist/, node_modules linked: `npm pack` must build.
  const src = join(work, 'src');
  const list = await mustRun('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, env: cleanEnv() });
  for (const f of list.stdout.split('\0')) {
    if (f === '' || !existsSync(join(REPO, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(src, f)), { recursive: true });
    cpSync(join(REPO, f), join(src, f));
  }
  if (existsSync(join(src, 'dist'))) throw new Error('the copy of the checkout has a dist/: npm pack would not show that prepack builds it');
  symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
  pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as PackageJson;
  const packed = await mustRun('npm', ['pack', '--json', '--pack-destination', work], { cwd: src, env: cleanEnv(), killAfterMs: 600_000 });
  // Its JSON follows whatever the prepack build printed.
  const info = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[$/m))) as { filename: string }[];
  tarball = join(work, info[0]!.filename);

  // 2. Installed globally into a temporary prefix, and as the dependency of a fresh project (both from the tarball).
  prefix = join(work, 'prefix');
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'spike-ts-consumer', version: '1.0.0', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tarball}` } }, null, 2),
  );
  const npmFlags = ['--prefer-offline', '--no-audit', '--no-fund', ...nodedirArgs()];
  await Promise.all([
    mustRun('npm', ['install', '-g', '--prefix', prefix, '--allow-scripts=better-sqlite3', ...npmFlags, tarball], { cwd: work, env: cleanEnv(), killAfterMs: 1_100_000 }),
    // The library needs no install script (nor better-sqlite3's native build): the project allows none.
    mustRun('npm', ['install', '--ignore-scripts', ...npmFlags], { cwd: consumer, env: cleanEnv(), killAfterMs: 1_100_000 }),
  ]);
}, 1_200_000);

afterAll(async () => {
  await Promise.all(procs.filter((p) => p.running()).map((p) => p.stop('SIGKILL', 5000)));
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('builds dist/ (prepack) and packs regular files only: every bin, main, types and exports target, hack/, docs/; no sources or tests', async () => {
    const listing = (await mustRun('tar', ['-tvzf', tarball], { env: cleanEnv() })).stdout.trim().split('\n');
    const entries = listing.map((l) => ({ type: l[0], path: l.slice(l.indexOf('package/') + 'package/'.length) }));
    expect(entries.filter((e) => e.type !== '-')).toEqual([]);
    const paths = entries.map((e) => e.path);
    const targets = [...Object.values(pkg.bin), ...(pkg.main === undefined ? [] : [pkg.main]), ...(pkg.types === undefined ? [] : [pkg.types]), ...exportTargets(pkg.exports)];
    expect(targets.length).toBeGreaterThan(BINS.length);
    for (const t of targets) expect(paths).toContain(t.replace(/^\.\//, ''));
    expect(paths).toContain('dist/chunks/spike-cli.js');
    expect(paths).toContain('hack/start.sh');
    expect(paths).toContain('docs/runbook.md');
    expect(paths.filter((p) => /^(src|test|scripts|tools|node_modules)\//.test(p) || p.endsWith('.map'))).toEqual([]);
  });
});

describe('npm install -g of the tarball', () => {
  const env = (extra: Record<string, string> = {}): Record<string, string> =>
    cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: work, ...extra });

  it('puts every command on PATH, each a link into the installed package', async () => {
    for (const name of BINS) {
      const found = (await mustRun('bash', ['-c', `command -v ${name}`], { env: env() })).stdout.trim();
      expect(found).toBe(join(prefix, 'bin', name));
      expect(lstatSync(found).isSymbolicLink()).toBe(true);
      expect(realpathSync(found)).toBe(join(realpathSync(installed), pkg.bin[name]!));
    }
    expect((await mustRun('spike', ['--version'], { env: env() })).stdout).toBe(`${pkg.version}\n`);
    expect((await mustRun('spike', ['secret', '--help'], { env: env() })).stdout).toContain('Usage: spike secret');
  });

  it('runs the break-glass drill with the installed binaries: bootstrap, put, recover, total loss, restore, the secret reads back', { timeout: 300_000 }, async () => {
    const dir = join(work, 'drill');
    const dev = join(dir, 'dev');
    mkdirSync(dev, { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, 'operator'), { mode: 0o700 });
    const td = 'spiffe://spike.ist';
    const keeperPorts = [0, 0, 0];
    let nexusPort = 0;
    const peers = (): string => keeperPorts.map((p, i) => `https://127.0.0.1:${p}=${td}/spike/keeper/${i + 1}`).join(',');
    const envOf = (workload: string, extra: Record<string, string> = {}): Record<string, string> =>
      env({
        SPIKE_DEV_DIR: dev,
        SPIKE_NEXUS_DATA_DIR: join(dir, 'nexus'),
        SPIFFE_ENDPOINT_SOCKET: `unix://${join(dev, 'sockets', `${workload}.sock`)}`,
        SPIKE_NEXUS_KEEPER_PEERS: peers(),
        SPIKE_NEXUS_API_URL: `https://127.0.0.1:${nexusPort}`,
        SPIKE_NEXUS_SHAMIR_SHARES: '3',
        SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
        SPIKE_PILOT_RECOVERY_DIR: join(dir, 'operator'),
        SPIKE_SYSTEM_LOG_LEVEL: 'info',
        SPIKE_SPIFFE_SOURCE_TIMEOUT: '20s',
        ...extra,
      });
    /** Starts the installed command `cmd` (found on PATH) as the long-running process `name`. */
    const start = (cmd: string, name: string, args: string[], e: Record<string, string>): Proc => {
      const p = new Proc(name, spawn(cmd, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'] }));
      procs.push(p);
      return p;
    };
    /** A server on `port` (0: its choice) up to `event`; a port still held a moment after a kill is tried again. */
    const listen = async (cmd: string, name: string, event: string, e: (port: number) => Record<string, string>, port: number): Promise<{ proc: Proc; port: number }> => {
      for (let attempt = 1; ; attempt++) {
        const proc = start(cmd, name, [], e(port));
        try {
          const bound = (await proc.waitForEvent(event))['port'];
          if (typeof bound !== 'number') throw new Error(`${name}: ${event} has no port`);
          return { proc, port: bound };
        } catch (err) {
          if (port === 0 || attempt >= 20 || !proc.tail(50).includes('EADDRINUSE')) throw err;
          await proc.exited;
        }
      }
    };
    const startKeepers = (): Promise<Proc[]> =>
      Promise.all(
        keeperPorts.map(async (p, i) => {
          const k = await listen('spike-keeper', `keeper-${i + 1}`, 'keeper_listening', (port) => envOf(`keeper-${i + 1}`, { SPIKE_KEEPER_TLS_PORT: `127.0.0.1:${port}` }), p);
          keeperPorts[i] = k.port;
          return k.proc;
        }),
      );
    const startNexus = async (): Promise<Proc> => {
      const n = await listen('spike-nexus', 'nexus', 'nexus_listening', (port) => envOf('nexus', { SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${port}` }), nexusPort);
      nexusPort = n.port;
      return n.proc;
    };
    const role = (r: string): Promise<Run> => mustRun('spike-dev-agent', ['entry', 'set', 'pilot', `${td}/spike/pilot/role/${r}`], { env: envOf('agent') });
    const spike = (args: string[], input?: string): Promise<Run> => run('spike', args, { env: envOf('pilot'), input });

    // Start: the dev Workload API (one entry per Keeper), three Keepers, Nexus, Bootstrap.
    const agent = start('spike-dev-agent', 'agent', ['run'], envOf('agent', { SPIKE_NEXUS_KEEPER_PEERS: 'https://k1.invalid,https://k2.invalid,https://k3.invalid' }));
    await agent.waitForEvent('agent_ready');
    const keepers = await startKeepers();
    let nexus = await startNexus();
    await mustRun('spike-bootstrap', ['-init'], { env: envOf('bootstrap') });
    await nexus.waitForEvent('root_key_ready');

    // Every process runs from the installed package.
    for (const p of [agent, ...keepers, nexus]) {
      expect(readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8').split('\0')).toContain(join(prefix, 'bin', p.child.spawnargs[0]!));
    }

    expect(await spike(['secret', 'put', 'secrets/installed', 'password=from the tarball'])).toMatchObject({ code: 0, stderr: '' });
    await role('recover');
    expect(await spike(['operator', 'recover'])).toMatchObject({ code: 0 });
    const shardDir = join(dir, 'operator', 'recover');
    const shards = readdirSync(shardDir).filter((f) => /^spike\.recovery\.\d+\.txt$/.test(f));
    expect(shards).toHaveLength(3);

    // Total loss: Nexus and every Keeper killed; back up, Nexus waits for an operator restore.
    await Promise.all([nexus, ...keepers].map((p) => p.stop('SIGKILL')));
    await startKeepers();
    nexus = await startNexus();
    await nexus.waitForEvent('restore_needed', { timeoutMs: 60_000 });

    await role('restore');
    let restored = false;
    for (const f of shards) {
      const r = await spike(['operator', 'restore', '--manifest', join(shardDir, 'spike.recovery.manifest.json')], readFileSync(join(shardDir, f), 'utf8'));
      expect(r, r.stderr).toMatchObject({ code: 0 });
      if (r.stdout.includes('restored and ready')) {
        restored = true;
        break;
      }
    }
    expect(restored).toBe(true);
    await nexus.waitForEvent('root_key_ready', { timeoutMs: 60_000 });

    await role('superuser');
    expect(await spike(['secret', 'get', 'secrets/installed', 'password'])).toMatchObject({ code: 0, stdout: 'from the tarball\n' });
    // Done with this stack (afterAll kills what a failure left running).
    await Promise.all(procs.filter((p) => p.running()).map((p) => p.stop('SIGKILL')));
  });

  it("the installed hack/demo.sh runs its drill on the installed dist/ (no build)", { timeout: 300_000 }, async () => {
    const r = await run('bash', [join(installed, 'hack', 'demo.sh')], { cwd: work, env: env({ CI: 'true' }), killAfterMs: 280_000 });
    const out = r.stdout + r.stderr;
    if (r.code !== 0) console.error(out);
    expect(out).not.toContain('Building spike-ts');
    expect(out).toContain('PASS: the break-glass drill succeeded');
    expect(r.code).toBe(0);
  });
});

describe('a project that depends on the tarball', () => {
  it("imports { SpikeClient } from 'spike-ts': a class", async () => {
    writeFileSync(
      join(consumer, 'check.mjs'),
      "import { SpikeClient, SpikeError } from 'spike-ts';\n" +
        "console.log(JSON.stringify({ client: typeof SpikeClient, isClass: /^class\\b/.test(Function.prototype.toString.call(SpikeClient)), create: typeof SpikeClient.create, error: typeof SpikeError }));\n",
    );
    const r = await mustRun(process.execPath, ['check.mjs'], { cwd: consumer, env: cleanEnv() });
    expect(JSON.parse(r.stdout)).toEqual({ client: 'function', isClass: true, create: 'function', error: 'function' });
  });

  it('type-checks a consumer with tsc against the package\'s declarations (a wrong call is an error)', async () => {
    writeFileSync(
      join(consumer, 'consumer.ts'),
      [
        "import { SpikeClient, type Secret } from 'spike-ts';",
        'export async function password(): Promise<Secret> {',
        '  const client: SpikeClient = await SpikeClient.create();',
        "  try { return await client.getSecret('secrets/db'); } finally { await client.close(); }",
        '}',
        'export async function wrong(client: SpikeClient): Promise<void> {',
        '  // @ts-expect-error: a secret path is a string',
        '  await client.getSecret(42);',
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')] }, files: ['consumer.ts'] }),
    );
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, env: cleanEnv() });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
