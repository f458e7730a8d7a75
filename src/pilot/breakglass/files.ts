// File operations of the recovery files (docs/design.md § Recovery directory
// and files) that the durable writes (common/durable-file.ts) leave to the
// Pilot: errno codes for one-line errors, the clean-up of earlier outputs
// (plaintext ones: recovery-writer.ts; encrypted ones and the manifest:
// here), the manifest written atomically, and size-limited reads. Failures are
// CliError exit 4 (writes) or exit 2 (reading an input the operator named).
import { closeSync, constants, openSync, readdirSync, readSync, fstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode } from '../output/exit.js';
import { fsyncDirectoryAsync, overwriteAndUnlink, overwriteAndUnlinkAsync, stageReplacementAsync, writeFileExclusiveAsync } from '../../common/durable-file.js';

/** The errno code of a Node fs error ("EACCES", …), if it has one. */
export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The errno code of a Node fs error, or "error". */
export function errnoCode(e: unknown): string {
  return errnoOf(e) ?? 'error';
}

/**
 * Removes the top-level entries of `dir` whose names match (exit 4 on
 * failure). With `overwrite` (plaintext shard files) a regular file's bytes
 * are zeroed and fsynced first, all files at once (common/durable-file.ts
 * overwriteAndUnlinkAsync: each name goes once its zeros are synced; a best
 * effort, docs/runbook.md § Plaintext shard files). When several fail, the
 * first in directory order is the one reported; the others were still tried.
 */
export async function removeMatching(dir: string, matches: (name: string) => boolean, opts: { overwrite?: boolean } = {}): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new CliError(ExitCode.filesystem, `Failed to read recover directory: ${dir} (${errnoCode(e)}).`);
  }
  const paths = names.filter(matches).map((name) => join(dir, name));
  const results = await Promise.allSettled(
    paths.map(async (path) => {
      if (opts.overwrite === true) await overwriteAndUnlinkAsync(path);
      else unlinkSync(path);
    }),
  );
  const i = results.findIndex((r) => r.status === 'rejected');
  const failed = results[i];
  if (failed?.status === 'rejected') {
    throw new CliError(ExitCode.filesystem, `Failed to remove old recovery file ${paths[i] as string} (${errnoCode(failed.reason)}).`);
  }
}

/** A file of `dir` written and synced under a temporary name, put in place by `commit` (exit 4 on failure). */
export interface StagedFile {
  /** Renames it into place and fsyncs the directory; returns its path. */
  commit(): Promise<string>;
  /** Removes the temporary file (nothing after a commit). */
  discard(): void;
}

/** The first half of writeAtomic: the 0600 temporary file, written and fsynced (common/durable-file.ts stageReplacementAsync); exit 4 on failure. */
export async function stageAtomic(dir: string, name: string, content: Uint8Array): Promise<StagedFile> {
  const path = join(dir, name);
  const fail = (e: unknown): CliError => new CliError(ExitCode.filesystem, `Failed to write ${path} (${errnoCode(e)}).`);
  let staged;
  try {
    staged = await stageReplacementAsync(path, content);
  } catch (e) {
    throw fail(e);
  }
  return {
    async commit(): Promise<string> {
      try {
        await staged.commit();
        return path;
      } catch (e) {
        throw fail(e);
      }
    },
    discard: () => staged.discard(),
  };
}

/** Writes `name` in `dir` atomically (common/durable-file.ts: 0600 temporary file, fsync, rename, directory fsync); exit 4 on failure. */
export async function writeAtomic(dir: string, name: string, content: Uint8Array): Promise<string> {
  return (await stageAtomic(dir, name, content)).commit();
}

/** Earlier break-glass outputs recover replaces: `spike.recovery.<…>.age` files and the manifest. */
export function isOldBreakglassFile(name: string): boolean {
  return (name.startsWith('spike.recovery.') && name.endsWith('.age')) || name === 'spike.recovery.manifest.json';
}

/** Removes a file this run wrote, after an error; plaintext shard content is zeroed first. Best effort, never throws. */
export function discardQuietly(path: string): void {
  try {
    overwriteAndUnlink(path);
  } catch {
    // best effort: the error that brought us here is what the operator sees
  }
}

/** Removes earlier encrypted shard files and the manifest from `dir` (plaintext ones: recovery-writer.ts). */
export function removeOldBreakglassFiles(dir: string): Promise<void> {
  return removeMatching(dir, isOldBreakglassFile);
}

/**
 * Reads a regular file of at most `limit` bytes into a Buffer the caller
 * zeroes. Errors are one line naming the file (exit 2 by default: the
 * operator named it).
 */
export function readLimitedFile(path: string, limit: number, what = 'file', exitCode: 2 | 4 = ExitCode.usage): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    throw new CliError(exitCode, `Cannot read ${what} ${path} (${errnoCode(e)}).`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CliError(exitCode, `Cannot read ${what} ${path} (not a regular file).`);
    if (st.size > limit) throw new CliError(exitCode, `Cannot read ${what} ${path} (larger than ${limit} bytes).`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(exitCode, `Cannot read ${what} ${path} (${errnoCode(e)}).`);
  } finally {
    closeSync(fd);
  }
}

/** One shard file of a run: its id (for the error text), its name in the directory and its content. */
export interface ShardFile {
  readonly id: number;
  readonly name: string;
  /** Builds the bytes to write; zeroed after the write when `wipe` is set. */
  content(): Uint8Array;
  readonly wipe: boolean;
}

/**
 * Writes every file (O_EXCL, no symlink followed, 0600, each fsynced) at once,
 * then fsyncs `dir` once; returns the paths in `files` order. All or none: on
 * any failure (the first failing file in `files` order is reported, exit 4)
 * every file this run wrote is removed again, plaintext zeroed first.
 */
export async function writeShardFilesAllOrNone(dir: string, files: readonly ShardFile[]): Promise<string[]> {
  const results = await Promise.allSettled(
    files.map(async (f) => {
      const path = join(dir, f.name);
      const content = f.content();
      try {
        await writeFileExclusiveAsync(path, content, { syncDirectory: false });
        return path;
      } catch (e) {
        throw new CliError(ExitCode.filesystem, `Failed to save shard ${f.id}: ${path} (${errnoCode(e)}).`);
      } finally {
        if (f.wipe) content.fill(0);
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
