// Writes the recovery files: upstream's names and bytes
// (`spike.recovery.<id>.txt`, `spike:<id>:<hex>` without newline), created
// with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, fsynced, then the directory
// fsynced (spec README decision 6). On any failure the files written by this
// run are removed again, so a run leaves all shards or none.
import { closeSync, constants, fsyncSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CliError, ExitCode } from '../exit.js';
import { formatShardFile } from '../shard.js';

export function recoveryFileName(id: number): string {
  return `spike.recovery.${id}.txt`;
}

/** Upstream's clean-up rule: top-level names starting `spike.recovery` with extension `.txt`. */
export function isOldRecoveryFile(name: string): boolean {
  return name.startsWith('spike.recovery') && extname(name) === '.txt';
}

function errCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'error';
}

/** Removes earlier recovery files from `dir` (upstream behaviour; other files are left alone). */
export function removeOldRecoveryFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new CliError(ExitCode.filesystem, `Failed to read recover directory: ${dir} (${errCode(e)}).`);
  }
  for (const name of names) {
    if (!isOldRecoveryFile(name)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to remove old recovery file ${join(dir, name)} (${errCode(e)}).`);
    }
  }
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function writeOne(path: string, content: Uint8Array): void {
  const fd = openSync(path, CREATE_FLAGS, 0o600);
  try {
    let off = 0;
    while (off < content.length) off += writeSync(fd, content, off, content.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes one file per shard (ascending id) into `dir`, which must already be
 * prepared and cleaned. Returns the file paths. Does not zero `shards` (the
 * caller owns them); zeroes the file contents it builds.
 */
export function writeRecoveryFiles(dir: string, shards: ReadonlyMap<number, Uint8Array>): string[] {
  const written: string[] = [];
  const ids = [...shards.keys()].sort((a, b) => a - b);
  try {
    for (const id of ids) {
      const path = join(dir, recoveryFileName(id));
      const content = formatShardFile(id, shards.get(id) as Uint8Array);
      try {
        writeOne(path, content);
        written.push(path);
      } catch (e) {
        throw new CliError(ExitCode.filesystem, `Failed to save shard ${id}: ${path} (${errCode(e)}).`);
      } finally {
        content.fill(0);
      }
    }
    try {
      fsyncDirectory(dir);
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to sync recovery directory ${dir} (${errCode(e)}).`);
    }
    return written;
  } catch (e) {
    for (const p of written) {
      try {
        unlinkSync(p);
      } catch {
        // best effort: the error below already tells the operator what failed
      }
    }
    throw e;
  }
}
