// Writes the recovery files: upstream's names and bytes
// (`spike.recovery.<id>.txt`, `spike:<id>:<hex>` without newline), created
// with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, each fsynced (all at once),
// then, once every file is synced, the directory fsynced once
// (common/durable-file.ts; docs/design.md § Recovery directory and files).
// On any failure the files written by this run are removed again, so a run
// leaves all shards or none.
import { extname, join } from 'node:path';
import { CliError, ExitCode } from '../output/exit.js';
import { fsyncDirectoryAsync, writeFileExclusiveAsync } from '../../common/durable-file.js';
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
export function removeOldRecoveryFiles(dir: string): Promise<void> {
  return removeMatching(dir, isOldRecoveryFile, { overwrite: true });
}

/**
 * Writes one file per shard into `dir`, which must already be prepared and
 * cleaned; the files are written and synced at once, the directory synced
 * after all of them. Returns the file paths (ascending id). When a file
 * fails, the lowest such id is reported and every file of this run removed.
 * Does not zero `shards` (the caller owns them); zeroes the file contents it
 * builds.
 */
export async function writeRecoveryFiles(dir: string, shards: ReadonlyMap<number, Uint8Array>): Promise<string[]> {
  const ids = [...shards.keys()].sort((a, b) => a - b);
  const results = await Promise.allSettled(
    ids.map(async (id) => {
      const path = join(dir, recoveryFileName(id));
      const content = formatShardFile(id, shards.get(id) as Uint8Array);
      try {
        await writeFileExclusiveAsync(path, content, { syncDirectory: false });
        return path;
      } catch (e) {
        throw new CliError(ExitCode.filesystem, `Failed to save shard ${id}: ${path} (${errnoCode(e)}).`);
      } finally {
        content.fill(0);
      }
    }),
  );
  const written = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    try {
      await fsyncDirectoryAsync(dir);
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to sync recovery directory ${dir} (${errnoCode(e)}).`);
    }
    return written;
  } catch (e) {
    for (const p of written) discardQuietly(p);
    throw e;
  }
}
