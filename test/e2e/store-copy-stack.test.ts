// Moving a live deployment's store (npm run build first): the real binaries
// from dist/ (dev agent, three Keepers, Nexus, Bootstrap, spike). Secrets and
// a policy are written with `spike` into Nexus on SQLite; Nexus is stopped;
// `spike-nexus store copy` moves the store to PostgreSQL (password from
// SPIKE_NEXUS_DATABASE_PASSWORD_FILE); Nexus started on PostgreSQL rebuilds
// the same root key from the same Keepers, accepts the copied key check and
// serves every version; a Bootstrap then skips (the copy marked the store).
// And back: the PostgreSQL store copied into a fresh SQLite data dir, Nexus
// on SQLite again serves the same, and a Bootstrap skips there too (the
// copy wrote bootstrap.json).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike } from '../helpers/fakenexus.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { Stack } from '../helpers/stack.js';

const V1 = 'copy-e2e-first-9d1c';
const V2 = 'copy-e2e-second-47ab';

let cluster: PostgresCluster;
let stack: Stack;
let passwordFile: string;

beforeAll(async () => {
  cluster = await startPostgres();
  stack = await Stack.create({ keepers: 3, threshold: 2 });
  passwordFile = join(stack.dir, 'db-password');
  writeFileSync(passwordFile, `${cluster.password}\n`, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
  await cluster?.stop();
});

function spike(args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot'))) if (v !== undefined) env[k] = v;
  return runSpike(args, { env });
}

async function storeCopy(from: string, to: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = stack.spawn(`store-copy-${stack.all.length}`, 'spike-nexus', ['store', 'copy', '--from', from, '--to', to], {
    PATH: process.env.PATH,
    HOME: stack.dir,
    SPIKE_NEXUS_DATABASE_PASSWORD_FILE: passwordFile,
  });
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

async function readsBack(): Promise<void> {
  expect(await spike(['secret', 'get', 'apps/db', 'pass', '-v', '1'])).toMatchObject({ code: 0, stdout: `${V1}\n` });
  expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: `${V2}\n` });
  expect(await spike(['secret', 'list'])).toMatchObject({ code: 0, stdout: '- apps/db\n- apps/other\n' });
  expect((await spike(['policy', 'get', 'copy-reader', '-f', 'json'])).stdout).toContain('^apps/.*$');
}

describe('moving a running deployment between SQLite and PostgreSQL', () => {
  it('SQLite → PostgreSQL → SQLite with Nexus, the Keepers and Bootstrap', { timeout: 300_000 }, async () => {
    await stack.startAll();
    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'put', 'apps/db', `pass=${V1}`])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'put', 'apps/db', `pass=${V2}`])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'put', 'apps/other', 'k=v'])).toMatchObject({ code: 0 });
    const flags = ['--name', 'copy-reader', '--path-pattern', '^apps/.*$', '--spiffeid-pattern', '^spiffe://spike\\.ist/app/.*$', '--permissions', 'read'];
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 0 });
    const sqliteDir = join(stack.nexusDataDir, 'data');

    // Refused while Nexus has the store open.
    const busy = await storeCopy(`sqlite:${sqliteDir}`, `postgres:${cluster.passwordUrl}`);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('is in use (is Nexus running on it? stop it first)');

    expect(await stack.stop('nexus')).toBe(0);
    const toPg = await storeCopy(`sqlite:${sqliteDir}`, `postgres:${cluster.passwordUrl}`);
    expect(toPg.stderr).toBe('');
    expect(toPg.code).toBe(0);
    expect(toPg.stdout).toContain('key check: identical');

    const pgEnv = {
      SPIKE_NEXUS_BACKEND_STORE: 'postgres',
      SPIKE_NEXUS_DATABASE_URL: cluster.passwordUrl,
      SPIKE_NEXUS_DATABASE_PASSWORD_FILE: passwordFile,
    };
    const onPg = await stack.startNexus(pgEnv);
    await onPg.waitForEvent('root_key_ready', { timeoutMs: 60_000 });
    await readsBack();
    const again = await stack.bootstrap(pgEnv);
    expect(again.code).toBe(0);
    expect(again.proc.events('bootstrap_skipped')).toHaveLength(1);
    await readsBack();

    // Refused while Nexus is connected to the database.
    const moved = join(stack.nexusDataDir, 'data.before-postgres');
    renameSync(sqliteDir, moved);
    const busyPg = await storeCopy(`postgres:${cluster.passwordUrl}`, `sqlite:${sqliteDir}`);
    expect(busyPg.code).toBe(1);
    expect(busyPg.stderr).toMatch(/is in use: \d+ Nexus connection\(s\) open/);

    expect(await stack.stop('nexus')).toBe(0);
    const back = await storeCopy(`postgres:${cluster.passwordUrl}`, `sqlite:${sqliteDir}`);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`bootstrap marker: ${join(sqliteDir, 'bootstrap.json')} written`);
    const onSqlite = await stack.startNexus();
    await onSqlite.waitForEvent('root_key_ready', { timeoutMs: 60_000 });
    await readsBack();
    const thirdBootstrap = await stack.bootstrap();
    expect(thirdBootstrap.code).toBe(0);
    expect(thirdBootstrap.proc.events('bootstrap_skipped')).toHaveLength(1);
    await readsBack();
  });
});
