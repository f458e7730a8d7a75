#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench` or
// `node --cpu-prof`): self time per script and the top functions.
// Usage: node test/bench/profile-summary.mjs <file.cpuprofile> [top=15]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i] ?? 0) / 1000;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byScript = new Map();
const byFn = new Map();
for (const [id, ms] of self) {
  const { callFrame: f } = byId.get(id);
  const script = f.url ? f.url.replace(/^.*\/(dist|node_modules)\//, '$1/') : `(${f.functionName || 'native'})`;
  byScript.set(script, (byScript.get(script) ?? 0) + ms);
  const fn = `${f.functionName || '(anonymous)'} ${script}:${f.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
}
const show = (title, m) => {
  console.log(`${title}`);
  for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${k}`);
};
console.log(`total sampled: ${total.toFixed(1)} ms (wall ${((prof.endTime - prof.startTime) / 1000).toFixed(1)} ms)`);
show('self time by script:', byScript);
show('self time by function:', byFn);
