// Bundles every app into dist/ with esbuild. Code splitting keeps `spike`'s
// start-up small: modules a command loads with `await import()` land in their
// own chunks. Native modules stay external.
import { build } from 'esbuild';
import { rmSync, chmodSync, mkdirSync, symlinkSync, renameSync } from 'node:fs';

const entries = {
  spike: 'src/pilot/main.ts',
  'spike-nexus': 'src/nexus/main.ts',
  'spike-keeper': 'src/keeper/main.ts',
  'spike-bootstrap': 'src/bootstrap/main.ts',
  'spike-dev-agent': 'src/devagent/main.ts',
};

// Build into a fresh directory and swap it in at the end, so that processes
// started from the previous dist/ (e.g. a running e2e test) keep working.
const out = `dist.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3', 'node-pty'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __spikeCreateRequire } from 'node:module'; const require = __spikeCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});
// dist/bin/<name> -> ../<name>.js, so that `export PATH="$PWD/dist/bin:$PATH"` (hack/env.sh) gives real command names.
mkdirSync(`${out}/bin`);
for (const name of Object.keys(entries)) {
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
