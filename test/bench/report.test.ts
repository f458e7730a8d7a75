// The bench's pure report logic: targets → pass, the exit status, growth
// shapes per 10× of data, and the SVG of the scale curve. Expected values are
// worked out by hand from the definitions in test/bench/README.md.
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

interface Row {
  name: string;
  value: number | null;
  unit: string;
  baseline: { label: string; value: number } | null;
  ratio: number | null;
  target: { on: string; op: string; limit: number; text: string } | null;
  pass: boolean | null;
  [k: string]: unknown;
}
interface Report {
  target(on: 'ratio' | 'value', op: '<=' | '>=', limit: number, unit?: string): Row['target'];
  finalize(rows: object[]): Row[];
  exitStatus(rows: Row[]): number;
}
interface Level {
  secrets: number;
  policies: number;
  get: { p50: number; p99: number; p50VsEcho: number };
  put: { p50: number; p99: number; p50VsEcho: number };
  policyGet: { p50: number; p50VsEcho: number };
  echo: { p50: number };
  listMs: number;
  readyMs: number;
  rssMiB: number;
  rssAfterListsMiB: number;
  dbMiB: number;
}
interface Scale {
  shapeOf(f: number): string;
  withinExpected(shape: string, expected: string): boolean;
  scaleSummary(levels: Level[]): { key: string; values: number[]; steps: number[]; worst: number; shape: string; ok: boolean }[];
}
interface Plot {
  scaleSvg(levels: Level[], caption: string): string;
}

// The bench is plain Node ESM without type declarations: load it by URL and
// type what the tests use (a literal specifier would need .d.mts files).
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(import.meta.dirname, 'lib', file)).href)) as T;
const report = await load<Report>('report.mjs');
const scale = await load<Scale>('scale.mjs');
const plot = await load<Plot>('plot.mjs');

const level = (secrets: number, k: number, rss = 100 * k): Level => ({
  secrets,
  policies: 1000,
  get: { p50: 2, p99: 6, p50VsEcho: 1.2 },
  put: { p50: 5, p99: 20, p50VsEcho: 3 },
  policyGet: { p50: 4, p50VsEcho: 2.4 },
  echo: { p50: 1.7 },
  listMs: 100 * k,
  readyMs: 300,
  rssMiB: rss,
  rssAfterListsMiB: rss,
  dbMiB: 5 * k,
});

describe('bench report', () => {
  it('passes a ratio target at its limit and misses it just above', () => {
    const t = report.target('ratio', '<=', 3);
    const [at, above] = report.finalize([
      { name: 'a', unit: 'ms', value: 60, baseline: { label: 'node -e 0', value: 20 }, ratio: 3, target: t },
      { name: 'b', unit: 'ms', value: 60.3, baseline: { label: 'node -e 0', value: 20 }, ratio: 3.01, target: t },
    ]);
    expect(at?.pass).toBe(true);
    expect(above?.pass).toBe(false);
    expect(at?.target?.text).toBe('≤ 3×');
  });

  it('checks ≥ targets on the ratio and value targets on the value', () => {
    const [put, ready] = report.finalize([
      { name: 'put', unit: 'req/s', value: 900, baseline: { label: 'echo', value: 4000 }, ratio: 0.225, target: report.target('ratio', '>=', 0.5) },
      { name: 'ready', unit: 'ms', value: 1000.4, target: report.target('value', '<=', 1000, 'ms') },
    ]);
    expect(put?.pass).toBe(false);
    expect(ready?.pass).toBe(false);
    expect(ready?.target?.text).toBe('≤ 1000 ms');
  });

  it('fills every key with null where there is no baseline, ratio or target, and keeps extra keys', () => {
    const [r] = report.finalize([{ name: 'x', unit: '/s', value: 12.345, note: '1 run' }]);
    expect(r).toEqual({ name: 'x', value: 12.3, unit: '/s', baseline: null, ratio: null, target: null, pass: null, note: '1 run' });
  });

  it('misses a target whose figure could not be measured', () => {
    const [r] = report.finalize([{ name: 'x', unit: 'ms', value: NaN, target: report.target('value', '<=', 1000, 'ms') }]);
    expect(r?.value).toBeNull();
    expect(r?.pass).toBe(false);
  });

  it('exits 3 when one target is missed, 0 when none is (figures without a target do not count)', () => {
    const rows = report.finalize([
      { name: 'a', unit: 'ms', value: 1 },
      { name: 'b', unit: 'ms', value: 1, target: report.target('value', '<=', 2, 'ms') },
    ]);
    expect(report.exitStatus(rows)).toBe(0);
    const missed = report.finalize([...rows, { name: 'c', unit: 'ms', value: 3, target: report.target('value', '<=', 2, 'ms') }]);
    expect(report.exitStatus(missed)).toBe(3);
  });
});

describe('bench scale shapes', () => {
  it('names the growth per 10× of data', () => {
    expect([1, 2, 2.01, 7, 7.5, 13, 13.5].map(scale.shapeOf)).toEqual(['flat', 'flat', 'sublinear', 'sublinear', 'linear', 'linear', 'superlinear']);
    expect(scale.shapeOf(NaN)).toBe('unknown');
  });

  it('accepts only flat where flat is expected, anything up to linear where linear is', () => {
    expect(scale.withinExpected('flat', 'flat')).toBe(true);
    expect(scale.withinExpected('sublinear', 'flat')).toBe(false);
    expect(scale.withinExpected('linear', 'linear')).toBe(true);
    expect(scale.withinExpected('superlinear', 'linear')).toBe(false);
  });

  it('computes each 10× step and judges the worst one', () => {
    // list: 100 → 300 → 4500 ms: steps 3× and 15× (superlinear); RSS 100 → 120 → 150: flat
    const levels = [level(1000, 1, 100), level(10_000, 3, 120), level(100_000, 45, 150)];
    const byKey = Object.fromEntries(scale.scaleSummary(levels).map((s) => [s.key, s]));
    expect(byKey.listMs?.steps).toEqual([3, 15]);
    expect(byKey.listMs?.worst).toBe(15);
    expect(byKey.listMs?.ok).toBe(false);
    expect(byKey.rssMiB?.steps).toEqual([1.2, 1.25]);
    expect(byKey.rssMiB?.shape).toBe('flat');
    expect(byKey.getP50?.steps).toEqual([1, 1]);
  });
});

describe('bench scale SVG', () => {
  const levels = [level(1000, 1), level(10_000, 2), level(100_000, 10)];

  it('draws one panel per figure group with a point per size, the caption escaped', () => {
    const svg = plot.scaleSvg(levels, 'cpu <x> & y');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('cpu &lt;x&gt; &amp; y');
    expect(svg).not.toContain('<x>');
    // 6 panels: get (3 series), put (3), policy (2), list (1), ready (1), RSS/RSS after lists/db (3) = 13 polylines
    expect(svg.match(/<polyline /g)?.length).toBe(13);
    expect(svg.match(/<rect x=/g)?.length).toBe(6);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('leaves out a figure that could not be measured (no RSS outside Linux) instead of drawing NaN', () => {
    const svg = plot.scaleSvg([level(1000, 1, NaN), level(10_000, 2, NaN), level(100_000, 10, NaN)], 'm');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
