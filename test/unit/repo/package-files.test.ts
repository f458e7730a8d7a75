// What `npm pack` puts in the package (package.json `files`): the built dist/,
// the hack/ scripts, docs/, README.md, LICENSE and package.json; never the
// sources, the tests, the CI script, node_modules, source maps or local state.
// npm itself computes the lists (`npm pack --dry-run --json --ignore-scripts`:
// no build), for this checkout and for a planted tree that has every kind of
// file the package must keep out, next to the links scripts/build.mjs makes
// (npm leaves symbolic links out of a package: a bin, main, types or exports
// target that is one would be missing from it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The environment of a plain `npm` run: the runner's own npm_* variables (set by `npm test`) left out. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

/** The paths `npm pack` would put in the package made from `dir`, sorted. */
function packedFiles(dir: string): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', env: npmEnv() });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed (${r.status}): ${r.stderr}`);
  const parsed: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(parsed) || parsed.length !== 1) throw new Error(`npm pack --json: not one package: ${r.stdout.slice(0, 200)}`);
  const files: unknown = (parsed[0] as { files?: unknown }).files;
  if (!Array.isArray(files)) throw new Error('npm pack --json: no file list');
  return files.map((f: { path?: unknown }) => {
    if (typeof f.path !== 'string') throw new Error('npm pack --json: a file without a path');
    return f.path;
  }).sort();
}

interface PackageJson {
  bin?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: unknown;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

/** Every string in an `exports` value (conditions and subpaths nest). */
function exportTargets(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(exportTargets);
  return [];
}

/** The files package.json points at (bin, main, types, exports), as package paths (no leading ./). */
function targets(p: PackageJson): string[] {
  const all = [...Object.values(p.bin ?? {}), ...(p.main === undefined ? [] : [p.main]), ...(p.types === undefined ? [] : [p.types]), ...exportTargets(p.exports)];
  return [...new Set(all.map((t) => t.replace(/^\.\//, '')))].sort();
}

/** A path that must never be in the package, and why. */
function forbidden(path: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/^(src|test|tools|scripts|node_modules|coverage|\.ci|\.git)\//, 'sources, tests, tools or CI'],
    [/^dist\.(tmp|old)-/, "an unfinished build's directory"],
    [/\.map$/, 'a source map'],
    [/\.(db|db-wal|db-shm|log)$/, 'local state or a log'],
    [/(^|\/)spike\.recovery\./, 'a recovery shard or manifest'],
    [/(^|\/)\.spike\//, 'a local stack'],
    [/^bench-results/, 'benchmark results'],
    [/^(tsconfig.*\.json|eslint\.config\.js|vitest\.config\.ts|package-lock\.json)$/, 'development configuration'],
  ];
  return rules.find(([re]) => re.test(path))?.[1];
}

describe('npm pack of this checkout', () => {
  const files = packedFiles(root);

  it('has README.md, LICENSE and package.json, every hack/ script and every docs/ page', () => {
    for (const f of ['README.md', 'LICENSE', 'package.json']) expect(files).toContain(f);
    const hack = readdirSync(join(root, 'hack')).map((f) => `hack/${f}`);
    expect(hack).toContain('hack/start.sh');
    for (const f of hack) expect(files).toContain(f);
    const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
    expect(docs).toContain('docs/runbook.md');
    for (const f of docs) expect(files).toContain(f);
  });

  it('has the examples docs/sdk.md and README link to', () => {
    const examples = readdirSync(join(root, 'examples')).map((f) => `examples/${f}`);
    expect(examples).toContain('examples/read-secret.mjs');
    for (const f of examples) expect(files).toContain(f);
  });

  it('has nothing outside dist/, hack/, docs/, examples/ and those three files', () => {
    const outside = files.filter((f) => !/^(dist|hack|docs|examples)\//.test(f) && !['README.md', 'LICENSE', 'package.json'].includes(f));
    expect(outside).toEqual([]);
  });

  it('has no sources, tests, CI script, node_modules, source maps or local state', () => {
    expect(files.filter((f) => forbidden(f) !== undefined).map((f) => `${f} (${forbidden(f)})`)).toEqual([]);
  });
});

describe('npm pack of a planted tree with this package.json', () => {
  // scripts/build.mjs's links: dist/spike.js -> spike.cjs, dist/bin/<name> -> ../<name>.js.
  const buildLinks: Record<string, string> = {
    'dist/spike.js': 'spike.cjs',
    ...Object.fromEntries(Object.keys(pkg.bin ?? {}).map((name) => [`dist/bin/${name}`, `../${name}.js`])),
  };
  const kept = [
    'dist/spike.cjs',
    'dist/spike-nexus.js',
    'dist/chunks/spike-cli.js',
    'dist/chunks/chunk-ABCDEFGH.js',
    'dist/spike-operator-restore.cjs',
    'dist/spike-operator-restore.cjs.v8cache',
    'dist/lib/index.js',
    'dist/types/lib/index.d.ts',
    'hack/start.sh',
    'hack/lib.sh',
    'docs/runbook.md',
    'README.md',
    'LICENSE',
  ];
  const left = [
    'src/pilot/main.ts',
    'src/lib/index.ts',
    'test/unit/repo/package-files.test.ts',
    'test/fixtures/shamir-p256.json',
    'tools/gocompat-fixtures/main.go',
    'scripts/build.mjs',
    '.ci/run',
    'node_modules/better-sqlite3/package.json',
    'dist.tmp-4242/spike.cjs',
    'dist.old-4242/spike.cjs',
    'coverage/index.html',
    'dist/chunks/spike-cli.js.map',
    'dist/lib/index.js.map',
    'dist/types/lib/index.d.ts.map',
    'spike.db',
    'nexus.log',
    '.spike/dev/nexus/spike.db',
    'spike.recovery.1.txt',
    'bench-results.json',
    'tsconfig.json',
    'tsconfig.lib.json',
    'eslint.config.js',
    'vitest.config.ts',
  ];
  let dir = '';
  let files: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spike-pack-'));
    const put = (path: string): void => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), `${path}\n`);
    };
    writeFileSync(join(dir, 'package.json'), readFileSync(join(root, 'package.json')));
    for (const [link, to] of Object.entries(buildLinks)) {
      mkdirSync(dirname(join(dir, link)), { recursive: true });
      symlinkSync(to, join(dir, link));
    }
    // Every file package.json points at, as the build makes it: a regular file, unless the build makes a link there.
    for (const t of targets(pkg)) if (buildLinks[t] === undefined && t !== 'package.json') put(t);
    for (const f of [...kept, ...left]) if (buildLinks[f] === undefined) put(f);
    files = packedFiles(dir);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('package.json points at a bin for each command, and at the library and its types', () => {
    expect(Object.keys(pkg.bin ?? {}).sort()).toEqual(['spike', 'spike-bootstrap', 'spike-dev-agent', 'spike-keeper', 'spike-nexus']);
    expect(targets(pkg).length).toBeGreaterThan(5);
  });

  it('keeps every file package.json points at: none is one of the links npm leaves out', () => {
    for (const t of targets(pkg)) expect(files, `${t} is not in the package`).toContain(t);
  });

  it('keeps the built files, the hack/ scripts, the docs, README.md and LICENSE', () => {
    for (const f of kept) expect(files).toContain(f);
  });

  it('leaves out sources, tests, tools, CI, node_modules, unfinished builds, source maps, local state and development configuration', () => {
    for (const f of left) {
      expect(forbidden(f), `${f}: no rule of this test names it`).toBeDefined();
      expect(files, `${f} is in the package`).not.toContain(f);
    }
    expect(files.filter((f) => forbidden(f) !== undefined)).toEqual([]);
  });
});
