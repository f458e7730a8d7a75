import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// node:fs as it is, with three things a test can watch or change: which kind
// of descriptor each fsync was for, how many bytes one write call takes, and
// a failure of the next fsync or write.
const probe = vi.hoisted(() => ({
  fsyncs: [] as ('file' | 'dir')[],
  writeArgs: [] as unknown[],
  maxWrite: Infinity,
  failFsync: undefined as undefined | ((kind: 'file' | 'dir') => string | undefined),
  failWrite: undefined as string | undefined,
  /** The next open of this path for writing fails with EACCES (as for a 0400 file when not root). */
  denyWriteOpenOnce: undefined as string | undefined,
  /** Thread-pool fsyncs (fs.fsync) held back until the test releases them (`held` then fills up). */
  holdFsyncs: false,
  held: [] as (() => void)[],
  /** How many thread-pool fsyncs were in flight at most. */
  maxInFlight: 0,
  inFlight: 0,
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const errnoError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected`), { code });
  return {
    ...fs,
    openSync: (path: string, flags: number, mode?: number): number => {
      if (path === probe.denyWriteOpenOnce && (flags & fs.constants.O_WRONLY) !== 0) {
        probe.denyWriteOpenOnce = undefined;
        throw errnoError('EACCES');
      }
      return fs.openSync(path, flags, mode);
    },
    fsyncSync: (fd: number): void => {
      const kind = fs.fstatSync(fd).isDirectory() ? 'dir' : 'file';
      probe.fsyncs.push(kind);
      const code = probe.failFsync?.(kind);
      if (code !== undefined) throw errnoError(code);
      fs.fsyncSync(fd);
    },
    fsync: (fd: number, cb: (e: NodeJS.ErrnoException | null) => void): void => {
      const kind = fs.fstatSync(fd).isDirectory() ? 'dir' : 'file';
      probe.fsyncs.push(kind);
      probe.inFlight++;
      probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
      const code = probe.failFsync?.(kind);
      const run = (): void =>
        fs.fsync(fd, (e) => {
          probe.inFlight--;
          cb(code !== undefined ? errnoError(code) : e);
        });
      if (probe.holdFsyncs) probe.held.push(run);
      else run();
    },
    writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number): number => {
      probe.writeArgs.push(buffer);
      if (probe.failWrite !== undefined) throw errnoError(probe.failWrite);
      return fs.writeSync(fd, buffer, offset, Math.min(length, probe.maxWrite));
    },
  };
});

const {
  createFileAtomic,
  fsyncDirectory,
  fsyncDirectoryAsync,
  overwriteAndUnlink,
  overwriteAndUnlinkAsync,
  replaceFileAtomic,
  replaceFileAtomicAsync,
  stageReplacementAsync,
  writeFileExclusive,
  writeFileExclusiveAsync,
} = await import('../../../src/common/durable-file.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'durable-'));
  Object.assign(probe, {
    fsyncs: [],
    writeArgs: [],
    maxWrite: Infinity,
    failFsync: undefined,
    failWrite: undefined,
    denyWriteOpenOnce: undefined,
    holdFsyncs: false,
    held: [],
    maxInFlight: 0,
    inFlight: 0,
  });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const errCode = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
  return 'no error';
};
const errCodeAsync = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
  return 'no error';
};

describe('writeFileExclusive', () => {
  it('creates the file 0600 with the content, fsyncs the file and then its directory', () => {
    const path = join(dir, 'a');
    writeFileExclusive(path, bytes('spike:1:00'));
    expect(readFileSync(path, 'utf8')).toBe('spike:1:00');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(probe.fsyncs).toEqual(['file', 'dir']);
  });

  it('leaves the directory sync to the caller when asked (a batch of files)', () => {
    writeFileExclusive(join(dir, 'a'), bytes('x'), { syncDirectory: false });
    expect(probe.fsyncs).toEqual(['file']);
  });

  it('refuses a path that exists, a symlink included, without writing through it', () => {
    const existing = join(dir, 'existing');
    writeFileSync(existing, 'old');
    expect(errCode(() => writeFileExclusive(existing, bytes('new')))).toBe('EEXIST');
    expect(readFileSync(existing, 'utf8')).toBe('old');
    const target = join(dir, 'target');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    expect(errCode(() => writeFileExclusive(link, bytes('secret')))).toBe('EEXIST');
    expect(existsSync(target)).toBe(false);
  });

  it('writes everything when the kernel takes a few bytes per call, straight from the caller’s buffer', () => {
    probe.maxWrite = 3;
    const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    writeFileExclusive(join(dir, 'big'), content);
    expect(readFileSync(join(dir, 'big')).equals(content)).toBe(true);
    expect(probe.writeArgs.length).toBeGreaterThanOrEqual(334);
    expect(probe.writeArgs.every((b) => b === content)).toBe(true);
  });

  it('removes the file again when writing or syncing it fails', () => {
    probe.failWrite = 'ENOSPC';
    expect(errCode(() => writeFileExclusive(join(dir, 'a'), bytes('x')))).toBe('ENOSPC');
    probe.failWrite = undefined;
    probe.failFsync = (kind) => (kind === 'file' ? 'EIO' : undefined);
    expect(errCode(() => writeFileExclusive(join(dir, 'b'), bytes('x')))).toBe('EIO');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('replaceFileAtomic', () => {
  it('replaces the content whole, mode 0600 whatever the old file had, no temporary file left, directory synced last', () => {
    const path = join(dir, 'entries.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    replaceFileAtomic(path, bytes('new'));
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['entries.json']);
    expect(probe.fsyncs).toEqual(['file', 'dir']);
  });

  it('replaces a symlink by a file and never writes through it', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'untouched');
    const link = join(dir, 'bootstrap.json');
    symlinkSync(target, link);
    replaceFileAtomic(link, bytes('{}'));
    expect(lstatSync(link).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('on failure leaves the old content and no temporary file', () => {
    const path = join(dir, 'm');
    writeFileSync(path, 'old');
    probe.failFsync = (kind) => (kind === 'file' ? 'EIO' : undefined);
    expect(errCode(() => replaceFileAtomic(path, bytes('new')))).toBe('EIO');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['m']);
    // rename fails: the path is a non-empty directory
    probe.failFsync = undefined;
    mkdirSync(join(dir, 'd', 'x'), { recursive: true });
    expect(() => replaceFileAtomic(join(dir, 'd'), bytes('new'))).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['d', 'm']);
  });
});

describe('createFileAtomic', () => {
  it('creates the file whole with the given mode and reports it', () => {
    const path = join(dir, 'ca.crt');
    expect(createFileAtomic(path, bytes('cert'), { mode: 0o644 })).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('cert');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['ca.crt']);
    expect(probe.fsyncs).toEqual(['file', 'dir']);
  });

  it('leaves an existing path alone, a dangling symlink included, and reports it', () => {
    const path = join(dir, 'ca.key');
    writeFileSync(path, 'first', { mode: 0o600 });
    expect(createFileAtomic(path, bytes('second'))).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    const target = join(dir, 'elsewhere');
    symlinkSync(target, join(dir, 'link'));
    expect(createFileAtomic(join(dir, 'link'), bytes('key'))).toBe(false);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['ca.key', 'link']);
  });
});

describe('fsyncDirectory', () => {
  it('syncs the directory; a filesystem that cannot (EINVAL) is no error, any other failure is', () => {
    fsyncDirectory(dir);
    expect(probe.fsyncs).toEqual(['dir']);
    probe.failFsync = () => 'EINVAL';
    expect(() => fsyncDirectory(dir)).not.toThrow();
    probe.failFsync = () => 'EIO';
    expect(errCode(() => fsyncDirectory(dir))).toBe('EIO');
    expect(errCode(() => fsyncDirectory(join(dir, 'missing')))).toBe('ENOENT');
  });
});

describe('overwriteAndUnlink', () => {
  it('zeroes the bytes in place (same length, fsynced) before removing the name: a second hard link sees only zeros', () => {
    const path = join(dir, 'spike.recovery.1.txt');
    const content = `spike:1:${'ab'.repeat(32)}`;
    writeFileSync(path, content);
    const keep = join(dir, 'kept-link');
    linkSync(path, keep);
    probe.maxWrite = 7; // short writes are continued
    expect(overwriteAndUnlink(path)).toBe(true);
    expect(existsSync(path)).toBe(false);
    const after = readFileSync(keep);
    expect(after.length).toBe(content.length);
    expect(after.every((b) => b === 0)).toBe(true);
    expect(probe.fsyncs).toEqual(['file']);
  });

  it('a file larger than one chunk is zeroed to its end', () => {
    const path = join(dir, 'big');
    writeFileSync(path, Buffer.alloc(200_000, 0x41));
    const keep = join(dir, 'big-link');
    linkSync(path, keep);
    expect(overwriteAndUnlink(path)).toBe(true);
    const after = readFileSync(keep);
    expect(after.length).toBe(200_000);
    expect(after.every((b) => b === 0)).toBe(true);
  });

  it('a symbolic link is removed, its target left as it was', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'not mine to wipe');
    const link = join(dir, 'spike.recovery.2.txt');
    symlinkSync(target, link);
    expect(overwriteAndUnlink(link)).toBe(false);
    expect(existsSync(link)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('not mine to wipe');
  });

  it('a read-only file of ours is made writable through a descriptor and zeroed', () => {
    const mine = join(dir, 'spike.recovery.4.txt');
    writeFileSync(mine, 'spike:4:abcd', { mode: 0o400 });
    linkSync(mine, join(dir, 'mine-link'));
    probe.denyWriteOpenOnce = mine;
    expect(overwriteAndUnlink(mine)).toBe(true);
    expect(probe.denyWriteOpenOnce).toBeUndefined(); // the refusal did happen
    expect(readFileSync(join(dir, 'mine-link')).every((b) => b === 0)).toBe(true);
    expect(statSync(join(dir, 'mine-link')).mode & 0o777).toBe(0o600);
  });

  // Giving a file to another user needs root.
  it.runIf(process.getuid?.() === 0)('a read-only file of another user is just removed, its bytes left alone', () => {
    const theirs = join(dir, 'spike.recovery.5.txt');
    writeFileSync(theirs, 'spike:5:abcd', { mode: 0o400 });
    linkSync(theirs, join(dir, 'theirs-link'));
    chownSync(theirs, 4242, 4242);
    probe.denyWriteOpenOnce = theirs;
    expect(overwriteAndUnlink(theirs)).toBe(false);
    expect(existsSync(theirs)).toBe(false);
    expect(readFileSync(join(dir, 'theirs-link'), 'utf8')).toBe('spike:5:abcd');
  });

  it('a FIFO is removed without blocking; a missing path is an error', () => {
    const fifo = join(dir, 'spike.recovery.3.txt');
    execFileSync('mkfifo', [fifo]);
    expect(overwriteAndUnlink(fifo)).toBe(false);
    expect(existsSync(fifo)).toBe(false);
    expect(() => overwriteAndUnlink(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});

describe('the asynchronous variants (fsync on the thread pool)', () => {
  it('writeFileExclusiveAsync: 0600, the content, the file synced then the directory; a symlink or existing path refused', async () => {
    const path = join(dir, 'a');
    await writeFileExclusiveAsync(path, bytes('spike:1:00'));
    expect(readFileSync(path, 'utf8')).toBe('spike:1:00');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(probe.fsyncs).toEqual(['file', 'dir']);
    expect(await errCodeAsync(writeFileExclusiveAsync(path, bytes('new')))).toBe('EEXIST');
    expect(readFileSync(path, 'utf8')).toBe('spike:1:00');
    const target = join(dir, 'target');
    symlinkSync(target, join(dir, 'link'));
    expect(await errCodeAsync(writeFileExclusiveAsync(join(dir, 'link'), bytes('secret')))).toBe('EEXIST');
    expect(existsSync(target)).toBe(false);
  });

  it('writeFileExclusiveAsync: a batch is synced at once, the directory left to the caller; a failed sync removes its file', async () => {
    probe.holdFsyncs = true;
    const writes = ['1', '2', '3'].map((n) => writeFileExclusiveAsync(join(dir, n), bytes(n), { syncDirectory: false }));
    await vi.waitFor(() => expect(probe.held.length).toBe(3));
    for (const run of probe.held.splice(0)) run();
    await Promise.all(writes);
    expect(probe.maxInFlight).toBe(3);
    expect(probe.fsyncs).toEqual(['file', 'file', 'file']);
    expect(readdirSync(dir).sort()).toEqual(['1', '2', '3']);
    probe.holdFsyncs = false;
    probe.failFsync = (kind) => (kind === 'file' ? 'EIO' : undefined);
    expect(await errCodeAsync(writeFileExclusiveAsync(join(dir, '4'), bytes('4')))).toBe('EIO');
    probe.failFsync = undefined;
    probe.failWrite = 'ENOSPC';
    expect(await errCodeAsync(writeFileExclusiveAsync(join(dir, '5'), bytes('5')))).toBe('ENOSPC');
    expect(readdirSync(dir).sort()).toEqual(['1', '2', '3']);
  });

  it('replaceFileAtomicAsync: replaces whole (0600, symlink replaced not followed), directory synced last; on failure the old content stays', async () => {
    const path = join(dir, 'spike.recovery.manifest.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    await replaceFileAtomicAsync(path, bytes('new'));
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['spike.recovery.manifest.json']);
    expect(probe.fsyncs).toEqual(['file', 'dir']);
    const target = join(dir, 'target');
    writeFileSync(target, 'untouched');
    symlinkSync(target, join(dir, 'link'));
    await replaceFileAtomicAsync(join(dir, 'link'), bytes('{}'));
    expect(lstatSync(join(dir, 'link')).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    probe.failFsync = (kind) => (kind === 'file' ? 'EIO' : undefined);
    expect(await errCodeAsync(replaceFileAtomicAsync(path, bytes('newer')))).toBe('EIO');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['link', 'spike.recovery.manifest.json', 'target']);
  });

  it('stageReplacementAsync: the path is untouched until commit (rename, then the directory synced); discard leaves nothing; once only', async () => {
    const path = join(dir, 'spike.recovery.manifest.json');
    writeFileSync(path, 'old');
    const staged = await stageReplacementAsync(path, bytes('new'));
    expect(probe.fsyncs).toEqual(['file']);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).length).toBe(2); // the old file and the hidden temporary one
    await staged.commit();
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(probe.fsyncs).toEqual(['file', 'dir']);
    expect(readdirSync(dir)).toEqual(['spike.recovery.manifest.json']);
    await expect(staged.commit()).rejects.toThrow(/already/);
    staged.discard();
    expect(readFileSync(path, 'utf8')).toBe('new');
    const dropped = await stageReplacementAsync(path, bytes('newer'));
    dropped.discard();
    expect(readdirSync(dir)).toEqual(['spike.recovery.manifest.json']);
    expect(readFileSync(path, 'utf8')).toBe('new');
    await expect(dropped.commit()).rejects.toThrow(/already/);
  });

  it('overwriteAndUnlinkAsync: zeroed and synced before the name goes; a symlink is removed, its target untouched', async () => {
    const path = join(dir, 'spike.recovery.1.txt');
    const content = `spike:1:${'ab'.repeat(32)}`;
    writeFileSync(path, content);
    linkSync(path, join(dir, 'kept-link'));
    probe.holdFsyncs = true;
    const done = overwriteAndUnlinkAsync(path);
    await vi.waitFor(() => expect(probe.held.length).toBe(1));
    expect(existsSync(path)).toBe(true); // not removed before its zeros are synced
    for (const run of probe.held.splice(0)) run();
    expect(await done).toBe(true);
    expect(existsSync(path)).toBe(false);
    const after = readFileSync(join(dir, 'kept-link'));
    expect(after.length).toBe(content.length);
    expect(after.every((b) => b === 0)).toBe(true);
    expect(probe.fsyncs).toEqual(['file']);
    probe.holdFsyncs = false;
    const target = join(dir, 'target');
    writeFileSync(target, 'not mine to wipe');
    symlinkSync(target, join(dir, 'spike.recovery.2.txt'));
    expect(await overwriteAndUnlinkAsync(join(dir, 'spike.recovery.2.txt'))).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('not mine to wipe');
    expect(await errCodeAsync(overwriteAndUnlinkAsync(join(dir, 'missing')))).toBe('ENOENT');
  });

  it('fsyncDirectoryAsync: EINVAL is no error, any other failure is', async () => {
    await fsyncDirectoryAsync(dir);
    expect(probe.fsyncs).toEqual(['dir']);
    probe.failFsync = () => 'EINVAL';
    expect(await errCodeAsync(fsyncDirectoryAsync(dir))).toBe('no error');
    probe.failFsync = () => 'EIO';
    expect(await errCodeAsync(fsyncDirectoryAsync(dir))).toBe('EIO');
    expect(await errCodeAsync(fsyncDirectoryAsync(join(dir, 'missing')))).toBe('ENOENT');
  });
});
