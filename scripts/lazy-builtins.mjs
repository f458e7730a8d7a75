// An esbuild plugin for CommonJS bundles: the Node built-in modules it is
// given are loaded on first use instead of when the bundle starts. Each
// import of such a module gets a stand-in, a Proxy that require()s the real
// module the first time any of its exports is read and hands every read on
// to it. Named imports (`import { createHash } from 'node:crypto'`), default
// imports (`import https from 'node:https'`) and namespace imports (`import
// * as tls from 'node:tls'`: esbuild copies the export names, which the
// stand-in lists from the Node that builds without loading anything) all
// see the real module's values. scripts/build.mjs uses it for the
// break-glass fast path: node:tls, node:https and node:crypto (about 5 ms
// on Node 20) then load while `spike` waits for the Workload API's answer
// (src/pilot/fast/run.ts), not before it sends its request
// (test/bench/README.md § Start-up).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const NAMESPACE = 'lazy-builtin';

/** The stand-in module of built-in `name` (without `node:`), as CommonJS source. */
export function standInSource(name) {
  const names = Object.getOwnPropertyNames(require(`node:${name}`));
  return `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${name}`)}));
const names = ${JSON.stringify(names)};
module.exports = new Proxy({}, {
  // esbuild asks a CommonJS module whether it is a transpiled ES module; a built-in never is
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined),
});
`;
}

/** The plugin: `node:<name>` and `<name>` for each of `names` resolve to stand-ins. */
export function lazyBuiltins(names) {
  const filter = new RegExp(`^(node:)?(${names.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(b) {
      // The stand-in's own require() is left to esbuild (a built-in stays external).
      b.onResolve({ filter }, (args) => (args.namespace === NAMESPACE ? undefined : { path: args.path.replace(/^node:/, ''), namespace: NAMESPACE }));
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: standInSource(args.path), loader: 'js' }));
    },
  };
}
