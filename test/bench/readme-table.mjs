#!/usr/bin/env node
// Renders a bench-results.json (from `npm run bench`) as the Markdown of
// README.md § Performance: the machine line, the figures table, the scale
// table and the scale curve. Prints it; with --write, replaces the text
// between `<!-- bench:start -->` and `<!-- bench:end -->` in README.md and
// redraws docs/bench-scale.svg from the same run's samples, so that the table
// and the curve always come from one run.
// Usage: node test/bench/readme-table.mjs [bench-results.json] [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { figureTable, machineLine, markdownTable } from './lib/report.mjs';
import { scaleSvg } from './lib/plot.mjs';

const REPO = resolve(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const write = args.includes('--write');
const file = resolve(args.find((a) => a !== '--write') ?? resolve(REPO, 'bench-results.json'));
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`readme-table: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
if (!Array.isArray(r.figures) || !r.machine || !r.scaleTable || !Array.isArray(r.raw?.scale)) {
  console.error(`readme-table: ${file} is not a full bench-results.json (figures, machine, scaleTable, raw.scale)`);
  process.exit(1);
}

// The scale rows are shown by the scale table; the figures table keeps the rest.
const main = r.figures.filter((f) => !f.name.startsWith('scale '));
const block = [
  START,
  `Latest run: ${machineLine(r.machine)}; commit ${r.commit}; ${r.benchSeconds} s (without the build); exit status ${r.exitStatus}.`,
  '',
  figureTable(main),
  '',
  `Scale (${r.settings?.SCALE?.policies ?? '?'} policies; growth = factor per 10× step, 1k→10k and 10k→100k; ≤ 2× is flat, ≤ 7× sublinear, ≤ 13× linear):`,
  '',
  markdownTable(r.scaleTable.header, r.scaleTable.lines),
  '',
  '![How the Nexus figures grow with the stored secrets](docs/bench-scale.svg)',
  END,
].join('\n');

if (!write) {
  process.stdout.write(`${block}\n`);
} else {
  const readme = resolve(REPO, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) {
    console.error(`readme-table: README.md has no ${START} … ${END} block`);
    process.exit(1);
  }
  writeFileSync(readme, text.slice(0, a) + block + text.slice(b + END.length));
  writeFileSync(resolve(REPO, 'docs', 'bench-scale.svg'), scaleSvg(r.raw.scale, machineLine(r.machine)));
  console.error('readme-table: README.md § Performance and docs/bench-scale.svg updated');
}
