// The local stack on PostgreSQL with two Nexus replicas (npm run build first):
// `SPIKE_NEXUS_BACKEND_STORE=postgres SPIKE_NEXUS_REPLICAS=2 hack/start.sh` in a
// temporary SPIKE_DEV_DIR starts a private PostgreSQL cluster (unix socket
// only, role `spike` with a password file 0600), the dev agent, three Keepers,
// `nexus` and `nexus-2` on consecutive ports and Bootstrap; the real `spike`
// writes and reads secrets through each replica (what one writes the other
// reads); hack/env.sh lists both URLs and the database URL, never the password;
// with that list the Pilot goes on through nexus-2 while nexus is killed, and
// hack/start.sh brings nexus back;
// hack/stop.sh leaves no process of the stack and no PostgreSQL running.
// Also: the refusals that come before anything starts (replicas on SQLite,
// PostgreSQL not installed, a backend switch that would re-key the Keepers).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runSpike } from '../helpers/fakenexus.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TD = 'spike.ist';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a hack/ script with exactly `env` over a clean base (no database settings of the caller's). */
function script(name: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('SPIKE_') && k !== 'SPIFFE_ENDPOINT_SOCKET') base[k] = v;
  }
  const child = spawn('bash', [join('hack', name), ...args], { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const close = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

/** A loopback port P such that P and P+1 were both free a moment ago, and three more free ports. */
async function ports(): Promise<{ nexus: number; keepers: number[] }> {
  for (;;) {
    const first = await listen(0);
    if (first === undefined) continue;
    const addr = first.address();
    const p = typeof addr === 'object' && addr !== null ? addr.port : 0;
    const second = p > 0 && p < 65535 ? await listen(p + 1) : undefined;
    if (second === undefined) {
      await close(first);
      continue;
    }
    const others: Server[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await listen(0);
      if (s !== undefined) others.push(s);
      else i--;
    }
    const keepers = others.map((s) => {
      const a = s.address();
      return typeof a === 'object' && a !== null ? a.port : 0;
    });
    await Promise.all([first, second, ...others].map(close));
    return { nexus: p, keepers };
  }
}

const dirs: string[] = [];
const started: Record<string, string>[] = [];
afterAll(async () => {
  // Whatever a failed test left running: stop it (postgres included), then remove the dirs.
  for (const env of started) await script('stop.sh', env, ['--kill']);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 120_000);

function tempDir(): string {
  // Short: the sockets' paths must stay under the kernel's limit.
  const d = mkdtempSync('/tmp/hpg-');
  dirs.push(d);
  return d;
}

function stackEnv(tmp: string, p: { nexus: number; keepers: number[] }): Record<string, string> {
  const k = `spiffe://${TD}/spike/keeper`;
  return {
    HOME: tmp,
    SPIKE_DEV_DIR: join(tmp, 'dev'),
    SPIKE_NEXUS_DATA_DIR: join(tmp, 'nexus'),
    SPIKE_DEV_LISTEN_HOST: '127.0.0.1',
    SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${p.nexus}`,
    SPIKE_NEXUS_API_URL: `https://127.0.0.1:${p.nexus}`,
    SPIKE_NEXUS_KEEPER_PEERS: p.keepers.map((port, i) => `https://127.0.0.1:${port}=${k}/${i + 1}`).join(','),
    SPIKE_NEXUS_BACKEND_STORE: 'postgres',
    SPIKE_NEXUS_REPLICAS: '2',
  };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('hack/ on PostgreSQL with two Nexus replicas', () => {
  it('starts a private cluster and two replicas; spike writes and reads through each; stop.sh leaves nothing running', { timeout: 300_000 }, async () => {
    const tmp = tempDir();
    let env: Record<string, string> = {};
    let start: Run | undefined;
    // A port picked here can be taken before the stack binds it: start again on new ports (the logs say EADDRINUSE).
    for (let attempt = 1; attempt <= 3; attempt++) {
      env = stackEnv(tmp, await ports());
      started.push(env);
      start = await script('start.sh', env);
      if (start.code === 0) break;
      const logs = join(tmp, 'dev', 'logs');
      const inUse = existsSync(logs) && readdirSync(logs).some((f) => readFileSync(join(logs, f), 'utf8').includes('EADDRINUSE'));
      if (!inUse || attempt === 3) break;
      await script('stop.sh', env, ['--kill']);
      rmSync(logs, { recursive: true, force: true });
    }
    if (start?.code !== 0) console.error(start?.stdout, start?.stderr);
    expect(start?.code).toBe(0);
    const devDir = join(tmp, 'dev');
    const port = Number(env['SPIKE_NEXUS_TLS_PORT']?.split(':')[1]);
    const urls = [`https://127.0.0.1:${port}`, `https://127.0.0.1:${port + 1}`];
    expect(start?.stdout).toContain(`postgres: started (pid `);
    expect(start?.stdout).toContain(`nexus: started on 127.0.0.1:${port} (pid `);
    expect(start?.stdout).toContain(`nexus-2: started on 127.0.0.1:${port + 1} (pid `);
    expect(start?.stdout).toContain(`SPIKE Nexus is ready: 2 replicas at ${urls.join(',')}.`);

    // Each replica's own log, with the postgres backend, its hack/ name as replica name, and the root key.
    for (const name of ['nexus', 'nexus-2']) {
      const log = readFileSync(join(devDir, 'logs', `${name}.log`), 'utf8');
      expect(log).toMatch(new RegExp(`"msg":"nexus_listening".*"backend":"postgres","replica":"${name}"`));
      expect(log).toContain('"msg":"root_key_ready"');
    }

    // The cluster: under $SPIKE_DEV_DIR/postgres, the password file 0600, no TCP listener.
    const pgDir = join(devDir, 'postgres');
    const passwordFile = join(pgDir, 'nexus-password');
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    const client = new pg.Client({ host: join(pgDir, 'cluster'), port: 5432, user: 'spike', database: 'spike', password });
    await client.connect();
    try {
      expect((await client.query<{ listen_addresses: string }>('SHOW listen_addresses')).rows).toEqual([{ listen_addresses: '' }]);
      expect((await client.query<{ n: string }>('SELECT count(*) AS n FROM spike_ts_bootstrap')).rows).toEqual([{ n: '1' }]);
    } finally {
      await client.end();
    }
    // Without the password, role spike is refused (scram-sha-256, no trust on the socket).
    const anonymous = new pg.Client({ host: join(pgDir, 'cluster'), port: 5432, user: 'spike', database: 'spike' });
    await expect(anonymous.connect()).rejects.toThrow(/password/);
    await anonymous.end().catch(() => undefined);

    // hack/env.sh: the list of both replicas, the database URL and password file, never the password.
    const envOut = await script('env.sh', env);
    expect(envOut.code).toBe(0);
    expect(envOut.stdout).toContain(`export SPIKE_NEXUS_API_URL=${urls.join('\\,')}\n`);
    expect(envOut.stdout).toContain(`export SPIKE_NEXUS_DATABASE_URL=postgresql://spike@/spike\\?host=${join(pgDir, 'cluster')}\n`);
    expect(envOut.stdout).toContain(`export SPIKE_NEXUS_DATABASE_PASSWORD_FILE=${passwordFile}\n`);
    expect(envOut.stdout + envOut.stderr).not.toContain(password);

    // The real spike through each replica: what one writes, the other reads.
    const socket = `unix://${join(devDir, 'sockets', 'pilot.sock')}`;
    const spike = (url: string, args: string[]) => runSpike(args, { env: { SPIFFE_ENDPOINT_SOCKET: socket, SPIKE_NEXUS_API_URL: url } });
    const [one, two] = urls as [string, string];
    expect(await spike(one, ['secret', 'put', 'apps/ha', 'v=through-one'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(two, ['secret', 'get', 'apps/ha', 'v'])).toMatchObject({ code: 0, stdout: 'through-one\n' });
    expect(await spike(two, ['secret', 'put', 'apps/ha', 'v=through-two'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(one, ['secret', 'get', 'apps/ha', 'v'])).toMatchObject({ code: 0, stdout: 'through-two\n' });
    expect(await spike(one, ['secret', 'get', 'apps/ha', 'v', '-v', '1'])).toMatchObject({ code: 0, stdout: 'through-one\n' });
    expect(await spike(two, ['secret', 'list'])).toMatchObject({ code: 0, stdout: '- apps/ha\n' });
    // Nothing of the value in the database's rows in clear.
    const dump = new pg.Client({ host: join(pgDir, 'cluster'), port: 5432, user: 'spike', database: 'spike', password });
    await dump.connect();
    try {
      const rows = (await dump.query<{ t: string }>("SELECT string_agg(encode(encrypted_data, 'escape'), '') AS t FROM secrets")).rows[0]?.t ?? '';
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).not.toContain('through-');
    } finally {
      await dump.end();
    }

    // The Pilot with the list from hack/env.sh: replica 1 killed, it goes on through replica 2.
    const list = urls.join(',');
    expect(await script('stop.sh', env, ['--kill', 'nexus'])).toMatchObject({ code: 0, stdout: 'nexus: stopped (KILL)\n' });
    expect(await spike(list, ['secret', 'put', 'apps/ha', 'v=while-one-is-down'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(list, ['secret', 'get', 'apps/ha', 'v'])).toMatchObject({ code: 0, stdout: 'while-one-is-down\n' });
    // hack/start.sh brings replica 1 back (it rebuilds its key from the Keepers) and it reads that write.
    const again = await script('start.sh', env);
    expect(again.stdout).toContain('nexus-2: already running');
    expect(again.code).toBe(0);
    expect(await spike(one, ['secret', 'get', 'apps/ha', 'v'])).toMatchObject({ code: 0, stdout: 'while-one-is-down\n' });

    // hack/stop.sh: every process of the stack and the cluster's postmaster are gone.
    const pidOf = (name: string): number => Number(readFileSync(join(devDir, 'pids', `${name}.pid`), 'utf8').trim());
    const names = ['agent', 'keeper-1', 'keeper-2', 'keeper-3', 'nexus', 'nexus-2'];
    const pids = names.map(pidOf);
    const postmasterPidFile = join(pgDir, 'cluster', 'data', 'postmaster.pid');
    const postmaster = Number(readFileSync(postmasterPidFile, 'utf8').split('\n')[0]);
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(true);
    const stop = await script('stop.sh', env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('nexus-2: stopped (TERM)\n');
    expect(stop.stdout).toContain('postgres: stopped (fast)\n');
    // The database goes after the last Nexus, the agent last.
    const order = stop.stdout.split('\n').map((l) => l.split(':')[0]);
    expect(order.indexOf('postgres')).toBeGreaterThan(order.indexOf('nexus-2'));
    expect(order.indexOf('agent')).toBe(order.length - 2);
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(false);
    expect(existsSync(postmasterPidFile)).toBe(false);
    // The database password in no log (the stack's, Bootstrap's, the cluster's).
    const logs = [...readdirSync(join(devDir, 'logs')).map((f) => join(devDir, 'logs', f)), join(pgDir, 'cluster', 'postgres.log')];
    expect(logs.length).toBeGreaterThan(7);
    for (const f of logs) expect(readFileSync(f, 'utf8')).not.toContain(password);
  });

  it('refuses replicas on SQLite, a missing PostgreSQL and a backend switch, before starting anything', { timeout: 60_000 }, async () => {
    const tmp = tempDir();
    const env = stackEnv(tmp, { nexus: 1, keepers: [2, 3, 4] });
    const sqlite = await script('start.sh', { ...env, SPIKE_NEXUS_BACKEND_STORE: 'sqlite' });
    expect(sqlite).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Error: SPIKE_NEXUS_REPLICAS=2 needs SPIKE_NEXUS_BACKEND_STORE=postgres: replicas share one database, and a sqlite store belongs to one Nexus\n',
    });
    const bad = await script('start.sh', { ...env, SPIKE_NEXUS_REPLICAS: '0' });
    expect(bad).toMatchObject({ code: 1, stderr: "Error: SPIKE_NEXUS_REPLICAS must be a whole number from 1 (got '0')\n" });

    // No initdb on PATH nor under the search root.
    const missing = await script('start.sh', { ...env, PATH: '/usr/bin:/bin', SPIKE_PG_SEARCH_ROOT: join(tmp, 'none') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('PostgreSQL is not installed');
    expect(missing.stderr).toContain('apt-get install postgresql');

    // A dev dir that ran on SQLite is not started on PostgreSQL (Bootstrap would re-key the Keepers).
    mkdirSync(join(tmp, 'dev'), { recursive: true, mode: 0o700 });
    writeFileSync(join(tmp, 'dev', 'stack.conf'), 'backend=sqlite\nreplicas=1\n');
    const sw = await script('start.sh', env);
    expect(sw.code).toBe(1);
    expect(sw.stderr).toContain(`Error: this stack (${join(tmp, 'dev')}) runs on SPIKE_NEXUS_BACKEND_STORE=sqlite; starting it on postgres would bootstrap a new store`);
    expect(existsSync(join(tmp, 'dev', 'logs'))).toBe(false);
    expect(existsSync(join(tmp, 'dev', 'postgres'))).toBe(false);
  });
});
