// The bench's private PostgreSQL cluster: the tests' own helper
// (test/helpers/postgres.ts: initdb into a fresh temp dir, a server on a unix
// socket in that dir only, no TCP, fsync on, as the `postgres` OS user when
// run as root; stopped and removed by stop(), and killed and removed when the
// process exits without it) bundled in memory with esbuild — the bench is
// plain Node ESM and needs neither vitest nor a TypeScript loader. `pg` stays
// the repository's own (resolved from its node_modules, not bundled).
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let helper;

/** test/helpers/postgres.ts's exports ({ startPostgres, PASSWORD_ROLE, … }), loaded once. */
export async function loadPostgresHelper(repo) {
  if (helper) return helper;
  const pgEntry = createRequire(join(repo, 'package.json')).resolve('pg');
  const out = await build({
    entryPoints: [join(repo, 'test', 'helpers', 'postgres.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'pg-of-the-repository',
        setup(b) {
          b.onResolve({ filter: /^pg$/ }, () => ({ path: pgEntry, external: true }));
        },
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'skb-pg-helper-'));
  try {
    const file = join(dir, 'postgres-helper.mjs');
    writeFileSync(file, out.outputFiles[0].contents);
    helper = await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return helper;
}
