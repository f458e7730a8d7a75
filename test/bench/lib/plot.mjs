// The scale curve as an SVG (hand-written, no dependency): one small panel
// per figure, x = stored secrets on a log scale (1k, 10k, 100k), y linear
// from 0, each point labelled with its value, and the growth per 10× step
// under each panel's title.
import { scaleSummary } from './scale.mjs';

const COLORS = ['#1f77b4', '#d62728', '#7f7f7f'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (!Number.isFinite(v) ? 'n/a' : v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));
const kLabel = (n) => `${n / 1000}k`;

/** A "nice" axis maximum and step (1, 2, 2.5 or 5 × 10^k) for 4–5 ticks above `max`. */
function niceAxis(max) {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

/** One panel: `series` = [{ label, values }] over `levels` (secret counts). */
function panel({ x0, y0, w, h, title, subtitle, unit, levels, series }) {
  const left = x0 + 46;
  const right = x0 + w - 18;
  const top = y0 + 58;
  const bottom = y0 + h - 44;
  const lx = levels.map((n) => Math.log10(n));
  const xOf = (n) => left + ((Math.log10(n) - lx[0]) / (lx[lx.length - 1] - lx[0] || 1)) * (right - left);
  const max = Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const { top: yTop, step } = niceAxis(max * 1.08);
  const yOf = (v) => bottom - (v / yTop) * (bottom - top);
  const out = [];
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 16}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  [subtitle].flat().forEach((line, i) => out.push(`<text x="${x0 + w / 2}" y="${y0 + 31 + i * 13}" text-anchor="middle" fill="#555">${esc(line)}</text>`));
  for (let v = 0; v <= yTop + step / 2; v += step) {
    const y = yOf(v).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 4}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end" fill="#555">${esc(fmt(v))}</text>`);
  }
  out.push(`<text x="${x0 + 10}" y="${(top + bottom) / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 ${x0 + 10} ${(top + bottom) / 2})">${esc(unit)}</text>`);
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  for (const n of levels) {
    const x = xOf(n).toFixed(1);
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#555">${kLabel(n)}</text>`);
  }
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = levels.map((n, i) => [xOf(n), yOf(s.values[i])]).filter(([, y]) => Number.isFinite(y));
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    levels.forEach((n, i) => {
      if (!Number.isFinite(s.values[i])) return;
      if (s.labels === false) {
        out.push(`<circle cx="${xOf(n).toFixed(1)}" cy="${yOf(s.values[i]).toFixed(1)}" r="2" fill="${color}"/>`);
        return;
      }
      const x = xOf(n);
      const y = yOf(s.values[i]);
      out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
      const anchor = i === 0 ? 'start' : i === levels.length - 1 ? 'end' : 'middle';
      // the first series' values above its points, the second's below (they often run close together)
      const ly = k === 1 ? y + 15 : y - 6;
      out.push(`<text x="${(x + (i === 0 ? 4 : i === levels.length - 1 ? -4 : 0)).toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${anchor}" fill="${color}">${esc(fmt(s.values[i]))}</text>`);
    });
    if (series.length > 1) {
      // legend under the x axis, side by side
      const lx0 = left + series.slice(0, k).reduce((x, o) => x + 30 + o.label.length * 6, 0);
      const ly = bottom + 32;
      out.push(`<line x1="${lx0}" y1="${ly}" x2="${lx0 + 14}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
      out.push(`<text x="${lx0 + 18}" y="${ly + 4}" fill="${color}">${esc(s.label)}</text>`);
    }
  });
  out.push(`<rect x="${x0 + 0.5}" y="${y0 + 0.5}" width="${w - 1}" height="${h - 1}" fill="none" stroke="#ccc"/>`);
  return out.join('\n');
}

/** The SVG text of the scale curve of `levels` (scale.mjs's result), with `caption` (machine and date) under the title. */
export function scaleSvg(levels, caption) {
  const counts = levels.map((l) => l.secrets);
  const byKey = Object.fromEntries(scaleSummary(levels).map((s) => [s.key, s]));
  const growth = (...keys) => keys.map((k) => `${byKey[k].steps.map((x) => `×${fmt(x)}`).join(' ')}`).join(' / ');
  const vals = (k) => byKey[k].values;
  const panels = [
    {
      title: 'secret get (8 conns)',
      subtitle: [`per 10×: p50 ${growth('getP50')}, p99 ${growth('getP99')}`, `p50 ÷ echo p50 ${growth('getP50VsEcho')}`],
      unit: 'ms',
      series: [{ label: 'p50', values: vals('getP50') }, { label: 'p99', values: vals('getP99') }, { label: 'echo p50', values: vals('echoP50'), labels: false }],
    },
    {
      title: 'secret put (8 conns, fsync)',
      subtitle: [`per 10×: p50 ${growth('putP50')}, p99 ${growth('putP99')}`, `p50 ÷ echo p50 ${growth('putP50VsEcho')}`],
      unit: 'ms',
      series: [{ label: 'p50', values: vals('putP50') }, { label: 'p99', values: vals('putP99') }, { label: 'echo p50', values: vals('echoP50'), labels: false }],
    },
    { title: 'get p50: superuser vs 1k policies', subtitle: [`per 10×: via policy ${growth('policyGetP50')}`, `via policy ÷ echo ${growth('policyGetP50VsEcho')}`], unit: 'ms', series: [{ label: 'superuser', values: vals('getP50') }, { label: 'via policy', values: vals('policyGetP50') }] },
    { title: 'spike secret list (wall)', subtitle: `per 10×: ${growth('listMs')}`, unit: 'ms', series: [{ label: 'list', values: vals('listMs') }] },
    { title: 'Nexus start → ready', subtitle: `per 10×: ${growth('readyMs')}`, unit: 'ms', series: [{ label: 'ready', values: vals('readyMs') }] },
    { title: 'Nexus RSS / store size', subtitle: [`per 10×: RSS ${growth('rssMiB')}, after lists ${growth('rssAfterListsMiB')}`, `db ${growth('dbMiB')}`], unit: 'MiB', series: [{ label: 'RSS', values: vals('rssMiB') }, { label: '+ lists', values: vals('rssAfterListsMiB') }, { label: 'spike.db+WAL', values: vals('dbMiB') }] },
  ];
  const W = 310;
  const H = 262;
  const cols = 3;
  const width = W * cols + 20;
  const height = 56 + Math.ceil(panels.length / cols) * (H + 10) + 10;
  const body = panels.map((p, i) => panel({ ...p, x0: 10 + (i % cols) * W, y0: 56 + Math.floor(i / cols) * (H + 10), w: W - 10, h: H, levels: counts }));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">spike-ts: how Nexus figures grow with stored secrets (${esc(counts.map(kLabel).join(' / '))}, ${esc(levels[0]?.policies ?? '')} policies)</text>`,
    `<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${esc(caption)}; x: stored secrets (log scale), medians</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
