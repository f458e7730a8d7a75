// `spike-nexus store copy` from dist/ (npm run build first): a SQLite store
// written by the real store API goes to PostgreSQL (the password from
// SPIKE_NEXUS_DATABASE_PASSWORD_FILE, a scram-sha-256 role) and back; a copy
// killed half-way (SIGKILL at a failpoint) leaves the target empty and the
// same command then succeeds; a password in a URL on the command line and
// other usage errors exit 2 with one line, opening nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/nexus/store/index.js';
import { asNexusStore, type NexusStore } from '../../src/nexus/store/nexus-store.js';
import { PASSWORD_ROLE, usePostgres } from '../helpers/postgres.js';
import { minimalEnv, spawnBin } from '../helpers/proc.js';
import { tempDir, testKey } from '../unit/nexus/store/helpers.js';

const cluster = usePostgres();

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const KEY = testKey(0x42);

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function storeCopy(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const p = spawnBin(`store-copy-${Date.now()}`, 'spike-nexus', ['store', ...args], minimalEnv(extra));
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

function writeStore(dataDir: string): void {
  const s = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3 });
  for (let i = 1; i <= 4; i++) s.putSecret('app/db', { pass: `p${i}` });
  s.deleteSecretVersions('app/db', [3]);
  for (let i = 0; i < 6; i++) s.putSecret(`svc/${i}`, { token: `t${i}` });
  s.putPolicy({ name: 'web', spiffeIdPattern: '^spiffe://example.org/web$', pathPattern: '^app/.*$', permissions: ['read'] });
  s.close();
}

async function contents(s: NexusStore): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const path of await s.listSecretPaths()) {
    const md = await s.getSecretMetadata(path);
    out[path] = { md: md.metadata, versions: [...md.versions.values()], current: await s.getSecret(path) };
  }
  return { out, policies: await s.listPolicies() };
}

async function sqliteContents(dataDir: string): Promise<unknown> {
  const s = asNexusStore(openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3 }));
  try {
    return await contents(s);
  } finally {
    await s.close();
  }
}

/** Rows per table in the PostgreSQL database (as PASSWORD_ROLE, which owns the tables the copy created). */
async function pgCounts(database: string): Promise<Record<string, number>> {
  const c = new pg.Client({ host: cluster().socketDir, port: cluster().port, user: PASSWORD_ROLE, database, password: cluster().password });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of ['secret_metadata', 'secrets', 'policies', 'spike_ts_key_check', 'spike_ts_retired_key_checks', 'spike_ts_bootstrap']) {
      out[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
    }
    return out;
  } finally {
    await c.end();
  }
}

/** A fresh database, as its URL for `spike` (trust) and for PASSWORD_ROLE (no password in it). */
async function freshDatabase(): Promise<{ name: string; passwordRoleUrl: string }> {
  const url = await cluster().createDatabase();
  const name = /@\/([^?]+)/.exec(url)?.[1];
  if (name === undefined) throw new Error(`no database name in ${url}`);
  return { name, passwordRoleUrl: cluster().urlFor(name, PASSWORD_ROLE) };
}

describe('spike-nexus store copy (built binary)', () => {
  it('SQLite → PostgreSQL with the password from a file, killed half-way then run again, and back to SQLite', async () => {
    const src = join(dir(), 'data');
    writeStore(src);
    const expected = await sqliteContents(src);
    const { name, passwordRoleUrl } = await freshDatabase();
    expect(passwordRoleUrl).not.toContain(cluster().password);
    const passwordFile = join(dir(), 'pg-password');
    writeFileSync(passwordFile, `${cluster().password}\n`, { mode: 0o600 });
    const env = { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: passwordFile };

    // Without the file, PostgreSQL asks for the password: exit 1, one line.
    const noPassword = await storeCopy(['copy', '--from', `sqlite:${src}`, '--to', `postgres:${passwordRoleUrl}`]);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/^spike-nexus store copy: PostgreSQL asks for a password for spike_pw@\/\S+ \(socket in .*\) and none was given.*\n$/);

    // Killed after the 2nd batch (metadata and secrets written, not committed).
    const killed = await storeCopy(['copy', '--from', `sqlite:${src}`, '--to', `postgres:${passwordRoleUrl}`], {
      ...env,
      SPIKE_NEXUS_STORE_COPY_FAILPOINTS: 'store_copy.batch_written@2',
    });
    expect(killed.code).toBeNull();
    expect(killed.stderr).toContain('failpoint store_copy.batch_written@2: killing this process');
    expect(await pgCounts(name)).toEqual({
      secret_metadata: 0,
      secrets: 0,
      policies: 0,
      spike_ts_key_check: 0,
      spike_ts_retired_key_checks: 0,
      spike_ts_bootstrap: 0,
    });

    const ok = await storeCopy(['copy', '--from', `sqlite:${src}`, '--to', `postgres:${passwordRoleUrl}`], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`copied sqlite:${join(src, 'spike.db')} -> postgres:${PASSWORD_ROLE}@/${name} (socket in ${cluster().socketDir})`);
    expect(lines.slice(1, 6).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['secret_metadata', '7'],
      ['secrets', '9'], // app/db keeps 3 of its 4 versions (maxVersions 3), plus 6 others
      ['policies', '1'],
      ['spike_ts_key_check', '1'],
      ['spike_ts_retired_key_checks', '0'],
    ]);
    expect(lines.slice(6)).toEqual(['key check: identical', 'bootstrap marker: spike_ts_bootstrap row set']);
    expect(await pgCounts(name)).toEqual({
      secret_metadata: 7,
      secrets: 9,
      policies: 1,
      spike_ts_key_check: 1,
      spike_ts_retired_key_checks: 0,
      spike_ts_bootstrap: 1,
    });

    // The same command again: the target is not empty any more.
    const again = await storeCopy(['copy', '--from', `sqlite:${src}`, '--to', `postgres:${passwordRoleUrl}`], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^spike-nexus store copy: postgres:\S+ .* is not empty \(rows in secret_metadata, secrets, policies, spike_ts_key_check, spike_ts_bootstrap\)/);
    expect(again.stderr.split('\n')).toHaveLength(2);

    // And back into a directory that does not exist yet.
    const back = join(dir(), 'new', 'data');
    const home = await storeCopy(['copy', '--from', `postgres:${passwordRoleUrl}`, '--to', `sqlite:${back}`], env);
    expect(home.stderr).toBe('');
    expect(home.code).toBe(0);
    expect(home.stdout).toContain('key check: identical');
    expect(home.stdout).toContain(`bootstrap marker: ${join(back, 'bootstrap.json')} written`);
    expect(await sqliteContents(back)).toEqual(expected);
  });

  it('a password in a URL on the command line: exit 2, one line without the password, nothing opened', async () => {
    const target = join(dir(), 'not-created');
    const r = await storeCopy(['copy', '--from', `postgres://spike:Zq9xW7-s3cr3t@db.example/spike`, '--to', `sqlite:${target}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'spike-nexus store copy: --from: the URL holds a password, and a command line is visible to every local user: put the password in a file and set SPIKE_NEXUS_DATABASE_PASSWORD_FILE\n',
    );
    expect(r.stdout).toBe('');
    expect(existsSync(target)).toBe(false);
    const r2 = await storeCopy(['copy', '--from', `sqlite:${target}`, '--to', `postgres:postgresql://u:pw%40x@/spike?host=/tmp`]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('--to: the URL holds a password');
    expect(r2.stderr).not.toContain('pw%40x');
  });

  it('usage: --help exits 0 and documents the stores and exit codes; a missing or malformed flag exits 2', async () => {
    const help = await storeCopy(['copy', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: spike-nexus store copy [options]');
    expect(help.stdout).toContain('--from <store>');
    expect(help.stdout).toContain('SPIKE_NEXUS_DATABASE_PASSWORD_FILE');
    expect(help.stdout).toContain('Exit codes: 0 copied and verified, 1 failed (nothing copied), 2 usage error.');
    for (const args of [['copy', '--from', 'sqlite:/tmp/x'], ['copy', '--from', 'mysql://x', '--to', 'sqlite:/tmp/y'], ['nope'], []]) {
      const r = await storeCopy(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
    const badParam = await storeCopy(['copy', '--from', 'postgres:postgres://u@localhost/d?sslmod=verify-full', '--to', 'sqlite:/tmp/y']);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toBe(
      'spike-nexus store copy: postgres URL: unknown parameter "sslmod" (known: host, port, user, dbname, sslmode, sslrootcert, sslcert, sslkey, application_name, connect_timeout)\n',
    );
    expect((await storeCopy(['copy', '--from', 'mysql://x', '--to', 'sqlite:/tmp/y'])).stderr).toBe(
      'spike-nexus store copy: --from: expected sqlite:PATH or postgres:URL\n',
    );
  });
});
