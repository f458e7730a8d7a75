// Bootstrap runs once per store (docs/design.md § Bootstrap): completion is
// recorded in `<nexus data dir>/bootstrap.json` (the bare-metal equivalent of
// upstream's Kubernetes ConfigMap), written atomically with mode 0600.
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

/** Writes the marker atomically: temp file (O_EXCL, 0600) → fsync → rename → fsync the directory. */
export function writeMarker(dataDir: string, marker: BootstrapMarker): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const final = markerPath(dataDir);
  const tmp = `${final}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, JSON.stringify(marker) + '\n');
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, final);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  const dfd = openSync(dataDir, constants.O_RDONLY);
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
