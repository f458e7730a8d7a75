// SPIKE_NEXUS_BACKEND_STORE=postgres: SPIKE_NEXUS_DATABASE_URL and
// SPIKE_NEXUS_DATABASE_PASSWORD_FILE (src/nexus/database-config.ts), and Nexus
// refusing to start with a backend this build does not have yet.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { loadDatabaseConfig, MAX_PASSWORD_FILE_BYTES, redactDatabaseUrl } from '../../../src/nexus/database-config.js';
import { connectGate, startNexus } from '../../../src/nexus/nexus.js';
import { ConfigError, type Env } from '../../../src/protocol/config/env.js';
import type { X509Source } from '../../../src/spiffe/workloadapi.js';
import { captureLogger } from './fixtures.js';

const PEERS = 'https://localhost:8443,https://localhost:8543,https://localhost:8643';
const SECRET = 'Zq9xW7-s3cr3t';
const dir = mkdtempSync('/tmp/dbcfg-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `pw-${files++}`);
  writeFileSync(p, content);
  return p;
}

/** The ConfigError `fn` throws (fails the test when it throws none or another error). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError thrown');
}

const urlEnv = (url: string, extra: Env = {}): Env => ({ SPIKE_NEXUS_DATABASE_URL: url, ...extra });

describe('SPIKE_NEXUS_DATABASE_URL', () => {
  it('a URL with a password: the config keeps the URL without it and the password apart (percent-decoded)', () => {
    const c = loadDatabaseConfig(urlEnv('postgres://spike:p%40ss%2Fw0rd@db.example:5433/spike?sslmode=verify-full&sslrootcert=/etc/ca.pem'));
    expect(c.url).toBe('postgres://spike@db.example:5433/spike?sslmode=verify-full&sslrootcert=/etc/ca.pem');
    expect(c.password).toBe('p@ss/w0rd');
    expect(c.passwordFrom).toBe('url');
  });

  it('accepts postgresql://, a unix socket directory, and no password at all', () => {
    const c = loadDatabaseConfig(urlEnv('postgresql://spike@/spike?host=/run/postgresql'));
    expect(c).toEqual({ url: 'postgresql://spike@/spike?host=/run/postgresql', passwordFrom: 'none' });
    expect(c.password).toBeUndefined();
    expect(loadDatabaseConfig(urlEnv('POSTGRES://db/spike')).url).toBe('POSTGRES://db/spike');
  });

  it('the password is in neither the JSON nor the inspected form of the config', () => {
    const c = loadNexusConfig({ SPIKE_NEXUS_BACKEND_STORE: 'postgres', SPIKE_NEXUS_KEEPER_PEERS: PEERS, HOME: '/h', ...urlEnv(`postgres://spike:${SECRET}@db/spike`) });
    expect(c.backend).toBe('postgres');
    expect(c.database?.password).toBe(SECRET);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(inspect(c, { depth: 10 })).not.toContain(SECRET);
    expect(JSON.stringify(c.database)).toBe('{"url":"postgres://spike@db/spike","passwordFrom":"url"}');
  });

  it('is read only for the postgres backend', () => {
    const c = loadNexusConfig({ SPIKE_NEXUS_KEEPER_PEERS: PEERS, HOME: '/h', SPIKE_NEXUS_DATABASE_URL: 'mysql://nonsense' });
    expect(c.backend).toBe('sqlite');
    expect(c.database).toBeUndefined();
  });

  it.each([
    ['missing', {}, /^SPIKE_NEXUS_DATABASE_URL: must be set for the postgres backend/],
    ['blank', urlEnv('   '), /^SPIKE_NEXUS_DATABASE_URL: must be set/],
    ['another scheme', urlEnv(`mysql://spike:${SECRET}@db/spike`), /must start with postgres:\/\/ or postgresql:\/\/ \(mysql:\/\/spike:\*\*\*@db\/spike\)/],
    ['no scheme at all', urlEnv(`spike:${SECRET}@db/spike`), /must start with postgres:\/\/ or postgresql:\/\/ \(\(not shown: not a URL\)\)/],
    ['a port that is not a number', urlEnv(`postgres://spike:${SECRET}@db:fivefour/spike`), /not a valid URL \(postgres:\/\/spike:\*\*\*@db:fivefour\/spike\)/],
    ['an unencoded / in the password', urlEnv(`postgres://spike:${SECRET.slice(0, 5)}/${SECRET.slice(5)}@db/spike`), /not a valid URL \(postgres:\/\/spike:\*\*\*@db\/spike\)/],
    ['bad percent-encoding in the password', urlEnv(`postgres://spike:%ZZ${SECRET}@db/spike`), /the password in the URL is not valid percent-encoding \(postgres:\/\/spike:\*\*\*@db\/spike\)/],
    ['no host', urlEnv(`postgresql://spike:${SECRET}@/spike`), /no host \(postgresql:\/\/spike:\*\*\*@\/spike\): give host:port, or \?host=\/socket\/dir/],
    ['bad percent-encoding in the database name', urlEnv('postgres://spike@db/sp%ZZike'), /not valid percent-encoding/],
  ])('%s: a one-line ConfigError that never shows the password', (_name, env, re) => {
    const e = configError(() => loadDatabaseConfig(env));
    expect(e.variable).toBe('SPIKE_NEXUS_DATABASE_URL');
    expect(e.message).toMatch(re);
    expect(e.message).not.toContain('\n');
    for (const part of [SECRET, SECRET.slice(0, 5), SECRET.slice(5)]) expect(e.message).not.toContain(part);
  });

  it('redaction hides everything from the user name to the last @, even for URLs it cannot parse', () => {
    expect(redactDatabaseUrl('postgres://u:a@b/c?d#e@host:1/db')).toBe('postgres://u:***@host:1/db');
    expect(redactDatabaseUrl('postgres://u@host/db')).toBe('postgres://u@host/db');
    expect(redactDatabaseUrl('postgres://host:5432/db')).toBe('postgres://host:5432/db');
    expect(redactDatabaseUrl('u:pw@host')).toBe('(not shown: not a URL)');
  });

  it('line breaks, controls and bidi characters in the URL are shown escaped (one line as it reads)', () => {
    const e = configError(() => loadDatabaseConfig(urlEnv(`mysql://spike:${SECRET}@db/x\ny\u2028z\u0085\u202e`)));
    expect(e.message).toBe(String.raw`SPIKE_NEXUS_DATABASE_URL: must start with postgres:// or postgresql:// (mysql://spike:***@db/x\ny\u2028z\u0085\u202e)`);
    expect(redactDatabaseUrl('postgres://db/a\tb')).toBe(String.raw`postgres://db/a\tb`);
  });
});

describe('SPIKE_NEXUS_DATABASE_PASSWORD_FILE', () => {
  const url = 'postgres://spike@db/spike';

  it('reads the password once, dropping the trailing line break (\\n or \\r\\n)', () => {
    expect(loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file(`${SECRET}\n`) }))).toMatchObject({ url, password: SECRET, passwordFrom: 'file' });
    expect(loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file(`${SECRET}\r\n`) })).password).toBe(SECRET);
    expect(loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file(` ${SECRET} `) })).password).toBe(` ${SECRET} `);
  });

  it('wins over a password in the URL (which is still removed from the URL)', () => {
    const c = loadDatabaseConfig(urlEnv('postgres://spike:from-url@db/spike', { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file(SECRET) }));
    expect(c).toMatchObject({ url: 'postgres://spike@db/spike', password: SECRET, passwordFrom: 'file' });
  });

  it('accepts a file of exactly the size limit', () => {
    expect(loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: file('x'.repeat(MAX_PASSWORD_FILE_BYTES)) })).password).toHaveLength(MAX_PASSWORD_FILE_BYTES);
  });

  const subdir = join(dir, 'a-directory');
  mkdirSync(subdir, { recursive: true });
  it.each([
    ['a missing file', () => join(dir, 'no-such-file'), /: cannot read it \(no such file\)$/],
    ['a directory', () => subdir, /: cannot read it \(is a directory\)$/],
    ['an empty file', () => file(''), /: is empty$/],
    ['a file holding only a line break', () => file('\n'), /: is empty$/],
    ['two lines', () => file(`${SECRET}\nsecond\n`), /: holds more than one line$/],
    ['a NUL character', () => file(`${SECRET}\0`), /: holds a NUL character$/],
    ['a file longer than the limit', () => file('x'.repeat(MAX_PASSWORD_FILE_BYTES + 1)), new RegExp(`: longer than ${MAX_PASSWORD_FILE_BYTES} bytes: not a password file$`)],
    ['a device that never ends', () => '/dev/zero', /: longer than \d+ bytes/],
    ['bytes that are not UTF-8', () => file(Buffer.from([0x73, 0xff, 0xfe, 0x0a])), /: not UTF-8 text$/],
  ])('%s: a one-line ConfigError naming the file, never its content', (_name, path, re) => {
    const p = path();
    const e = configError(() => loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: p })));
    expect(e.variable).toBe('SPIKE_NEXUS_DATABASE_PASSWORD_FILE');
    expect(e.message.startsWith(`SPIKE_NEXUS_DATABASE_PASSWORD_FILE: ${p}: `)).toBe(true);
    expect(e.message).toMatch(re);
    expect(e.message).not.toContain('\n');
    expect(e.message).not.toContain(SECRET);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file (mode 000): permission denied', () => {
    const p = file(SECRET);
    chmodSync(p, 0o000);
    const e = configError(() => loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: p })));
    expect(e.message).toMatch(/: cannot read it \(permission denied\)$/);
  });

  it('a path with a line break or a line separator is shown escaped', () => {
    const e = configError(() => loadDatabaseConfig(urlEnv(url, { SPIKE_NEXUS_DATABASE_PASSWORD_FILE: join(dir, 'no\nsuch\u2028file') })));
    expect(e.message).toBe(String.raw`SPIKE_NEXUS_DATABASE_PASSWORD_FILE: ${dir}/no\nsuch\u2028file: cannot read it (no such file)`);
  });
});

describe('the postgres backend at start', () => {
  const env: Env = {
    SPIKE_NEXUS_BACKEND_STORE: 'postgres',
    SPIKE_NEXUS_KEEPER_PEERS: PEERS,
    HOME: '/h',
    SPIKE_NEXUS_DATABASE_URL: `postgres://spike:${SECRET}@db/spike?sslmode=prefer`,
  };
  const refusal = 'SPIKE_NEXUS_DATABASE_URL: sslmode=prefer is not supported (use disable, require, verify-ca, verify-full)';

  it('a URL the store refuses stops the start with one line, before Nexus touches anything else', async () => {
    const config = loadNexusConfig(env);
    const { log, lines } = captureLogger();
    await expect(connectGate(config, undefined, log)).rejects.toThrow(refusal);
    // A source Nexus never gets to use: any access would throw another error.
    const source = new Proxy({}, { get: () => { throw new Error('the SVID source was used'); } }) as X509Source;
    const e = await startNexus(config, source, log).catch((x: unknown) => x);
    expect((e as Error).message).toBe(refusal);
    expect(lines).toEqual([]);
  });
});
