// Small statistics helpers: medians and percentiles of samples.

export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const s = Float64Array.from(samples).sort();
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}

export const median = (samples) => percentile(samples, 50);

export function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
