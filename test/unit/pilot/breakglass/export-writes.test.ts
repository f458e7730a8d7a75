// How exportBreakglass puts files on disk: the shard files, the manifest's
// temporary file and the shards' directory are synced at the same time (the
// directory's fsync started only once every shard file is created and
// written), and the manifest is renamed into place only after all of these
// have completed; earlier files that recover removes (removeEarlier) are
// gone before anything is written; a failure leaves no file of the run (no
// manifest, no temporary file). node:fs is the real one, watched:
// thread-pool fsyncs can be held back and each fsync and rename is recorded
// by file name.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';

const probe = vi.hoisted(() => ({
  events: [] as string[],
  hold: false,
  held: [] as ((() => void) & { file: string })[],
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const nameOf = (fd: number): string => {
    const p = fs.readlinkSync(`/proc/self/fd/${fd}`);
    return fs.fstatSync(fd).isDirectory() ? 'dir' : p.split('/').pop()!.replace(/^\.(spike\.recovery\.manifest\.json)\..*\.tmp$/, '$1.tmp');
  };
  return {
    ...fs,
    fsync: (fd: number, cb: (e: NodeJS.ErrnoException | null) => void): void => {
      const name = nameOf(fd);
      // A directory's fsync covers the names there when it starts: which files (and their sizes) it found.
      const dir = fs.readlinkSync(`/proc/self/fd/${fd}`);
      const seen = name === 'dir' ? ` [${fs.readdirSync(dir).sort().map((f) => `${f}:${fs.statSync(`${dir}/${f}`).size}`).join(' ')}]` : '';
      probe.events.push(`sync ${name}${seen}`);
      const run = (): void =>
        fs.fsync(fd, (e) => {
          probe.events.push(`synced ${name}`);
          cb(e);
        });
      if (probe.hold) probe.held.push(Object.assign(run, { file: name }));
      else run();
    },
    renameSync: (from: string, to: string): void => {
      probe.events.push(`rename to ${to.split('/').pop()!}`);
      fs.renameSync(from, to);
    },
  };
});

const { computeShares } = await import('../../../../src/shamir/index.js');
const { exportBreakglass } = await import('../../../../src/pilot/breakglass/export.js');
const { removeOldRecoveryFiles } = await import('../../../../src/pilot/breakglass/recovery-writer.js');
const { CliError } = await import('../../../../src/pilot/output/exit.js');

const NEXUS = 'spiffe://spike.ist/spike/nexus';
const shares = (): Map<number, Buffer> => new Map(computeShares(new Uint8Array(32).fill(7), 2, 3).map((s) => [s.id, Buffer.from(s.value)]));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bg-writes-'));
  Object.assign(probe, { events: [], hold: false, held: [] });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('exportBreakglass writes', () => {
  const SYNCED_TOGETHER = ['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json.tmp', 'dir'];

  it.each(SYNCED_TOGETHER)(
    'syncs the shard files, the manifest’s temporary file and the directory at once; the manifest goes in place only after all of them (%s completing last)',
    async (last) => {
      probe.hold = true;
      const done = exportBreakglass({ dir, shards: shares(), nexusId: NEXUS, recipients: [], writePlaintext: true });
      await vi.waitFor(() => expect(probe.held.length).toBe(5)); // all in flight together
      expect(probe.held.map((r) => r.file).sort()).toEqual([...SYNCED_TOGETHER].sort());
      // The directory's fsync started after every shard file was created and written (72 bytes: `spike:<id>:<64 hex>`).
      const dirSync = probe.events.find((e) => e.startsWith('sync dir'));
      expect(dirSync).toMatch(/ \[spike\.recovery\.1\.txt:72 spike\.recovery\.2\.txt:72 spike\.recovery\.3\.txt:72[\] ]/);
      probe.hold = false;
      for (const run of probe.held.filter((r) => r.file !== last)) run();
      await vi.waitFor(() => expect(probe.events.filter((e) => e.startsWith('synced '))).toHaveLength(4));
      await new Promise((r) => setImmediate(r)); // a rename that did not wait would have happened by now
      expect(probe.events.some((e) => e.startsWith('rename'))).toBe(false);
      expect(readdirSync(dir)).not.toContain('spike.recovery.manifest.json');
      probe.held.find((r) => r.file === last)!();
      const r = await done;
      const ev = probe.events;
      const rename = ev.indexOf('rename to spike.recovery.manifest.json');
      for (const f of SYNCED_TOGETHER) expect(ev.indexOf(`synced ${f}`)).toBeLessThan(rename);
      expect(ev.lastIndexOf('synced dir')).toBeGreaterThan(rename); // the directory again, for the rename
      expect(r.files.map((f) => basename(f))).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt']);
      expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json']);
      expect(JSON.parse(readFileSync(r.manifestPath, 'utf8'))).toMatchObject({ threshold: 2 });
    },
  );

  it('removeEarlier (earlier shard files zeroed and synced) has finished before anything is removed or written', async () => {
    for (const id of [1, 2, 3, 7]) writeFileSync(join(dir, `spike.recovery.${id}.txt`), `spike:${id}:${'ab'.repeat(32)}`);
    writeFileSync(join(dir, 'spike.recovery.manifest.json'), '{}');
    probe.hold = true;
    const done = exportBreakglass({
      dir,
      shards: shares(),
      nexusId: NEXUS,
      recipients: [],
      writePlaintext: true,
      removeEarlier: () => removeOldRecoveryFiles(dir),
    });
    await vi.waitFor(() => expect(probe.held.length).toBe(4)); // the four earlier files' zeros
    await new Promise((r) => setImmediate(r)); // a write that did not wait would have happened by now
    // nothing removed or written yet: the earlier files are there, zeroed, and so is the earlier manifest
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.7.txt', 'spike.recovery.manifest.json']);
    expect(readFileSync(join(dir, 'spike.recovery.7.txt'))).toEqual(Buffer.alloc(72));
    expect(readFileSync(join(dir, 'spike.recovery.manifest.json'), 'utf8')).toBe('{}');
    probe.hold = false;
    for (const run of probe.held.splice(0)) run();
    const r = await done;
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json']);
    expect(JSON.parse(readFileSync(r.manifestPath, 'utf8'))).toMatchObject({ threshold: 2 });
  });

  it('a failing removeEarlier is what is reported, before a failure of the export itself, and nothing is written', async () => {
    const e = await exportBreakglass({
      dir,
      shards: shares(),
      nexusId: NEXUS,
      recipients: ['age1a', 'age1b'], // two recipients for three shards: refused too
      removeEarlier: () => Promise.reject(new CliError(4, 'Failed to remove old recovery file x (EACCES).')),
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as Error).message).toBe('Failed to remove old recovery file x (EACCES).');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a shard that cannot be written: exit 4 naming it, no shard file, no manifest, no temporary file left', async () => {
    mkdirSync(join(dir, 'spike.recovery.2.txt'));
    const e = await exportBreakglass({ dir, shards: shares(), nexusId: NEXUS, recipients: [], writePlaintext: true }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CliError);
    expect((e as InstanceType<typeof CliError>).message).toContain('Failed to save shard 2');
    expect(readdirSync(dir)).toEqual(['spike.recovery.2.txt']);
    expect(probe.events).not.toContain('rename to spike.recovery.manifest.json');
  });
});
