// Where spike-dev-agent keeps its files inside SPIKE_DEV_DIR, and the
// private-directory helper they all go through.
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Linux cuts unix socket paths at 107 bytes (+NUL); Node cuts silently, so we refuse longer ones. */
export const MAX_SOCKET_PATH_BYTES = 100;

export interface DevPaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly entries: string;
  readonly socketsDir: string;
  readonly controlSocket: string;
  readonly pidFile: string;
  socket(workload: string): string;
}

export class DevPathError extends Error {
  override readonly name = 'DevPathError';
}

export function devPaths(dir: string): DevPaths {
  const socketsDir = join(dir, 'sockets');
  return Object.freeze({
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    entries: join(dir, 'entries.json'),
    socketsDir,
    controlSocket: join(socketsDir, 'control.sock'),
    pidFile: join(dir, 'agent.pid'),
    socket: (workload: string) => join(socketsDir, `${workload}.sock`),
  });
}

/** Throws when a unix socket path would be cut short by the kernel. */
export function checkSocketPath(path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new DevPathError(`socket path too long (${Buffer.byteLength(path)} bytes, at most ${MAX_SOCKET_PATH_BYTES}): ${path}; use a shorter SPIKE_DEV_DIR`);
  }
}

/** Creates `path` (and parents) if missing; the directory itself must be a real directory, mode 0700. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const st = lstatSync(path);
  if (!st.isDirectory()) throw new DevPathError(`not a directory: ${path}`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new DevPathError(`directory not owned by the current user: ${path}`);
  }
  if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
}
