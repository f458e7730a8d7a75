// Writes the recovery files: upstream's names and bytes
// (`spike.recovery.<id>.txt`, `spike:<id>:<hex>` without newline), created
// with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, fsynced, then the directory
// fsynced once (common/durable-file.ts; docs/design.md § Recovery directory
// and files). On any failure the files written by this run are removed
// again, so a run leaves all shards or none.
import { extname, join } from 'node:path';
import { CliError, ExitCode } from '../output/exit.js';
import { fsyncDirectory, writeFileExclusive } from '../../common/durable-file.js';
import { discardQuietly, errnoCode, removeMatching } from './files.js';
import { formatShardFile } from './shard.js';

export function recoveryFileName(id: number): string {
  return `spike.recovery.${id}.txt`;
}

/** Upstream's clean-up rule: top-level names starting `spike.recovery` with extension `.txt`. */
export function isOldRecoveryFile(name: string): boolean {
  return name.startsWith('spike.recovery') && extname(name) === '.txt';
}

/**
 * Removes earlier recovery files from `dir` (upstream behaviour; other files
 * are left alone), their plaintext content zeroed and fsynced first.
 */
export function removeOldRecoveryFiles(dir: string): void {
  removeMatching(dir, isOldRecoveryFile, { overwrite: true });
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
        writeFileExclusive(path, content, { syncDirectory: false });
        written.push(path);
      } catch (e) {
        throw new CliError(ExitCode.filesystem, `Failed to save shard ${id}: ${path} (${errnoCode(e)}).`);
      } finally {
        content.fill(0);
      }
    }
    try {
      fsyncDirectory(dir);
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to sync recovery directory ${dir} (${errnoCode(e)}).`);
    }
    return written;
  } catch (e) {
    for (const p of written) discardQuietly(p);
    throw e;
  }
}
