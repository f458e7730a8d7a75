// Durable file writes for the apps: the one implementation of "write it all,
// fsync the file, fsync its directory", never through a symbolic link.
// Three ways to put content at a path, as the callers need them:
//   writeFileExclusive  the path itself is created (O_CREAT|O_EXCL|O_NOFOLLOW):
//                       fails with EEXIST when anything, a symlink included, is there
//                       (the Pilot's shard files, written in a batch: it syncs the
//                       directory once at the end);
//   replaceFileAtomic   a temporary file renamed over the path: readers see the old
//                       or the new content, never a mix (entries.json, bootstrap.json,
//                       the recovery manifest); rename replaces a symlink, never follows it;
//   createFileAtomic    a temporary file hard-linked to the path: created whole or not
//                       at all, an existing path (a symlink included) is left alone
//                       (the dev CA's key and certificate).
// And one way to take content away: overwriteAndUnlink zeroes a regular
// file's bytes in place (same length, fsync) before it removes the name — a
// best effort only (docs/runbook.md § Plaintext shard files: what
// overwriting does not guarantee).
// Content is bytes: secrets (shards, keys) stay in the caller's Buffer, which
// the caller zeroes; nothing here copies them into a string.
// writeFileExclusiveAsync, replaceFileAtomicAsync, overwriteAndUnlinkAsync and
// fsyncDirectoryAsync do the same steps in the same order with the same
// flags; only their fsyncs run on libuv's thread pool, so that a caller can
// have several files synced at once (the Pilot's recover: one fsync waited
// for per batch, not one per file). Opening, writing into the page cache,
// renaming and removing stay synchronous.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface DurableWriteOptions {
  /** Permission bits of a new file (default 0o600), as far as the umask allows. */
  mode?: number;
  /** fsync the directory afterwards, so that the new name survives a crash (default true). */
  syncDirectory?: boolean;
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (renamed, or never created)
  }
}

/** fsync on libuv's thread pool. */
function fsyncOnPool(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (e) => {
      if (e) reject(e);
      else resolve();
    });
  });
}

/** Creates `path` (it must not exist) and writes all of `content`; returns the open descriptor, or removes the file again and throws. */
function createAndWriteUnsynced(path: string, content: Uint8Array, mode: number): number {
  const fd = openSync(path, CREATE_FLAGS, mode);
  try {
    let off = 0;
    while (off < content.length) off += writeSync(fd, content, off, content.length - off);
    return fd;
  } catch (e) {
    closeSync(fd);
    removeQuietly(path);
    throw e;
  }
}

/** Creates `path` (it must not exist), writes all of `content`, fsyncs it; removes it again when that fails. */
function createAndWrite(path: string, content: Uint8Array, mode: number): void {
  const fd = createAndWriteUnsynced(path, content, mode);
  let done = false;
  try {
    fsyncSync(fd);
    done = true;
  } finally {
    closeSync(fd);
    if (!done) removeQuietly(path);
  }
}

/** createAndWrite with the fsync on the thread pool. */
async function createAndWriteAsync(path: string, content: Uint8Array, mode: number): Promise<void> {
  const fd = createAndWriteUnsynced(path, content, mode);
  let done = false;
  try {
    await fsyncOnPool(fd);
    done = true;
  } finally {
    closeSync(fd);
    if (!done) removeQuietly(path);
  }
}

/** A name for a temporary file next to `path` (hidden, unique to this call). */
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * fsyncs directory `dir`, so that names created, renamed or removed in it
 * survive a crash. A filesystem that cannot sync a directory (EINVAL,
 * ENOTSUP) has nothing to do; any other failure is thrown.
 */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!cannotSyncDirectory(e)) throw e;
  } finally {
    closeSync(fd);
  }
}

/** fsyncDirectory with the fsync on the thread pool. */
export async function fsyncDirectoryAsync(dir: string): Promise<void> {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fsyncOnPool(fd);
  } catch (e) {
    if (!cannotSyncDirectory(e)) throw e;
  } finally {
    closeSync(fd);
  }
}

/** A filesystem that cannot fsync a directory says so with one of these; nothing to do then. */
function cannotSyncDirectory(e: unknown): boolean {
  const code = errno(e);
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}

/**
 * Creates `path`, which must not exist (EEXIST otherwise, also for a
 * symlink), with `content`; fsyncs the file and, unless told not to, its
 * directory. When writing fails the file is removed again.
 */
export function writeFileExclusive(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): void {
  createAndWrite(path, content, opts.mode ?? 0o600);
  if (opts.syncDirectory ?? true) fsyncDirectory(dirname(path));
}

/**
 * writeFileExclusive with its fsyncs on the thread pool: the file is created
 * and written before this returns its promise (so `content` may be zeroed
 * once the promise settles), synced when it resolves.
 */
export async function writeFileExclusiveAsync(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): Promise<void> {
  await createAndWriteAsync(path, content, opts.mode ?? 0o600);
  if (opts.syncDirectory ?? true) await fsyncDirectoryAsync(dirname(path));
}

/**
 * Puts `content` at `path` atomically, replacing what is there: a temporary
 * file in the same directory, written and fsynced, renamed over `path`,
 * then the directory fsynced. On failure `path` is unchanged and the
 * temporary file is gone.
 */
export function replaceFileAtomic(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): void {
  const tmp = tempNameFor(path);
  try {
    createAndWrite(tmp, content, opts.mode ?? 0o600);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  if (opts.syncDirectory ?? true) fsyncDirectory(dirname(path));
}

/** replaceFileAtomic with its fsyncs on the thread pool (same steps, same order). */
export async function replaceFileAtomicAsync(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): Promise<void> {
  await (await stageReplacementAsync(path, content, opts)).commit();
}

/** A replacement written and synced under a temporary name, not yet in place. */
export interface StagedReplacement {
  /** Renames the temporary file over the path, then fsyncs the directory (unless told not to); on a failed rename the temporary file is removed. Once only. */
  commit(): Promise<void>;
  /** Removes the temporary file (nothing happens after a commit). */
  discard(): void;
}

/**
 * The first half of replaceFileAtomicAsync: the temporary file next to
 * `path`, written and fsynced; `path` is untouched until `commit`. Lets a
 * caller sync it together with other files and put it in place after them.
 */
export async function stageReplacementAsync(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): Promise<StagedReplacement> {
  const tmp = tempNameFor(path);
  try {
    await createAndWriteAsync(tmp, content, opts.mode ?? 0o600);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  let settled = false;
  return {
    async commit(): Promise<void> {
      if (settled) throw new Error('staged replacement already committed or discarded');
      settled = true;
      try {
        renameSync(tmp, path);
      } catch (e) {
        removeQuietly(tmp);
        throw e;
      }
      if (opts.syncDirectory ?? true) await fsyncDirectoryAsync(dirname(path));
    },
    discard(): void {
      if (settled) return;
      settled = true;
      removeQuietly(tmp);
    },
  };
}

/**
 * Creates `path` with `content` only if nothing is there yet, all or nothing:
 * a temporary file, written and fsynced, hard-linked to `path`, then removed.
 * Returns false (and writes nothing) when `path` exists.
 */
export function createFileAtomic(path: string, content: Uint8Array, opts: DurableWriteOptions = {}): boolean {
  const tmp = tempNameFor(path);
  try {
    createAndWrite(tmp, content, opts.mode ?? 0o600);
    try {
      linkSync(tmp, path);
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      throw e;
    }
  } finally {
    removeQuietly(tmp);
  }
  if (opts.syncDirectory ?? true) fsyncDirectory(dirname(path));
  return true;
}

const OVERWRITE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens `path` for overwriting, or undefined when it is not something to
 * overwrite: a symbolic link (ELOOP), a FIFO without reader (ENXIO). A file
 * of ours without write permission (chmod 400) is made 0600 first, through
 * a read-only descriptor (never by path), and must still be the same file
 * when reopened. Other errors are thrown.
 */
function openForOverwrite(path: string): number | undefined {
  try {
    return openSync(path, OVERWRITE_FLAGS);
  } catch (e) {
    const code = errno(e);
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EMLINK') return undefined;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
  }
  const ro = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  let before;
  try {
    before = fstatSync(ro);
    if (!before.isFile() || before.uid !== process.getuid?.()) return undefined;
    fchmodSync(ro, 0o600);
  } finally {
    closeSync(ro);
  }
  const fd = openSync(path, OVERWRITE_FLAGS);
  const after = fstatSync(fd);
  if (after.ino !== before.ino || after.dev !== before.dev) {
    closeSync(fd);
    return undefined;
  }
  return fd;
}

const ZERO_CHUNK = 64 * 1024;

/**
 * Overwrites the content of `path` with zero bytes (same length, written in
 * place, fsynced), then removes the name. Only a regular file is
 * overwritten: the path is opened with O_NOFOLLOW|O_NONBLOCK, so a symbolic
 * link is removed without touching its target, and a FIFO or device is just
 * removed; a read-only file of ours is made writable first, one of someone
 * else's is just removed. Returns whether the content was overwritten. An
 * error while overwriting or removing is thrown (the name may then still be
 * there). The directory is not fsynced (the caller syncs it once for a batch).
 *
 * A best effort: journaling and copy-on-write filesystems, SSD wear
 * levelling, backups and snapshots can keep the old bytes elsewhere.
 */
export function overwriteAndUnlink(path: string): boolean {
  const fd = openForOverwrite(path);
  let overwritten = false;
  if (fd !== undefined) {
    try {
      if (zeroInPlace(fd)) {
        fsyncSync(fd);
        overwritten = true;
      }
    } finally {
      closeSync(fd);
    }
  }
  unlinkSync(path);
  return overwritten;
}

/** overwriteAndUnlink with its fsync on the thread pool (same steps, same order: zeroed, synced, then removed). */
export async function overwriteAndUnlinkAsync(path: string): Promise<boolean> {
  const fd = openForOverwrite(path);
  let overwritten = false;
  if (fd !== undefined) {
    try {
      if (zeroInPlace(fd)) {
        await fsyncOnPool(fd);
        overwritten = true;
      }
    } finally {
      closeSync(fd);
    }
  }
  unlinkSync(path);
  return overwritten;
}

/** Writes zeros over the whole content of `fd` when it is a regular file (not synced); false for anything else. */
function zeroInPlace(fd: number): boolean {
  const st = fstatSync(fd);
  if (!st.isFile()) return false;
  const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, Math.max(st.size, 1)));
  let off = 0;
  while (off < st.size) off += writeSync(fd, zeros, 0, Math.min(zeros.length, st.size - off)); // from offset 0: a fresh descriptor
  return true;
}
