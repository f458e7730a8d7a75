// Audit lines are buffered per event-loop turn (src/common/log.ts) and never
// lost when the process ends through process.exit (SIGTERM via lifecycle.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferedWriter, createLogger } from '../../../src/common/log.js';

describe('bufferedWriter', () => {
  it('writes the lines of one turn with one sink call, in order', async () => {
    const chunks: string[] = [];
    const w = bufferedWriter((c) => chunks.push(c));
    w.write('a\n');
    w.write('b\n');
    expect(chunks).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['a\nb\n']);
    w.write('c\n');
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['a\nb\n', 'c\n']);
  });

  it('flushes at once past the size limit, and on demand', () => {
    const chunks: string[] = [];
    const w = bufferedWriter((c) => chunks.push(c), 10);
    w.write('12345\n');
    expect(chunks).toEqual([]);
    w.write('67890\n');
    expect(chunks).toEqual(['12345\n67890\n']);
    w.write('x\n');
    w.flush();
    expect(chunks).toEqual(['12345\n67890\n', 'x\n']);
    w.flush();
    expect(chunks).toHaveLength(2);
  });

  it('an injected auditOut still gets one call per line', () => {
    const lines: string[] = [];
    createLogger({ component: 't', level: 'warn', auditOut: (l) => lines.push(l) }).audit('request', { status: 200 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'AUDIT', component: 't', action: 'request', status: 200 });
  });
});

describe('audit lines at process end', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = mkdtempSync('/tmp/lga-');
    const src = join(dir, 'child.ts');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      src,
      `import { createLogger } from ${JSON.stringify(resolve('src/common/log.ts'))};
const log = createLogger({ component: 'child', level: 'warn' });
process.on('SIGTERM', () => { for (let i = 0; i < 500; i++) log.audit('late', { i }); process.exit(0); });
for (let i = 0; i < 1000; i++) log.audit('early', { i });
setInterval(() => undefined, 1000);
process.stdout.write('ready\\n');
`,
    );
    script = join(dir, 'child.mjs');
    await build({ entryPoints: [src], outfile: script, bundle: true, format: 'esm', platform: 'node', logLevel: 'silent' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM → process.exit: every line is on stderr, none cut', async () => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok()));
    child.kill('SIGTERM');
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(0);
    const lines = stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { action: string; i: number });
    expect(lines.filter((l) => l.action === 'early').map((l) => l.i)).toEqual([...Array(1000).keys()]);
    expect(lines.filter((l) => l.action === 'late').map((l) => l.i)).toEqual([...Array(500).keys()]);
  });
});
