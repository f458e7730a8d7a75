// The repository stands alone: no tracked file refers to material outside it
// (see references.ts for the rules). A failure lists every file:line hit.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { repositoryFiles, scanRepository, scanText } from './references.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// Built from pieces so that this file does not match its own rules.
const SHARED = '../' + 'shared';
const SECT = '\u00a7';

describe('the rules', () => {
  const flagged = [
    `const p = resolve(here, '${SHARED}/vectors/x.json');`,
    `see shared/${'spec'}/README.md`,
    `(from DEVELOPERS${'.md'})`,
    `// spec ${'README'} ${'decision'} 6`,
    `// upstream-recovery${'.md'} section 4`,
    `upstream-secrets-policy${'.md'}`,
    `recovery-cli-anchors${'.md'}`,
    `spiffe-workload-api${'.md'}`,
    `exit codes of ${'decision'} 2`,
    `(${'decisions'} 3 and 5)`,
    `## ${'Issue'} 6: where the time went`,
    `fixes ${'issue'} #12`,
    `(${SECT}4.7)`,
    `upstream ${SECT} 2.3`,
  ];
  it.each(flagged)('flags %s', (line) => {
    expect(scanText('f', line)).not.toEqual([]);
  });

  const allowed = [
    '// Bootstrap runs once per store (docs/design.md § Bootstrap).',
    '// upstream SPIKE v0.8.2, app/nexus/internal/route/operator/restore.go',
    'see spiffe/spike#178',
    `an upstream ${'issue'} 178 describes it`,
    `// A small DER walker (RFC 5280 ${SECT}4.1, ${SECT}4.2.1.3)`,
    `// SPIFFE IDs (SPIFFE-ID.md ${SECT}2)`,
    '// shared by several apps; the shared/ folder of a module',
    'a decision tree with 3 branches',
    'reissue 3 certificates',
  ];
  it.each(allowed)('allows %s', (line) => {
    expect(scanText('f', line)).toEqual([]);
  });

  it('reports file and line', () => {
    expect(scanText('a/b.ts', `ok\nok\n// ${'decision'} 7\n`)).toEqual([
      { file: 'a/b.ts', line: 3, rule: 'numbered decision', text: `// ${'decision'} 7` },
    ]);
  });
});

describe('without git', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('walks the tree, skipping node_modules and dist, and finds a reference', () => {
    dir = mkdtempSync(join(tmpdir(), 'spike-ts-refs-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'src', 'a.ts'), `// ok\n// see ${SHARED}/vectors\n`);
    writeFileSync(join(dir, 'node_modules', 'b.js'), `// ${SHARED}/vectors\n`);
    writeFileSync(join(dir, 'dist', 'c.js'), `// ${SHARED}/vectors\n`);
    // A directory that is not a git checkout (tmpdir is not inside one here;
    // if it were, git would list the untracked files the same way).
    const { files } = repositoryFiles(dir);
    expect(files.sort()).toEqual(['src/a.ts']);
    expect(scanRepository(dir).hits.map((h) => `${h.file}:${h.line}`)).toEqual(['src/a.ts:2']);
  });
});

describe('this repository', () => {
  it('refers to nothing outside itself', () => {
    const { hits, scanned } = scanRepository(root);
    expect(scanned).toBeGreaterThan(50);
    const report = hits.map((h) => `${h.file}:${h.line}: ${h.rule}: ${h.text}`);
    expect(report, `references to material outside the repository:\n${report.join('\n')}`).toEqual([]);
  });
});
