// The bench's figures: one shape for every row of bench-results.json
// ({ name, value, unit, baseline, ratio, target, pass }, null where there is
// none), the printed tables and the machine description.
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { round } from './stats.mjs';

const OPS = { '<=': (a, b) => a <= b, '>=': (a, b) => a >= b };
const SIGN = { '<=': '≤', '>=': '≥' };

/**
 * A target on the figure's `ratio` (against its baseline) or on its `value`.
 * @param {'ratio'|'value'} on
 * @param {'<='|'>='} op
 */
export function target(on, op, limit, unit = '') {
  return { on, op, limit, text: on === 'ratio' ? `${SIGN[op]} ${limit}×` : `${SIGN[op]} ${limit}${unit ? ` ${unit}` : ''}` };
}

const CORE_KEYS = new Set(['name', 'unit', 'value', 'baseline', 'ratio', 'target', 'pass']);
const digits = (unit) => (unit === '×' || unit === 'ratio' ? 2 : 1);

/**
 * Completes and rounds raw rows: every key present (null when absent), `pass`
 * computed from the target on the unrounded numbers.
 */
export function finalize(rows) {
  return rows.map((r) => {
    const ratio = r.ratio === undefined || r.ratio === null || !Number.isFinite(r.ratio) ? null : r.ratio;
    const t = r.target ?? null;
    let pass = null;
    if (t !== null) {
      const x = t.on === 'ratio' ? ratio : r.value;
      pass = Number.isFinite(x) ? OPS[t.op](x, t.limit) : false;
    }
    const { name, unit, value, baseline } = r;
    const extra = Object.fromEntries(Object.entries(r).filter(([k]) => !CORE_KEYS.has(k)));
    return {
      name,
      value: Number.isFinite(value) ? round(value, digits(unit)) : null,
      unit,
      baseline: baseline ? { label: baseline.label, value: round(baseline.value, digits(unit)) } : null,
      ratio: ratio === null ? null : round(ratio, 2),
      target: t,
      pass,
      ...extra,
    };
  });
}

/** A Markdown table (also readable in a terminal). */
export function markdownTable(header, lines) {
  const cells = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => String(row[i]).length)));
  const line = (row) => `| ${row.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

const withUnit = (v, unit) => (v === null ? 'n/a' : unit === '×' ? `${v}×` : `${v} ${unit}`);

/** The main table: figure, value, baseline, ratio, target, result. */
export function figureTable(rows) {
  return markdownTable(
    ['figure', 'value', 'baseline', 'ratio', 'target', 'result'],
    rows.map((r) => [
      r.note ? `${r.name} (${r.note})` : r.name,
      withUnit(r.value, r.unit),
      r.baseline ? `${withUnit(r.baseline.value, r.unit)} (${r.baseline.label})` : '',
      r.ratio === null ? '' : `${r.ratio}×`,
      r.target?.text ?? '',
      r.pass === null ? '' : r.pass ? 'PASS' : 'MISS',
    ]),
  );
}

/** The machine the figures come from. */
export function machine() {
  const c = cpus();
  return {
    cpuModel: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverage1m: round(loadavg()[0], 2),
    date: new Date().toISOString(),
  };
}

export const machineLine = (m) => `${m.cpuModel}, ${m.cores} cores, Node ${m.node.replace(/^v/, '')}, ${m.os}, ${m.date.slice(0, 10)} (load average ${m.loadAverage1m} at start)`;

/** Exit status of a finished run: 0 every target passes, 3 one is missed. */
export const exitStatus = (rows) => (rows.some((r) => r.pass === false) ? 3 : 0);
