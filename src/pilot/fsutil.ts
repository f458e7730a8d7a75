// File-system primitives of the recovery files (docs/design.md § Recovery directory and files):
// exclusive 0600 creation that never follows a symlink, fsync of files and
// directories, and the clean-up of earlier outputs. Shared by the plaintext
// writer (recovery/writer.ts) and the break-glass additions (breakglass/files.ts).
import { closeSync, constants, fsyncSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode } from './exit.js';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The errno code of a Node fs error ("EACCES", …), or "error". */
export function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'error';
}

/** Creates `path` (must not exist, not through a symlink), mode 0600, writes, fsyncs. */
export function writeExclusive(path: string, content: Uint8Array): void {
  const fd = openSync(path, CREATE_FLAGS, 0o600);
  try {
    let off = 0;
    while (off < content.length) off += writeSync(fd, content, off, content.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes the top-level entries of `dir` whose names match (exit 4 on failure). */
export function removeMatching(dir: string, matches: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new CliError(ExitCode.filesystem, `Failed to read recover directory: ${dir} (${errnoCode(e)}).`);
  }
  for (const name of names) {
    if (!matches(name)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to remove old recovery file ${join(dir, name)} (${errnoCode(e)}).`);
    }
  }
}
