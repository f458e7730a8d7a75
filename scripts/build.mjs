// Bundles every app into dist/ with esbuild. Code splitting keeps `spike`'s
// start-up small: modules a command loads with `await import()` land in their
// own chunks. Native modules stay external. `spike` itself starts from a small
// CommonJS entry (dist/spike.cjs, src/pilot/main.ts; dist/spike.js links to
// it) that answers `--version` without Node's ES module loader and otherwise
// imports the ES module bundle of src/pilot/cli.ts (dist/chunks/spike-cli.js).
import { build } from 'esbuild';
import { rmSync, chmodSync, mkdirSync, symlinkSync, renameSync } from 'node:fs';

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
