// Shared fixtures for the store tests: temp data dirs, a controllable clock,
// and a backend table (memory + SQLite) with a "reopen" operation.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openMemoryStore, openSqliteStore, type SecretStore } from '../../../../src/nexus/store/index.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync('/tmp/sst-');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testKey(fill = 0x42): Buffer {
  const k = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) k[i] = (fill + i * 7) & 0xff;
  return k;
}

/** A clock that advances one second per call, from a fixed whole-second start. */
export function steppingClock(start = Date.UTC(2026, 0, 2, 3, 4, 5)): { now: () => Date; peek: () => Date } {
  let t = start;
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
    peek: () => new Date(t),
  };
}

export interface Harness {
  store: SecretStore;
  /** SQLite: close and open again from disk; memory: same store. */
  reopen(): SecretStore;
  dispose(): void;
}

export interface BackendCase {
  name: 'memory' | 'sqlite';
  make(opts: { maxVersions: number; now?: () => Date }): Harness;
}

export const BACKENDS: BackendCase[] = [
  {
    name: 'memory',
    make({ maxVersions, now }) {
      const store = openMemoryStore({ maxVersions, ...(now ? { now } : {}) });
      return { store, reopen: () => store, dispose: () => store.close() };
    },
  },
  {
    name: 'sqlite',
    make({ maxVersions, now }) {
      const t = tempDir();
      const dataDir = join(t.dir, 'data');
      const open = (): SecretStore => openSqliteStore({ dataDir, rootKey: testKey(), maxVersions, ...(now ? { now } : {}) });
      const h: Harness = {
        store: open(),
        reopen() {
          h.store.close();
          h.store = open();
          return h.store;
        },
        dispose() {
          h.store.close();
          t.cleanup();
        },
      };
      return h;
    },
  },
];
