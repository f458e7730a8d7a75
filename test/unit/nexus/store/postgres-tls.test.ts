// TLS to PostgreSQL, end to end: a private cluster listening on 127.0.0.1
// (TLS required there: hostnossl connections are rejected) with a server
// certificate for DNS:localhost signed by a test CA (openssl). Each sslmode
// does what libpq's does; failures are one line with reason 'tls' or 'auth'.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConnectError } from '../../../../src/nexus/store/postgres/connection.js';
import { connectPostgres } from '../../../../src/nexus/store/postgres/database.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';

let cluster: PostgresCluster;
let tls: NonNullable<PostgresCluster['tls']>;
let otherCa: string;
let scratch: string;
beforeAll(async () => {
  cluster = await startPostgres({ tls: true });
  if (cluster.tls === undefined) throw new Error('no TLS cluster');
  tls = cluster.tls;
  // A CA that signed nothing of the server's.
  scratch = mkdtempSync(join(tmpdir(), 'spike-pg-ca-'));
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=another CA'],
    { cwd: scratch, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  otherCa = join(scratch, 'ca.pem');
});
afterAll(async () => {
  await cluster?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

async function sslInUse(url: string): Promise<boolean> {
  const db = await connectPostgres({ url });
  try {
    const r = await db.pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return r.rows[0]?.ssl === true;
  } finally {
    await db.close();
  }
}

async function failure(url: string): Promise<PostgresConnectError> {
  const e = await connectPostgres({ url }).then(
    async (db) => {
      await db.close();
      return new Error('connected');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PostgresConnectError);
  expect((e as Error).message).not.toContain('\n');
  return e as PostgresConnectError;
}

const at = (host: string): string => tls.url.replace('@localhost:', `@${host}:`);
const ca = (file: string): string => `sslrootcert=${encodeURIComponent(file)}`;

describe('TLS to PostgreSQL', () => {
  it('verify-full with the CA that signed the server certificate: an encrypted connection', async () => {
    expect(await sslInUse(`${tls.url}?sslmode=verify-full&${ca(tls.caFile)}`)).toBe(true);
  });

  it('verify-full with another CA fails: reason tls, one line naming the target', async () => {
    const e = await failure(`${tls.url}?sslmode=verify-full&${ca(otherCa)}`);
    expect(e.reason).toBe('tls');
    expect(e.message).toMatch(new RegExp(`^TLS to PostgreSQL at spike@localhost:${cluster.port}/spike failed \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\)`));
  });

  it('verify-full by an address the certificate does not name fails; verify-ca (no host check) connects', async () => {
    const e = await failure(`${at('127.0.0.1')}?sslmode=verify-full&${ca(tls.caFile)}`);
    expect(e.reason).toBe('tls');
    expect(e.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(await sslInUse(`${at('127.0.0.1')}?sslmode=verify-ca&${ca(tls.caFile)}`)).toBe(true);
  });

  it('require: encrypted without verifying the server (as libpq without a root certificate); with one, it verifies', async () => {
    expect(await sslInUse(`${tls.url}?sslmode=require`)).toBe(true);
    const e = await failure(`${tls.url}?sslmode=require&${ca(otherCa)}`);
    expect(e.reason).toBe('tls');
  });

  it('sslmode=disable (the default) against a server that requires TLS: refused by pg_hba, in one line', async () => {
    const e = await failure(tls.url);
    expect(e.reason).toBe('auth');
    expect(e.message).toMatch(/^PostgreSQL refused the connection to spike@localhost:\d+\/spike: .*no encryption/);
  });

  it('an unreadable or garbage CA file is a clear tls error', async () => {
    const garbage = join(scratch, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const e = await failure(`${tls.url}?sslmode=verify-full&${ca(join(scratch, 'missing.pem'))}`);
    expect(e.message).toMatch(/^cannot read the sslrootcert file .*missing\.pem \(ENOENT\)$/);
    const e2 = await failure(`${tls.url}?sslmode=verify-full&${ca(garbage)}`);
    expect(e2.reason).toBe('tls');
  });
});
