// Durability: a writer process that is SIGKILLed mid-stream loses nothing it
// reported as written (synchronous=FULL, every write in its own committed
// transaction), and the key check still works on the crashed store's WAL.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRootKey, openSqliteStore } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const REPO = resolve(import.meta.dirname, '../../../..');
// The child bundle lives in a temp dir: its better-sqlite3 is this repository's, by absolute path
// (a bare name would be looked up from the temp dir upwards, e.g. a node_modules in /tmp built for another Node).
const BETTER_SQLITE3 = createRequire(join(REPO, 'package.json')).resolve('better-sqlite3');

// The child: reads the hex root key from stdin (never argv/env), then writes
// secrets and policies forever, acknowledging each one after it returned.
const CHILD_SOURCE = `
import { openSqliteStore } from './src/nexus/store/index.js';
import { createInterface } from 'node:readline';
const rl = createInterface({ input: process.stdin });
rl.once('line', (hex) => {
  rl.close();
  const key = Buffer.from(hex.trim(), 'hex');
  const store = openSqliteStore({ dataDir: process.argv[2], rootKey: key, maxVersions: 3 });
  key.fill(0);
  let i = 0;
  const step = () => {
    store.putSecret('dur/' + i, { v: 'value-' + i });
    if (i % 5 === 0) store.putPolicy({ name: 'pol-' + i, spiffeIdPattern: '^spiffe://x/' + i + '$', pathPattern: 'dur/.*', permissions: ['read'] });
    store.putSecret('dur/rolling', { v: String(i) });
    process.stdout.write('ok ' + i + '\\n');
    i++;
    setImmediate(step);
  };
  step();
});
`;

describe('SQLite durability', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length > 0) cleanups.pop()?.();
  });

  it('everything a SIGKILLed writer acknowledged is there after reopen', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const bundle = join(t.dir, 'child.cjs');
    await build({
      stdin: { contents: CHILD_SOURCE, resolveDir: REPO, loader: 'ts', sourcefile: 'child.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      plugins: [
        {
          name: 'better-sqlite3-of-the-repository',
          setup(b) {
            b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: BETTER_SQLITE3, external: true }));
          },
        },
      ],
      outfile: bundle,
      logLevel: 'error',
    });
    const dataDir = join(t.dir, 'data');
    const child: ChildProcess = spawn(process.execPath, [bundle, dataDir], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    cleanups.unshift(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin?.end(testKey().toString('hex') + '\n');

    const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_code, sig) => res(sig)));
    let acked = -1;
    await new Promise<void>((res, rej) => {
      const rl = createInterface({ input: child.stdout! });
      rl.on('line', (line) => {
        const m = /^ok (\d+)$/.exec(line);
        if (m) acked = Number(m[1]);
        if (acked >= 60 && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          res();
        }
      });
      child.once('exit', () => (acked >= 60 ? res() : rej(new Error(`child exited early: ${stderr}`))));
    });
    expect(await exited).toBe('SIGKILL');
    // Lines read after the kill was sent may raise `acked`; all of them were reported written.
    const reported = acked;

    // The crash left committed data in the WAL (nothing checkpointed it).
    expect(statSync(join(dataDir, 'spike.db-wal')).size).toBeGreaterThan(0);
    // The key check sees the crashed store's WAL (the key-check value may live only there).
    expect(checkRootKey(dataDir, testKey())).toBe('match');
    expect(checkRootKey(dataDir, testKey(9))).toBe('mismatch');

    const store = openSqliteStore({ dataDir, rootKey: testKey(), maxVersions: 3 });
    try {
      for (let i = 0; i <= reported; i++) expect(store.getSecret(`dur/${i}`)).toEqual({ v: `value-${i}` });
      for (let i = 0; i <= reported; i += 5) expect(store.getPolicy(`pol-${i}`).spiffeIdPattern).toBe(`^spiffe://x/${i}$`);
      const rolling = store.getSecretMetadata('dur/rolling');
      expect(rolling.metadata.currentVersion).toBeGreaterThanOrEqual(reported + 1);
      // Pruning persisted: at most maxVersions rows, numbered consecutively up to current.
      const nums = [...rolling.versions.keys()];
      expect(nums.length).toBe(3);
      expect(nums).toEqual([0, 1, 2].map((d) => rolling.metadata.currentVersion - 2 + d));
      expect(Number(store.getSecret('dur/rolling').v)).toBeGreaterThanOrEqual(reported);
    } finally {
      store.close();
    }
  });
});
