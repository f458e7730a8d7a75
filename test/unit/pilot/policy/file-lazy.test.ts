// The `yaml` package is loaded only by `spike policy apply --file`
// (src/pilot/policy/file.ts: `await import('./file-yaml.js')`): bundled as
// scripts/build.mjs bundles (esbuild, ESM, code splitting; `spike --version`
// loads only the CommonJS entry, main.ts), neither the command-line bundle
// (cli.ts) loaded for every other command, nor the chunk of `policy apply` itself
// (program.ts loads it when that command runs), nor anything they import statically,
// contains it; it sits in a chunk reached only through a dynamic import.
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const YAML_PACKAGE = /(^|\/)node_modules\/yaml\//;
const READER = 'src/pilot/policy/file-yaml.ts';

/** Output files `from` loads with static imports, itself included. */
function staticClosure(meta: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of meta.outputs[file]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !imp.external) todo.push(imp.path);
    }
  }
  return seen;
}

const inputsOf = (meta: Metafile, files: Iterable<string>): string[] => [...files].flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));

describe('the yaml package is not part of spike start-up', () => {
  it('only a dynamically imported chunk holds it', async () => {
    const result = await build({
      entryPoints: { 'chunks/spike-cli': 'src/pilot/cli.ts' },
      outdir: 'out', // not written
      write: false,
      metafile: true,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: 'chunks/[name]-[hash]',
      external: ['better-sqlite3', 'node-pty'],
      logLevel: 'silent',
    });
    const meta = result.metafile;
    const holding = (input: string): string => Object.keys(meta.outputs).find((f) => meta.outputs[f]?.inputs[input] !== undefined) as string;
    // main.ts loads cli.ts, which loads the module of the command run (program.ts).
    const startup = inputsOf(meta, new Set(['src/pilot/cli.ts', 'src/pilot/commands/policy-apply.ts'].flatMap((f) => [...staticClosure(meta, holding(f))])));
    expect(startup).toContain('src/pilot/commands/policy-apply.ts'); // the closure is computed from the real graph
    expect(startup.filter((i) => YAML_PACKAGE.test(i) || i === READER)).toEqual([]);
    // …and the reader with the package is in the bundle, behind a dynamic import.
    const all = inputsOf(meta, Object.keys(meta.outputs));
    expect(all).toContain(READER);
    expect(all.some((i) => YAML_PACKAGE.test(i))).toBe(true);
  });
});
