// Libraries never import apps or src/common, apps never import each other,
// and no import cycles (rules in layering.ts). A failure prints each
// offending import as `file:line → target` and each cycle as its chain.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, fileCycles, folderCycles, layeringViolations, parseImports, readSources } from './layering.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function graphOf(files: Record<string, string>, outside: string[] = []) {
  return buildGraph(new Map(Object.entries(files)), (p) => outside.includes(p));
}

describe('parseImports', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports with their lines', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      'async function f() {',
      "  return import('./f.js');",
      '}',
      "let t: import('./g.js').G;",
      "import pkg from '../../package.json' with { type: 'json' };",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(parseImports('src/x/y.ts', text)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: '../b.js', line: 2 },
      { specifier: './c.js', line: 3 },
      { specifier: './d.js', line: 4 },
      { specifier: './e.js', line: 5 },
      { specifier: './f.js', line: 7 },
      { specifier: './g.js', line: 9 },
      { specifier: '../../package.json', line: 10 },
      { specifier: 'node:fs', line: 11 },
    ]);
  });

  it('ignores import-looking text in comments and strings', () => {
    const text = ["// import { a } from '../nexus/a.js';", "const s = \"import x from '../nexus/b.js'\";", '/* export * from "../pilot/c.js" */'].join('\n');
    expect(parseImports('src/spiffe/z.ts', text)).toEqual([]);
  });
});

describe('layeringViolations', () => {
  it('flags a library importing an app, with file, line and target', () => {
    const g = graphOf({ 'src/spiffe/id.ts': "\nimport { x } from '../nexus/config.js';", 'src/nexus/config.ts': '' });
    expect(layeringViolations(g)).toEqual(['src/spiffe/id.ts:2 → src/nexus/config.ts: library src/spiffe must not import the app src/nexus']);
  });

  it('flags type-only and dynamic imports of an app from a library, and library → src/common', () => {
    const g = graphOf({
      'src/protocol/a.ts': "import type { PilotConfig } from '../pilot/config.js';",
      'src/client/b.ts': "export async function f() { return import('../keeper/main.js'); }",
      'src/shamir/c.ts': "export { log } from '../common/log.js';",
      'src/pilot/config.ts': '',
      'src/keeper/main.ts': '',
      'src/common/log.ts': '',
    });
    expect(layeringViolations(g)).toEqual([
      'src/client/b.ts:1 → src/keeper/main.ts: library src/client must not import the app src/keeper',
      'src/protocol/a.ts:1 → src/pilot/config.ts: library src/protocol must not import the app src/pilot',
      'src/shamir/c.ts:1 → src/common/log.ts: library src/shamir must not import the app-side src/common',
    ]);
  });

  it('flags app → app, src/common → app, and imports leaving src/ other than package.json', () => {
    const g = graphOf(
      {
        'src/keeper/a.ts': "import { b } from '../nexus/b.js';\nimport pkg from '../../package.json' with { type: 'json' };",
        'src/nexus/b.ts': '',
        'src/common/c.ts': "import { b } from '../nexus/b.js';\nimport { h } from '../../test/helpers/h.js';",
      },
      ['package.json', 'test/helpers/h.ts'],
    );
    expect(layeringViolations(g)).toEqual([
      'src/common/c.ts:1 → src/nexus/b.ts: src/common (shared by the apps) must not import the app src/nexus',
      'src/common/c.ts:2 → test/helpers/h.ts: src/ imports nothing outside src/ but package.json',
      'src/keeper/a.ts:1 → src/nexus/b.ts: the app src/keeper must not import another app, src/nexus',
    ]);
  });

  it('allows library → library, app → library and app → src/common', () => {
    const g = graphOf({
      'src/client/a.ts': "import { b } from '../protocol/b.js';\nimport { c } from '../spiffe/c.js';",
      'src/protocol/b.ts': "import { d } from './config/env.js';",
      'src/protocol/config/env.ts': '',
      'src/spiffe/c.ts': '',
      'src/nexus/n.ts': "import { a } from '../client/a.js';\nimport { l } from '../common/l.js';",
      'src/common/l.ts': "import { c } from '../spiffe/c.js';",
    });
    expect(layeringViolations(g)).toEqual([]);
  });

  it("lets Bootstrap import the Nexus store and database settings, and no other app or other part of Nexus", () => {
    const g = graphOf({
      'src/bootstrap/m.ts': "import { s } from '../nexus/store/postgres/index.js';\nimport { d } from '../nexus/database-config.js';\nimport { r } from '../nexus/routes/r.js';",
      'src/keeper/k.ts': "import { s } from '../nexus/store/postgres/index.js';",
      'src/nexus/store/postgres/index.ts': "import { e } from '../errors.js';\nimport { r } from '../../routes/r.js';",
      'src/nexus/store/errors.ts': '',
      'src/nexus/database-config.ts': '',
      'src/nexus/routes/r.ts': "import { s } from '../store/postgres/index.js';",
    });
    expect(layeringViolations(g)).toEqual([
      'src/bootstrap/m.ts:3 → src/nexus/routes/r.ts: the app src/bootstrap must not import another app, src/nexus',
      'src/keeper/k.ts:1 → src/nexus/store/postgres/index.ts: the app src/keeper must not import another app, src/nexus',
      'src/nexus/store/postgres/index.ts:2 → src/nexus/routes/r.ts: src/nexus/store/ is shared with other apps and must not import the rest of src/nexus',
    ]);
  });

  it('asks for a new src/ folder to be classified', () => {
    const g = graphOf({ 'src/newthing/a.ts': '', 'src/newthing/b.ts': '', 'src/stray.ts': '' });
    expect(layeringViolations(g)).toEqual([
      'src/newthing: not classified as library, app-support or app (test/unit/repo/layering.ts)',
      'src/*.ts: not classified as library, app-support or app (test/unit/repo/layering.ts)',
    ]);
  });

  it('reports a relative import that resolves to no file', () => {
    const g = graphOf({ 'src/nexus/a.ts': "\n\nimport { b } from './missing.js';" });
    expect(g.problems).toEqual(["src/nexus/a.ts:3 imports './missing.js', which resolves to no file"]);
  });
});

describe('fileCycles', () => {
  it('prints a cycle as its chain of imports', () => {
    const g = graphOf({
      'src/nexus/a.ts': "import { b } from './b.js';",
      'src/nexus/b.ts': "\nimport type { C } from './sub/c.js';",
      'src/nexus/sub/c.ts': "import { d } from '../d.js';\nexport { a } from '../a.js';",
      'src/nexus/d.ts': '',
    });
    expect(fileCycles(g)).toEqual(['src/nexus/a.ts:1 → src/nexus/b.ts:2 → src/nexus/sub/c.ts:2 → src/nexus/a.ts']);
  });

  it('finds a self-import and a two-file cycle reached from outside it, each once', () => {
    const g = graphOf({
      'src/pilot/a.ts': "import { b } from './b.js';",
      'src/pilot/b.ts': "import { c } from './c.js';",
      'src/pilot/c.ts': "import { b } from './b.js';",
      'src/pilot/r.ts': "import { s } from './s.js';",
      'src/pilot/s.ts': "import { s } from './s.js';",
    });
    expect(fileCycles(g)).toEqual(['src/pilot/b.ts:1 → src/pilot/c.ts:1 → src/pilot/b.ts', 'src/pilot/s.ts:1 → src/pilot/s.ts']);
  });

  it('finds none in a graph without cycles (a diamond)', () => {
    const g = graphOf({
      'src/nexus/a.ts': "import { b } from './b.js';\nimport { c } from './c.js';",
      'src/nexus/b.ts': "import { d } from './d.js';",
      'src/nexus/c.ts': "import { d } from './d.js';",
      'src/nexus/d.ts': '',
    });
    expect(fileCycles(g)).toEqual([]);
  });
});

describe('folderCycles', () => {
  it('flags two folders importing each other through different files', () => {
    const g = graphOf({
      'src/protocol/a.ts': "import { x } from '../gocompat/x.js';",
      'src/gocompat/x.ts': '',
      'src/gocompat/y.ts': "\nimport { e } from '../protocol/errors.js';",
      'src/protocol/errors.ts': '',
    });
    expect(fileCycles(g)).toEqual([]);
    expect(folderCycles(g)).toEqual(['src/gocompat (src/gocompat/y.ts:2) → src/protocol (src/protocol/a.ts:1) → src/gocompat']);
  });
});

describe('src/', () => {
  const graph = buildGraph(readSources(root), (p) => existsSync(join(root, p)));

  it('has files to check', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.files).toContain('src/protocol/config/env.ts');
    expect([...graph.edges.values()].flat().length).toBeGreaterThan(300);
    expect(graph.edges.get('src/nexus/main.ts')?.map((e) => e.to)).toContain('src/nexus/config.ts');
  });

  it('has no unresolved relative imports', () => {
    expect(graph.problems).toEqual([]);
  });

  it('keeps the layers: libraries never import apps or src/common, apps never import each other', () => {
    expect(layeringViolations(graph)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it('has no import cycle between src/ folders', () => {
    expect(folderCycles(graph)).toEqual([]);
  });
});
