// scripts/lazy-builtins.mjs, the esbuild plugin that gives the fast-path
// bundles stand-ins for node:tls, node:https and node:crypto: a bundle built
// with it loads none of them until one of their exports is read, each on
// its own, and every kind of import (named, default, namespace) then sees
// the real module's values. Built here from a small entry and run in a
// fresh Node process (the test process has these modules loaded already).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const { lazyBuiltins } = (await import(new URL('../../../scripts/lazy-builtins.mjs', import.meta.url).href)) as {
  lazyBuiltins: (names: readonly string[]) => Plugin;
};

const ENTRY = `
import * as tls from 'node:tls';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
const loaded = () => ['tls', 'https', 'crypto'].filter((n) => process.moduleLoadList.includes('NativeModule ' + n));
const out = { atStart: loaded() };
const digest = createHash('sha256').update('abc').digest('hex');
out.afterCreateHash = loaded();
const real = createRequire(__filename);
out.named = createHash === real('node:crypto').createHash;
out.digest = digest;
out.defaultImport = https.request === real('node:https').request && https.Agent === real('node:https').Agent;
out.namespace = tls.connect === real('node:tls').connect && tls.createSecureContext === real('node:tls').createSecureContext;
out.namespaceKeys = ['connect', 'createSecureContext', 'TLSSocket'].every((k) => Object.keys(tls).includes(k));
process.stdout.write(JSON.stringify(out));
`;

const tmp = mkdtempSync(join(tmpdir(), 'lazy-builtins-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Builds ENTRY as `sourcefile` (.mjs: esbuild's Node mode for default imports, as for src/ with package type module) and runs it. */
async function runBuilt(plugins: Plugin[], sourcefile = 'entry.mjs'): Promise<Record<string, unknown>> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'js', sourcefile },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  const file = join(tmp, `b${Math.random().toString(16).slice(2)}.cjs`);
  writeFileSync(file, result.outputFiles[0]!.contents);
  // a clean environment: no NODE_OPTIONS (vitest's) or anything else that loads these modules first
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('lazyBuiltins (scripts/lazy-builtins.mjs)', () => {
  it.each(['entry.mjs', 'entry.js'])('loads node:crypto, node:tls and node:https only when an export is read, each on its own, with the real values (%s)', async (sourcefile) => {
    const out = await runBuilt([lazyBuiltins(['crypto', 'tls', 'https'])], sourcefile);
    expect(out).toEqual({
      atStart: [],
      afterCreateHash: ['crypto'],
      named: true,
      // SHA-256("abc"), FIPS 180-2 Appendix B.1
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      defaultImport: true,
      namespace: true,
      namespaceKeys: true,
    });
  });

  it('control: without the plugin the bundle loads them all at start', async () => {
    const out = await runBuilt([]);
    expect(out.atStart).toEqual(['tls', 'https', 'crypto']);
    expect(out).toMatchObject({ named: true, defaultImport: true, namespace: true, namespaceKeys: true });
  });
});
