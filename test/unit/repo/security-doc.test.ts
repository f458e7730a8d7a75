// docs/security.md backs each claim with a test: `test file` › "test name".
// Every cited file must exist and hold the cited name, so a renamed or
// removed test cannot leave a claim pointing at nothing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Citation {
  line: number;
  file: string;
  name?: string;
}

/** The `test/…test.ts` paths in backticks, each with the quoted name after › when there is one. */
function citationsOf(text: string): Citation[] {
  const out: Citation[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(/`(test\/[^`\s]+\.test\.ts)`(?:\s*›\s*"([^"]+)")?/g)) {
      out.push({ line: i + 1, file: m[1] as string, ...(m[2] === undefined ? {} : { name: m[2] }) });
    }
  });
  return out;
}

describe('the citation reader', () => {
  it('finds paths with and without names, several on a line', () => {
    expect(citationsOf('a `test/e2e/x.test.ts` › "does y" and `test/unit/z.test.ts`.\n`src/a.ts` › "no"')).toEqual([
      { line: 1, file: 'test/e2e/x.test.ts', name: 'does y' },
      { line: 1, file: 'test/unit/z.test.ts' },
    ]);
  });
});

describe('docs/security.md', () => {
  const doc = readFileSync(resolve(root, 'docs/security.md'), 'utf8');
  const cites = citationsOf(doc);

  it('cites tests', () => {
    expect(cites.length).toBeGreaterThan(40);
  });

  it('every cited test file exists and holds the cited test name', () => {
    const problems: string[] = [];
    for (const c of cites) {
      const path = resolve(root, c.file);
      if (!existsSync(path)) {
        problems.push(`docs/security.md:${c.line} ${c.file} — no such file`);
        continue;
      }
      if (c.name !== undefined && !readFileSync(path, 'utf8').includes(c.name)) {
        problems.push(`docs/security.md:${c.line} ${c.file} — no test named "${c.name}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});
