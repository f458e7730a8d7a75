// Bootstrap runs once per store (docs/design.md § Bootstrap): completion is
// recorded in `<nexus data dir>/bootstrap.json` (the bare-metal equivalent of
// upstream's Kubernetes ConfigMap), written atomically with mode 0600.
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileAtomic } from '../common/durable-file.js';

export const BOOTSTRAP_MARKER_FILE = 'bootstrap.json';

export interface BootstrapMarker {
  bootstrap_completed: true;
  completed_at: string;
  completed_by: string;
  shares: number;
  threshold: number;
}

export function markerPath(dataDir: string): string {
  return join(dataDir, BOOTSTRAP_MARKER_FILE);
}

/** Whether this store was bootstrapped (the marker exists, whatever its content). */
export function markerExists(dataDir: string): boolean {
  try {
    lstatSync(markerPath(dataDir));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Writes the marker atomically (common/durable-file.ts: temp file 0600, fsync, rename, directory fsync). */
export function writeMarker(dataDir: string, marker: BootstrapMarker): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  replaceFileAtomic(markerPath(dataDir), Buffer.from(JSON.stringify(marker) + '\n', 'utf8'));
}
