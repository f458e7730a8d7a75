// Writes the recovery files: upstream's names and bytes
// (`spike.recovery.<id>.txt`, `spike:<id>:<hex>` without newline), created
// with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, each fsynced (all at once),
// then, once every file is synced, the directory fsynced once
// (common/durable-file.ts; docs/design.md § Recovery directory and files).
// On any failure the files written by this run are removed again, so a run
// leaves all shards or none.
import { extname } from 'node:path';
import { removeMatching, writeShardFilesAllOrNone } from './files.js';
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
export function writeRecoveryFiles(dir: string, shards: ReadonlyMap<number, Uint8Array>): Promise<string[]> {
  const ids = [...shards.keys()].sort((a, b) => a - b);
  return writeShardFilesAllOrNone(
    dir,
    ids.map((id) => ({ id, name: recoveryFileName(id), content: () => formatShardFile(id, shards.get(id) as Uint8Array), wipe: true })),
  );
}
