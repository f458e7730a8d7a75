// A private PostgreSQL cluster for tests: initdb into a fresh temp dir, a
// server listening on a unix socket in that dir only (listen_addresses='',
// no TCP), fsync on. With { tls: true } it also listens on 127.0.0.1 (an
// ephemeral port), where pg_hba accepts TLS connections only, with a server
// certificate for DNS:localhost from a throwaway CA (openssl). Each call gets its own dir, so test files running in
// parallel never share a cluster. Readiness is waited for by connecting (a
// loop on a condition, no fixed sleep). When PostgreSQL is not installed the
// start fails with a message saying what to install: tests never skip.
//
// Run as root (CI, this machine), initdb and postgres run as the `postgres`
// OS user (Debian's package creates it) through setpriv; the temp dir is
// handed to that user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';

/** The role tests connect as with password authentication (scram-sha-256). */
export const PASSWORD_ROLE = 'spike_pw';

export interface PostgresCluster {
  /** The cluster's temp dir (data dir, socket, log). */
  readonly dir: string;
  /** Directory holding the server's unix socket. */
  readonly socketDir: string;
  /** URL of the test database `spike` for the role `spike` (trust: no password). */
  readonly url: string;
  /** The database `spike` for PASSWORD_ROLE, which must give `password`. */
  readonly passwordUrl: string;
  readonly password: string;
  /** A URL as `url` to database `name` that does not exist. */
  urlFor(database: string, user?: string): string;
  /** Creates a fresh, empty database owned by `spike` and returns its URL. */
  createDatabase(): Promise<string>;
  /** The server's port (the socket file's name is .s.PGSQL.<port>). */
  readonly port: number;
  /** With `tls`: TCP on 127.0.0.1 only, TLS required there; the server certificate names DNS:localhost only. */
  readonly tls?: {
    /** PEM file of the CA that signed the server certificate. */
    readonly caFile: string;
    /** postgres://spike@localhost:<port>/spike (add sslmode and sslrootcert). */
    readonly url: string;
  };
  /** A connected client as the superuser `postgres`, database `postgres` (the caller ends it). */
  adminClient(): Promise<pg.Client>;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stops the server (fast shutdown) and waits for it to exit; the data dir stays (resume() starts it again). */
  pause(): Promise<void>;
  /** Starts the paused server again on the same socket and port; resolves once it accepts connections. */
  resume(): Promise<void>;
  /** Stops the server (fast shutdown), waits for it to exit, removes the dir. Idempotent. */
  stop(): Promise<void>;
}

const NOT_INSTALLED =
  "PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin): install Debian's `postgresql` package (apt-get install postgresql); .ci/run does so";

/** The directory holding initdb and postgres: on PATH, else the newest under `root` (Debian's layout). */
export function postgresBinDir(pathEnv = process.env['PATH'] ?? '', root = '/usr/lib/postgresql'): string {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
    }
  }
  throw new Error(NOT_INSTALLED);
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /** Prefix for commands (setpriv …) or none. */
  readonly prefix: readonly string[];
}

/** As root: the `postgres` user (initdb and postgres refuse root); otherwise ourselves. */
function runAs(): RunAs {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? -1, prefix: [] };
  const id = (flag: string): number => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('running as root, but there is no `postgres` OS user to run PostgreSQL as (Debian\'s postgresql package creates it)');
    return Number(r.stdout.trim());
  };
  const pgUid = id('-u');
  const pgGid = id('-g');
  return { uid: pgUid, gid: pgGid, prefix: ['setpriv', `--reuid=${pgUid}`, `--regid=${pgGid}`, '--init-groups', '--'] };
}

function runChecked(who: RunAs, argv: readonly string[], what: string): void {
  const all = [...who.prefix, ...argv];
  const r = spawnSync(all[0] as string, all.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error !== undefined) throw new Error(`${what} failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${String(r.status)}): ${(r.stderr || r.stdout).trim()}`);
}

function urlOf(socketDir: string, port: number, user: string, database: string): string {
  const portParam = port === 5432 ? '' : `&port=${port}`;
  return `postgresql://${encodeURIComponent(user)}@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}${portParam}`;
}

/** A CA and a server certificate for DNS:localhost (ECDSA P-256, openssl), the key readable by the server only. */
function makeServerTls(dir: string, who: RunAs): { caFile: string; certFile: string; keyFile: string } {
  const run = (args: string[]): void => {
    const r = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir });
    if (r.error !== undefined || r.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${r.error?.message ?? r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=spike-ts test PostgreSQL CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  const keyFile = join(dir, 'server.key');
  chmodSync(keyFile, 0o600);
  if ((process.getuid?.() ?? -1) === 0) {
    chownSync(keyFile, who.uid, who.gid);
    chownSync(join(dir, 'server.pem'), who.uid, who.gid);
  }
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile };
}

async function connectWhenReady(server: ChildProcess, socketDir: string, port: number, logFile: string): Promise<pg.Client> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  server.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`postgres exited during start-up:\n${safeRead(logFile)}`);
    const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      // "the database system is starting up" arrives as a connect error; a connection means ready.
      return client;
    } catch (e) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s:\n${safeRead(logFile)}`, { cause: e });
      // Poll the condition again shortly (the socket appears once the server listens).
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a private cluster: superuser `postgres` (trust over the socket), role
 * `spike` (trust) owning database `spike`, role PASSWORD_ROLE (scram-sha-256)
 * allowed into `spike`. Databases are created with an ICU en-US collation when
 * the server has ICU, so code that relies on the default collation for byte
 * order is caught.
 */
export async function startPostgres(opts: { readonly tls?: boolean } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const who = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'spike-pg-'));
  let server: ChildProcess | undefined;
  let stopped = false;
  const onExit = (): void => {
    // The test process ends without stop(): do not leave a server or files behind.
    if (server !== undefined && server.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    if (who.uid >= 0 && (process.getuid?.() ?? -1) === 0) chownSync(dir, who.uid, who.gid);
    const data = join(dir, 'data');
    const socketDir = dir;
    const logFile = join(dir, 'postgres.log');
    runChecked(
      who,
      [join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      'initdb',
    );
    // First match wins: the password role, then trust on the socket; over TCP (tls only) TLS or nothing.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      [
        `local all ${PASSWORD_ROLE} scram-sha-256`,
        'local all all trust',
        'hostssl all all 127.0.0.1/32 trust',
        'hostnossl all all 127.0.0.1/32 reject',
        '',
      ].join('\n'),
    );
    const port = opts.tls === true ? await freePort() : 5432;
    const tls = opts.tls === true ? makeServerTls(dir, who) : undefined;
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        tls === undefined ? "listen_addresses = ''" : "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        ...(tls === undefined ? [] : ['ssl = on', `ssl_cert_file = '${tls.certFile}'`, `ssl_key_file = '${tls.keyFile}'`]),
        `unix_socket_directories = '${socketDir}'`,
        'fsync = on',
        'max_connections = 100',
        'shared_buffers = 16MB',
        "password_encryption = 'scram-sha-256'",
        '',
      ].join('\n'),
    );
    const argv = [...who.prefix, join(bin, 'postgres'), '-D', data];
    const spawnServer = (): ChildProcess => {
      // The log goes to a file in the cluster dir (stderr of the server, appended by us).
      const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      child.stderr?.on('data', (chunk: Buffer) => {
        try {
          appendFileSync(logFile, chunk);
        } catch {
          // The dir is gone (stop): nothing to keep.
        }
      });
      return child;
    };
    /** Fast shutdown of the running server; resolves once it exited. */
    const shutdown = async (child: ChildProcess): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT'); // fast shutdown
      const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(forced);
    };
    server = spawnServer();
    const admin = await connectWhenReady(server, socketDir, port, logFile);
    const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
    let icu = false;
    try {
      await admin.query('CREATE ROLE spike LOGIN');
      await admin.query(`CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD '${password}'`);
      icu = (await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_collation WHERE collprovider = 'i'")).rows[0]?.n !== '0';
      await admin.query(createDatabaseSql('spike', icu));
      // Member of the owner: may create the schema as `spike` would.
      await admin.query(`GRANT spike TO ${PASSWORD_ROLE}`);
    } finally {
      await admin.end();
    }
    let counter = 0;
    let running = server;
    const cluster: PostgresCluster = {
      dir,
      socketDir,
      port,
      url: urlOf(socketDir, port, 'spike', 'spike'),
      passwordUrl: urlOf(socketDir, port, PASSWORD_ROLE, 'spike'),
      password,
      ...(tls === undefined ? {} : { tls: { caFile: tls.caFile, url: `postgres://spike@localhost:${port}/spike` } }),
      urlFor: (database, user = 'spike') => urlOf(socketDir, port, user, database),
      async adminClient() {
        const c = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
        await c.connect();
        return c;
      },
      async createDatabase() {
        const name = `t${process.pid}_${++counter}`;
        const c = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
        await c.connect();
        try {
          await c.query(createDatabaseSql(name, icu));
        } finally {
          await c.end();
        }
        return urlOf(socketDir, port, 'spike', name);
      },
      log: () => safeRead(logFile),
      async pause() {
        if (stopped) throw new Error('the cluster was stopped');
        await shutdown(running);
      },
      async resume() {
        if (stopped) throw new Error('the cluster was stopped');
        if (running.exitCode === null && running.signalCode === null) return;
        running = spawnServer();
        server = running;
        await (await connectWhenReady(running, socketDir, port, logFile)).end();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await shutdown(running);
        process.removeListener('exit', onExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (e) {
    onExit();
    process.removeListener('exit', onExit);
    throw e;
  }
}

function createDatabaseSql(name: string, icu: boolean): string {
  return icu
    ? `CREATE DATABASE ${name} OWNER spike TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`
    : `CREATE DATABASE ${name} OWNER spike TEMPLATE template0 ENCODING 'UTF8'`;
}

/**
 * For a test file's top level: a private cluster (startPostgres()) started in
 * beforeAll and stopped in afterAll. Returns the cluster's getter, which throws
 * before beforeAll started it.
 */
export function usePostgres(): () => PostgresCluster {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('no PostgreSQL cluster: usePostgres() starts it in beforeAll');
    return cluster;
  };
}
