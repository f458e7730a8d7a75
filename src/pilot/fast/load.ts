// Loads a fast-path bundle (run.ts) the way require() would, but through
// V8's code cache that scripts/build.mjs writes next to it
// (`<bundle>.v8cache`, every function compiled): the bundle's ~200 KB are
// then neither parsed nor compiled at start-up (about 10 ms of CPU on Node
// 20, test/bench/README.md § Start-up). A missing cache, or one V8 rejects
// (another Node, other V8 flags), only means a normal compile. The cache
// lives in dist/ with the bundle and is as trusted as the bundle itself.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * The CommonJS wrapper the bundle is compiled in. scripts/build.mjs compiles
 * the cache with exactly these strings (V8 accepts a cache only for the
 * same source): test/unit/pilot/fast-path.test.ts checks that the built
 * caches are accepted.
 */
export const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
export const WRAPPER_TAIL = '\n})';

/** Where the build writes the code cache of `file`. */
export function codeCacheOf(file: string): string {
  return `${file}.v8cache`;
}

/** The compiled bundle `file` and whether V8 took its code cache. */
export function compileBundle(file: string): { readonly script: Script; readonly cacheUsed: boolean } {
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCacheOf(file));
  } catch {
    // no cache: V8 compiles the source
  }
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  return { script, cacheUsed: cachedData !== undefined && script.cachedDataRejected !== true };
}

type ModuleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/**
 * Runs the bundle `file` as a CommonJS module and returns its exports.
 * `require` is the caller's (spike.cjs's, in the same directory as the
 * bundle, so that its relative requires resolve alike): Module.createRequire
 * would load Node's `module` builtin, and with it the ES module loader.
 */
export function requireBundle(file: string, require: NodeJS.Require): unknown {
  const fn = compileBundle(file).script.runInThisContext() as ModuleFunction;
  const module = { exports: {} };
  fn.call(module.exports, module.exports, require, module, file, dirname(file));
  return module.exports;
}
