// Which folder of src/ may import which (docs/contracts.md, general rules):
//   - libraries (LIBRARIES) import only libraries: never an app, never
//     src/common (app-side helpers);
//   - src/common imports only libraries;
//   - an app imports libraries and src/common, never another app except
//     the parts of it listed in SHARED_APP_PARTS (which import nothing else
//     of their own app);
//   - nothing under src/ imports anything outside it except package.json;
//   - no import cycle between files, and none between src/ folders.
// Every import counts: `import type`, `export … from` and `await import()`
// too (a type import still ties the two modules together).
//
// The graph is built from the TypeScript syntax tree (imports inside comments
// or strings do not count) over relative specifiers only; bare specifiers are
// packages. A relative import that resolves to no file is reported as well,
// so that a parsing mistake cannot hide an edge.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';

/** src/ folders that are libraries: no printing, no exiting, no process.env, no app imports. */
export const LIBRARIES: ReadonlySet<string> = new Set(['spiffe', 'shamir', 'protocol', 'client', 'gocompat', 'util', 'lib']);
/** App-side helpers shared by the apps. */
export const APP_SUPPORT: ReadonlySet<string> = new Set(['common']);
/** The programs. */
export const APPS: ReadonlySet<string> = new Set(['pilot', 'nexus', 'keeper', 'bootstrap', 'devagent']);
/**
 * Parts of an app that other apps may import, and which: Bootstrap claims the
 * PostgreSQL store's bootstrap row (docs/postgres.md § Bootstrap once per
 * store), so it uses the Nexus store and its database settings. A shared part
 * imports only itself, other shared parts, libraries and src/common: never the
 * rest of its app.
 */
export const SHARED_APP_PARTS: readonly { readonly path: string; readonly users: ReadonlySet<string> }[] = [
  { path: 'src/nexus/store/', users: new Set(['bootstrap']) },
  { path: 'src/nexus/database-config.ts', users: new Set(['bootstrap']) },
];

function sharedPartOf(file: string): { readonly path: string; readonly users: ReadonlySet<string> } | undefined {
  return SHARED_APP_PARTS.find((p) => (p.path.endsWith('/') ? file.startsWith(p.path) : file === p.path));
}

/** Files outside src/ that src/ may import. */
const OUTSIDE_ALLOWED: ReadonlySet<string> = new Set(['package.json']);

export interface ImportRef {
  readonly specifier: string;
  readonly line: number;
}

/** Every module specifier `fileName` imports (static, `export … from`, dynamic `import()`). */
export function parseImports(fileName: string, text: string): ImportRef[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const add = (node: ts.StringLiteralLike): void => {
    refs.push({ specifier: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteralLike(node.moduleReference.expression)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) add(arg);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal); // `import('./x.js').T` in a type position
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

export interface Graph {
  /** Repository-relative POSIX paths of the scanned files, sorted. */
  readonly files: readonly string[];
  readonly edges: ReadonlyMap<string, readonly Edge[]>;
  /** Problems found while building the graph (unresolved relative imports). */
  readonly problems: readonly string[];
}

/**
 * Builds the import graph of `sources` (repository-relative POSIX path →
 * text). `exists` answers for targets that are not among the sources
 * (e.g. package.json).
 */
export function buildGraph(sources: ReadonlyMap<string, string>, exists: (path: string) => boolean = () => false): Graph {
  const files = [...sources.keys()].sort();
  const edges = new Map<string, Edge[]>();
  const problems: string[] = [];
  for (const from of files) {
    const out: Edge[] = [];
    for (const ref of parseImports(from, sources.get(from) as string)) {
      if (!ref.specifier.startsWith('./') && !ref.specifier.startsWith('../')) continue;
      const base = posix.normalize(posix.join(posix.dirname(from), ref.specifier));
      const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
      const to = candidates.find((c) => sources.has(c)) ?? candidates.find((c) => exists(c));
      if (to === undefined) problems.push(`${from}:${ref.line} imports '${ref.specifier}', which resolves to no file`);
      else out.push({ from, to, line: ref.line });
    }
    edges.set(from, out);
  }
  return { files, edges, problems };
}

/** `src/<folder>/…` → folder; a file directly in src/ → ''; outside src/ → undefined. */
function srcFolder(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'src') return undefined;
  return parts.length > 2 ? (parts[1] as string) : '';
}

type Layer = 'library' | 'app-support' | 'app';

function layerOf(folder: string): Layer | undefined {
  if (LIBRARIES.has(folder)) return 'library';
  if (APP_SUPPORT.has(folder)) return 'app-support';
  if (APPS.has(folder)) return 'app';
  return undefined;
}

const at = (e: Edge): string => `${e.from}:${e.line} → ${e.to}`;

/** Imports that cross the layers the wrong way, one line each. */
export function layeringViolations(graph: Graph): string[] {
  const out: string[] = [];
  const unclassified = new Set<string>();
  for (const file of graph.files) {
    const folder = srcFolder(file);
    if (folder === undefined) continue;
    const layer = layerOf(folder);
    if (layer === undefined) {
      if (!unclassified.has(folder)) out.push(`src/${folder === '' ? '*.ts' : folder}: not classified as library, app-support or app (test/unit/repo/layering.ts)`);
      unclassified.add(folder);
      continue;
    }
    for (const e of graph.edges.get(file) ?? []) {
      const target = srcFolder(e.to);
      if (target === undefined) {
        if (!OUTSIDE_ALLOWED.has(e.to)) out.push(`${at(e)}: src/ imports nothing outside src/ but package.json`);
        continue;
      }
      const fromShared = sharedPartOf(file);
      if (target === folder) {
        if (fromShared !== undefined && sharedPartOf(e.to) === undefined) {
          out.push(`${at(e)}: ${fromShared.path} is shared with other apps and must not import the rest of src/${folder}`);
        }
        continue;
      }
      const targetLayer = layerOf(target);
      if (targetLayer === undefined) continue; // reported for the target folder itself
      if (layer === 'library' && targetLayer !== 'library') {
        out.push(`${at(e)}: library src/${folder} must not import ${targetLayer === 'app' ? 'the app' : 'the app-side'} src/${target}`);
      } else if (layer === 'app-support' && targetLayer === 'app') {
        out.push(`${at(e)}: src/${folder} (shared by the apps) must not import the app src/${target}`);
      } else if (layer === 'app' && targetLayer === 'app' && !(sharedPartOf(e.to)?.users.has(folder) ?? false)) {
        out.push(`${at(e)}: the app src/${folder} must not import another app, src/${target}`);
      }
    }
  }
  return out;
}

/**
 * Import cycles between files, each printed as its chain with the line of
 * every import: `src/a.ts:3 → src/b.ts:7 → src/a.ts`. A depth-first search
 * reports each back edge it meets (so every cyclic group shows at least one
 * cycle), cycles that are rotations of one another once.
 */
export function fileCycles(graph: Graph): string[] {
  const next = (n: string): readonly { to: string; label: string }[] =>
    (graph.edges.get(n) ?? []).map((e) => ({ to: e.to, label: `${e.from}:${e.line}` }));
  return cycles(graph.files, next);
}

/**
 * Cycles between src/ folders (a folder imports a second one that, through
 * any of its files, imports the first), each import shown by one example.
 */
export function folderCycles(graph: Graph): string[] {
  const example = new Map<string, Map<string, Edge>>();
  for (const file of graph.files) {
    for (const e of graph.edges.get(file) ?? []) {
      const a = srcFolder(e.from);
      const b = srcFolder(e.to);
      if (a === undefined || b === undefined || a === b) continue;
      const m = example.get(`src/${a}`) ?? new Map<string, Edge>();
      if (!m.has(`src/${b}`)) m.set(`src/${b}`, e);
      example.set(`src/${a}`, m);
    }
  }
  const next = (n: string): readonly { to: string; label: string }[] =>
    [...(example.get(n) ?? new Map<string, Edge>())].sort(([x], [y]) => (x < y ? -1 : 1)).map(([to, e]) => ({ to, label: `${n} (${e.from}:${e.line})` }));
  return cycles([...example.keys()].sort(), next);
}

function cycles(nodes: readonly string[], next: (n: string) => readonly { to: string; label: string }[]): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: { node: string; label: string }[] = [];
  const found = new Map<string, string>();
  const dfs = (node: string): void => {
    state.set(node, 'open');
    for (const { to, label } of next(node)) {
      const s = state.get(to);
      if (s === 'open') {
        // `node` itself is not on `path` yet: a self-import gives start = path.length.
        const start = to === node ? path.length : path.findIndex((p) => p.node === to);
        const ring = [...path.slice(start).map((p) => p.label), label];
        const members = [...path.slice(start).map((p) => p.node), node];
        const key = [...members].sort().join('\n');
        if (!found.has(key)) found.set(key, `${ring.join(' → ')} → ${to}`);
      } else if (s === undefined) {
        path.push({ node, label });
        dfs(to);
        path.pop();
      }
    }
    state.set(node, 'done');
  };
  for (const n of nodes) if (!state.has(n)) dfs(n);
  return [...found.values()];
}

/** Every .ts file under `root`/src, as repository-relative POSIX path → text. */
export function readSources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(posix.join(root, rel)).sort()) {
      const child = `${rel}/${name}`;
      if (statSync(posix.join(root, child)).isDirectory()) walk(child);
      else if (name.endsWith('.ts')) out.set(child, readFileSync(posix.join(root, child), 'utf8'));
    }
  };
  walk('src');
  return out;
}
