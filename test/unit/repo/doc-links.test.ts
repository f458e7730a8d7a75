// Every relative link in the repository's Markdown leads to a tracked file
// (and, into a Markdown file, to one of its headings): see doc-links.ts. A
// failure lists each broken link as file:line target — problem.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, extractLinks, readRepoFile, slug, trackedFiles } from './doc-links.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the link reader', () => {
  it('finds inline links, images, reference definitions and HTML attributes, with their lines', () => {
    const text = ['# T', 'see [a](docs/a.md#x) and ![i](img/p.png "title")', '[ref]: <other file.md>', '<a href="x/y.md">y</a>'].join('\n');
    expect(extractLinks(text)).toEqual([
      { line: 2, target: 'docs/a.md#x' },
      { line: 2, target: 'img/p.png' },
      { line: 3, target: 'other file.md' },
      { line: 4, target: 'x/y.md' },
    ]);
  });

  it('skips code: fenced blocks, indented blocks and backtick spans', () => {
    const text = ['```sh', '[a](in-fence.md)', '```', '', '    [b](indented.md)', '', 'a `[c](span.md)` and ``[d](`double`.md)`` then [e](real.md)'].join('\n');
    expect(extractLinks(text).map((l) => l.target)).toEqual(['real.md']);
  });

  it("makes GitHub's heading anchors (the ones docs/cli.md links to)", () => {
    expect(slug('Upstream quirks: kept or fixed')).toBe('upstream-quirks-kept-or-fixed');
    expect(slug('`spike policy apply`')).toBe('spike-policy-apply');
    expect(slug('`spike operator verify [paths…] [-m manifest] [-i identity] [--fingerprint hex] [-f human|json]`')).toBe(
      'spike-operator-verify-paths--m-manifest--i-identity---fingerprint-hex--f-humanjson',
    );
    expect([...anchorsOf('## Exit codes\n\n```\n# not a heading\n```\n## Exit codes\n')]).toEqual(['exit-codes', 'exit-codes-1']);
  });
});

describe('links between tracked files', () => {
  const files = ['README.md', 'docs/a.md', 'docs/b.md', 'src/x.ts'];
  const texts: Record<string, string> = {
    'README.md': '[a](docs/a.md) [x](src/x.ts) [src](src/) [web](https://example.org/missing.md) [top](#intro) [gone](docs/gone.md)\n# Intro\n',
    'docs/a.md': '# A\n[b](b.md#section-two) [bad anchor](b.md#nope) [up](../README.md#intro) [out](../../elsewhere/x.md)\n',
    'docs/b.md': '# B\n## Section two\n',
  };
  const broken = brokenLinks(files, (p) => texts[p]);

  it('accepts files, directories with tracked files, URLs and existing anchors; refuses the rest', () => {
    expect(broken.map((b) => `${b.file}:${b.line} ${b.target} — ${b.problem}`)).toEqual([
      'README.md:1 docs/gone.md — docs/gone.md is not a tracked file',
      'docs/a.md:2 b.md#nope — docs/b.md has no heading #nope',
      'docs/a.md:2 ../../elsewhere/x.md — points outside the repository',
    ]);
  });
});

describe('this repository', () => {
  it('has no broken relative link in any tracked Markdown file', () => {
    const files = trackedFiles(root);
    expect(files.filter((f) => f.endsWith('.md')).length).toBeGreaterThan(5);
    const broken = brokenLinks(files, readRepoFile(root));
    expect(broken.map((b) => `${b.file}:${b.line} ${b.target} — ${b.problem}`)).toEqual([]);
  });
});
