// Bundles every app into dist/ with esbuild. Code splitting keeps `spike`'s
// start-up small: modules a command loads with `await import()` land in their
// own chunks. Native modules stay external. `spike` itself starts from a small
// CommonJS entry (dist/spike.cjs, src/pilot/main.ts; dist/spike.js links to
// it) that answers `--version` without Node's ES module loader and otherwise
// imports the ES module bundle of src/pilot/cli.ts (dist/chunks/spike-cli.js).
import { build } from 'esbuild';
import { existsSync, rmSync, chmodSync, mkdirSync, symlinkSync, renameSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const entries = {
  'spike-nexus': 'src/nexus/main.ts',
  'spike-keeper': 'src/keeper/main.ts',
  'spike-bootstrap': 'src/bootstrap/main.ts',
  'spike-dev-agent': 'src/devagent/main.ts',
};

// Build into a fresh directory and swap it in at the end, so that processes
// started from the previous dist/ (e.g. a running e2e test) keep working.
const out = `dist.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
// commander loads node:child_process (and with it net, dgram, …: ~3 ms of every
// `spike` start) for executable subcommands, which spike does not have: it
// gets a stand-in that loads the real module on first use.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};
const banner = {
  js: "import { createRequire as __spikeCreateRequire } from 'node:module'; const require = __spikeCreateRequire(import.meta.url);",
};
await build({
  // The path of spike-cli is fixed: src/pilot/main.ts imports it.
  entryPoints: { ...entries, 'chunks/spike-cli': 'src/pilot/cli.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3', 'node-pty'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner,
  plugins: [lazyChildProcessForCommander],
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/pilot/main.ts'],
  outfile: `${out}/spike.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Its import() of the CLI bundle stays an import() (a path computed at run time, resolved from dist/).
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});
chmodSync(`${out}/spike.cjs`, 0o755);
// The break-glass fast path (src/pilot/fast/run.ts): `spike operator restore`
// and `spike operator recover` each in one CommonJS file without commander,
// require()d by spike.cjs, so that these two commands start without the ES
// module loader and the CLI's chunk files (test/bench/README.md § Start-up).
// The libraries only some of their runs need (age-encryption for encrypted
// shards, `read` for a terminal prompt) are CommonJS files of their own,
// loaded on first use, so that the others do not parse them.
const lazyLibraries = { 'age-encryption': 'spike-lib-age.cjs', read: 'spike-lib-read.cjs' };
const commonjs = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', legalComments: 'none', sourcemap: false, logLevel: 'warning' };
for (const [lib, file] of Object.entries(lazyLibraries)) {
  await build({ ...commonjs, stdin: { contents: `module.exports = require(${JSON.stringify(lib)});`, resolveDir: process.cwd() }, outfile: `${out}/${file}` });
}
const lazyLibrariesAsFiles = {
  name: 'lazy-libraries-as-files',
  setup(b) {
    // import('read') → a stand-in module that require()s dist/spike-lib-read.cjs (esbuild wraps it in a lazy require).
    b.onResolve({ filter: /^(age-encryption|read)$/ }, (args) => ({ path: args.path, namespace: 'lazy-library' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-library' }, (args) => ({ contents: `module.exports = require('./${lazyLibraries[args.path]}');`, loader: 'js' }));
    b.onResolve({ filter: /^\.\/spike-lib-/ }, (args) => ({ path: args.path, external: true }));
  },
};
// Each bundle gets V8's code cache with every function compiled
// (<bundle>.v8cache), which src/pilot/fast/load.ts hands to V8: no parse or
// compile at start-up. It is compiled in load.ts's CommonJS wrapper (the
// same strings, or V8 rejects the cache) with lazy compilation off.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n})';
for (const command of ['restore', 'recover']) {
  const file = `${out}/spike-operator-${command}.cjs`;
  await build({ ...commonjs, entryPoints: [`src/pilot/fast/${command}.ts`], outfile: file, plugins: [lazyLibrariesAsFiles] });
  // Cached code is used only for the same source: the path the bundle will have in dist/ (filename) does not matter to V8.
  setFlagsFromString('--no-lazy');
  let script;
  try {
    // filename: the bundle's path once dist/ is swapped in (V8 keeps it in the cache for stack traces and profiles).
    script = new Script(WRAPPER_HEAD + readFileSync(file, 'utf8') + WRAPPER_TAIL, { filename: resolve('dist', basename(file)) });
  } finally {
    setFlagsFromString('--lazy');
  }
  writeFileSync(`${file}.v8cache`, script.createCachedData());
}
// The library (`import { SpikeClient } from 'spike-ts'`, docs/sdk.md): one ES
// module with every npm dependency left to the consumer's node_modules, and
// its type declarations (tsconfig.lib.json) under dist/types: emitted
// without a type check (`npm run typecheck` does that), so that a type error
// elsewhere in the tree does not stop the apps' build.
await build({
  entryPoints: { 'lib/index': 'src/lib/index.ts' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});
const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.lib.json', '--noCheck', '--outDir', `${out}/types`], {
  stdio: 'inherit',
});
if (tsc.status !== 0 || !existsSync(`${out}/types/lib/index.d.ts`)) {
  rmSync(out, { recursive: true, force: true });
  throw new Error('tsc -p tsconfig.lib.json failed: the library has no type declarations');
}
// Node picks the module format from the real path (spike.cjs: CommonJS), so `node dist/spike.js` and dist/bin/spike work alike.
symlinkSync('spike.cjs', `${out}/spike.js`);
// dist/bin/<name> -> ../<name>.js, so that `export PATH="$PWD/dist/bin:$PATH"` (hack/env.sh) gives real command names.
mkdirSync(`${out}/bin`);
for (const name of ['spike', ...Object.keys(entries)]) {
  chmodSync(`${out}/${name}.js`, 0o755);
  symlinkSync(`../${name}.js`, `${out}/bin/${name}`);
}
const old = `dist.old-${process.pid}`;
try {
  renameSync('dist', old);
} catch {
  // no previous build
}
renameSync(out, 'dist');
rmSync(old, { recursive: true, force: true });
