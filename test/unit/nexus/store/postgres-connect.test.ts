// connectPostgres against a real private PostgreSQL cluster: the one-line
// errors (bad URL, wrong or missing password, unreachable server, missing
// database) never holding the password, and the schema migrations applied
// exactly once when several replicas connect at the same time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectError, poolSettings } from '../../../../src/nexus/store/postgres/connection.js';
import { connectPostgres, type PostgresDatabase } from '../../../../src/nexus/store/postgres/database.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from '../../../../src/nexus/store/postgres/schema.js';
import { postgresBinDir, startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

async function connectError(cfg: Parameters<typeof connectPostgres>[0]): Promise<PostgresConnectError> {
  try {
    const db = await connectPostgres(cfg);
    await db.close();
  } catch (e) {
    expect(e).toBeInstanceOf(PostgresConnectError);
    return e as PostgresConnectError;
  }
  throw new Error('connectPostgres succeeded');
}

function oneLine(e: Error): void {
  expect(e.message).not.toContain('\n');
}

describe('connectPostgres errors', () => {
  it.each([
    ['not a URL', 'nonsense', /not a valid URL/],
    ['another scheme', 'mysql://u@h/db', /scheme must be postgres:\/\/ or postgresql:\/\//],
    ['no user', 'postgres://h:5432/db', /no user name/],
    ['no database', 'postgres://u@h:5432/', /no database name/],
    ['a bad port', 'postgres://u@h:99999/db', /not a valid URL|port/],
    ['an unknown parameter', 'postgres://u@h/db?sslmod=require', /unknown parameter "sslmod"/],
    ['an unsupported sslmode', 'postgres://u@h/db?sslmode=prefer', /sslmode=prefer is not supported/],
    ['verify-ca without a CA', 'postgres://u@h/db?sslmode=verify-ca', /verify-ca needs sslrootcert/],
  ])('a bad URL (%s) is refused before any connection, in one line', async (_what, url, message) => {
    const e = await connectError({ url });
    expect(e.reason).toBe('bad_url');
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(message);
    oneLine(e);
  });

  it('a password in the URL never shows in an error', async () => {
    const e = await connectError({ url: 'postgres://u:hunter2-secret@h/db?sslmod=x' });
    expect(e.message).not.toContain('hunter2');
    const e2 = await connectError({ url: 'postgres://u:hunter2-secret@h:0x/db' });
    expect(e2.message).not.toContain('hunter2');
  });

  it('a wrong password: one line naming user, host and database, not the password', async () => {
    const e = await connectError({ url: cluster.passwordUrl, password: 'wrong-password-xyz' });
    expect(e.reason).toBe('auth');
    expect(e.message).toMatch(/PostgreSQL refused the password for spike_pw@\/spike/);
    expect(e.message).not.toContain('wrong-password-xyz');
    expect(e.message).not.toContain(cluster.password);
    oneLine(e);
  });

  it('the right password (given apart from the URL) connects', async () => {
    const db = await connectPostgres({ url: cluster.passwordUrl, password: cluster.password });
    expect((await db.pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u).toBe('spike_pw');
    await db.close();
  });

  it('no password where one is needed says so', async () => {
    const e = await connectError({ url: cluster.passwordUrl });
    expect(e.reason).toBe('auth');
    expect(e.message).toMatch(/asks for a password .* none was given/);
    oneLine(e);
  });

  it('an unreachable server (no socket there) is "cannot reach"', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'spike-nosock-'));
    try {
      const e = await connectError({ url: `postgresql://spike@/spike?host=${encodeURIComponent(empty)}` });
      expect(e.reason).toBe('unreachable');
      expect(e.message).toMatch(/^cannot reach PostgreSQL at spike@\/spike \(socket in .*\) \(ENOENT\)$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('an unreachable TCP port is "cannot reach" (ECONNREFUSED)', async () => {
    // Port 1 on loopback: nothing listens there without root privileges being used for it.
    const e = await connectError({ url: 'postgres://spike:pw-never-shown@127.0.0.1:1/spike', connectTimeoutMs: 5000 });
    expect(e.reason).toBe('unreachable');
    expect(e.message).toBe('cannot reach PostgreSQL at spike@127.0.0.1:1/spike (ECONNREFUSED)');
  });

  it('a missing database is named as missing', async () => {
    const e = await connectError({ url: cluster.urlFor('no_such_db') });
    expect(e.reason).toBe('no_database');
    expect(e.message).toBe('the database of spike@/no_such_db (socket in ' + cluster.socketDir + ') does not exist (create it first)');
  });

  it('TLS settings: sslmode and files are read as libpq does', () => {
    expect(poolSettings({ url: 'postgres://u@db.example:6543/x' }).pool).toMatchObject({ host: 'db.example', port: 6543, user: 'u', database: 'x', ssl: false });
    expect(poolSettings({ url: 'postgres://u@db.example/x?sslmode=require' }).pool.ssl).toEqual({ rejectUnauthorized: false });
    expect(poolSettings({ url: 'postgres://u@db.example/x?sslmode=verify-full' }).pool.ssl).toMatchObject({ rejectUnauthorized: true, servername: 'db.example' });
    expect(() => poolSettings({ url: 'postgres://u@db.example/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem' })).toThrow(
      /cannot read the sslrootcert file \/nonexistent\/ca.pem \(ENOENT\)/,
    );
    expect(poolSettings({ url: 'postgres://u:p%40ss@h/x', password: 'from-file' }).pool.password).toBe('from-file');
    expect(poolSettings({ url: 'postgres://u:p%40ss@h/x' }).pool.password).toBe('p@ss');
    expect(poolSettings({ url: 'postgresql://u@/x?host=%2Frun%2Fpg' }).pool).toMatchObject({ host: '/run/pg', database: 'x' });
  });
});

describe('the test cluster helper', () => {
  it('finds Debian\'s /usr/lib/postgresql/<version>/bin without PATH, and fails (never skips) with what to install when there is none', () => {
    expect(postgresBinDir('', '/usr/lib/postgresql')).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
    const empty = mkdtempSync(join(tmpdir(), 'spike-nopg-'));
    try {
      expect(() => postgresBinDir(empty, join(empty, 'none'))).toThrow(/PostgreSQL is not installed .* install Debian's `postgresql` package/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('schema migrations', () => {
  it('several replicas connecting at once: each migration applied exactly once', async () => {
    const url = await cluster.createDatabase();
    const dbs: PostgresDatabase[] = await Promise.all(Array.from({ length: 6 }, () => connectPostgres({ url, maxConnections: 2 })));
    try {
      const applied = dbs.map((d) => d.appliedMigrations);
      // Exactly one of them applied everything; the others found it done.
      expect(applied.filter((a) => a.length > 0)).toEqual([MIGRATIONS.map((m) => m.version)]);
      expect(dbs.every((d) => d.schemaVersion === MIGRATIONS.length)).toBe(true);
      const rows = (await dbs[0]!.pool.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`)).rows;
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
    // And a later start applies nothing.
    const again = await connectPostgres({ url });
    expect(again.appliedMigrations).toEqual([]);
    await again.close();
  });

  it('a database migrated by a newer Nexus is refused with a clear error', async () => {
    const url = await cluster.createDatabase();
    await (await connectPostgres({ url })).close();
    const c = new pg.Client({ host: cluster.socketDir, user: 'spike', database: new URL(url.replace('@/', '@x/')).pathname.slice(1) });
    await c.connect();
    await c.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, 'from the future')`, [MIGRATIONS.length + 1]);
    await c.end();
    const e = await connectError({ url });
    expect(e.reason).toBe('schema');
    expect(e.message).toMatch(new RegExp(`schema is at version ${MIGRATIONS.length + 1}, newer than this Nexus knows \\(${MIGRATIONS.length}\\): upgrade Nexus`));
  });
});
