// spike-nexus from dist/ (npm run build first) with SPIKE_NEXUS_BACKEND_STORE=postgres:
// a bad database setting ends it with one line on stderr that never shows the
// password; a server that cannot be reached is waited for (one line, not
// listening meanwhile); a refused password ends it with one line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../helpers/postgres.js';
import { Stack } from '../helpers/stack.js';

const SECRET = 'Zq9xW7-s3cr3t';
let stack: Stack;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3 });
  await stack.startAgent();
  await stack.startKeepers();
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

/** Runs spike-nexus with `extra` to its exit; its exit code and stderr. */
async function runNexus(extra: Record<string, string>): Promise<{ code: number | null; stderr: string; all: string }> {
  const p = stack.spawn(`nexus-${Object.keys(extra).join('-')}-${Date.now()}`, 'spike-nexus', [], stack.envFor('nexus', { SPIKE_NEXUS_BACKEND_STORE: 'postgres', ...extra }));
  const code = await p.exited;
  return { code, stderr: p.stderr(), all: p.stdout() + p.stderr() };
}

describe('spike-nexus with the postgres backend', () => {
  it('a URL with a wrong scheme: exit 1, one line, the password shown as ***', async () => {
    const r = await runNexus({ SPIKE_NEXUS_DATABASE_URL: `mysql://spike:${SECRET}@db/spike` });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('spike-nexus: SPIKE_NEXUS_DATABASE_URL: must start with postgres:// or postgresql:// (mysql://spike:***@db/spike)\n');
  });

  it('no URL: exit 1, one line', async () => {
    const r = await runNexus({});
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('spike-nexus: SPIKE_NEXUS_DATABASE_URL: must be set for the postgres backend (postgres://user@host:port/database)\n');
  });

  it('an empty password file: exit 1, one line naming the file', async () => {
    const path = join(stack.dir, 'empty-password');
    writeFileSync(path, '\n');
    const r = await runNexus({ SPIKE_NEXUS_DATABASE_URL: 'postgres://spike@127.0.0.1:1/spike', SPIKE_NEXUS_DATABASE_PASSWORD_FILE: path });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`spike-nexus: SPIKE_NEXUS_DATABASE_PASSWORD_FILE: ${path}: is empty\n`);
  });

  it('valid settings, server unreachable: one line, retries without listening, the password nowhere; SIGTERM ends it', async () => {
    const path = join(stack.dir, 'password');
    writeFileSync(path, `${SECRET}\n`, { mode: 0o600 });
    const p = stack.spawn(
      'nexus-unreachable',
      'spike-nexus',
      [],
      stack.envFor('nexus', {
        SPIKE_NEXUS_BACKEND_STORE: 'postgres',
        SPIKE_NEXUS_DATABASE_URL: `postgres://spike:url-${SECRET}@127.0.0.1:1/spike?sslmode=disable`,
        SPIKE_NEXUS_DATABASE_PASSWORD_FILE: path,
      }),
    );
    const line = await p.waitForEvent('database_unreachable');
    expect(line).toMatchObject({ error: 'cannot reach PostgreSQL at spike@127.0.0.1:1/spike (ECONNREFUSED)', retrying: true });
    expect(p.running()).toBe(true);
    await p.stop('SIGTERM');
    expect(p.events('database_unreachable')).toHaveLength(1);
    expect(p.events('nexus_listening')).toEqual([]);
    expect(p.stdout() + p.stderr()).not.toContain(SECRET);
  });

  it('a password the server refuses: exit 1, one line naming user@host/database, never the password', async () => {
    const cluster = await startPostgres();
    try {
      const path = join(stack.dir, 'wrong-password');
      writeFileSync(path, `${SECRET}\n`, { mode: 0o600 });
      const r = await runNexus({ SPIKE_NEXUS_DATABASE_URL: cluster.passwordUrl, SPIKE_NEXUS_DATABASE_PASSWORD_FILE: path });
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`spike-nexus: cannot start: PostgreSQL refused the password for spike_pw@/spike (socket in ${cluster.socketDir})`);
      expect(r.all).not.toContain(SECRET);
      expect(r.all).not.toContain('nexus_listening');
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
