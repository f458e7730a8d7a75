// How exportBreakglass puts files on disk: the shard files and the manifest's
// temporary file are synced at the same time, and the manifest is renamed
// into place only after the shard files and their directory are synced; a
// failure leaves no file of the run (no manifest, no temporary file). node:fs
// is the real one, watched: thread-pool fsyncs can be held back and each
// fsync and rename is recorded by file name.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const SHARDS = ['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt'];
  const TMP = 'spike.recovery.manifest.json.tmp';

  // The shard files' fsyncs and the manifest's are independent: either may complete first (seen both
  // ways on the real thread pool), so each order is played out by holding one side back.
  it.each(['the manifest’s temporary file', 'the shard files'])(
    'syncs the shard files and the manifest’s temporary file at once; the manifest goes in place after the shards, their directory and its own file are synced (%s completing last)',
    async (last) => {
      probe.hold = true;
      const done = exportBreakglass({ dir, shards: shares(), nexusId: NEXUS, recipients: [], writePlaintext: true });
      await vi.waitFor(() => expect(probe.held.length).toBe(4)); // three shard files and the manifest's temporary file, in flight together
      expect(probe.held.map((r) => r.file).sort()).toEqual([...SHARDS, TMP].sort());
      expect(readdirSync(dir)).not.toContain('spike.recovery.manifest.json');
      probe.hold = false;
      const manifestLast = last === 'the manifest’s temporary file';
      const first = probe.held.filter((r) => (r.file === TMP) !== manifestLast);
      const second = probe.held.filter((r) => (r.file === TMP) === manifestLast);
      for (const run of first) run();
      // The first side is through (with the shards, their directory's fsync too); the rename still waits for the other.
      await vi.waitFor(() => expect(probe.events).toEqual(expect.arrayContaining(manifestLast ? [...SHARDS.map((f) => `synced ${f}`), 'synced dir'] : [`synced ${TMP}`])));
      await new Promise((res) => setImmediate(res)); // a rename that did not wait would have happened by now
      expect(probe.events.some((e) => e.startsWith('rename'))).toBe(false);
      for (const run of second) run();
      const r = await done;
      const ev = probe.events;
      const rename = ev.indexOf('rename to spike.recovery.manifest.json');
      // The directory sync that must precede the rename (staging the manifest may sync the directory too, at any moment).
      const dirSync = ev.lastIndexOf('synced dir', rename);
      for (const f of SHARDS) {
        expect(ev.indexOf(`synced ${f}`)).toBeGreaterThanOrEqual(0);
        expect(ev.indexOf(`synced ${f}`)).toBeLessThan(dirSync);
      }
      expect(ev.indexOf(`synced ${TMP}`)).toBeGreaterThanOrEqual(0);
      expect(ev.indexOf(`synced ${TMP}`)).toBeLessThan(rename);
      expect(rename).toBeGreaterThan(dirSync);
      expect(ev.lastIndexOf('synced dir')).toBeGreaterThan(rename);
      expect(r.files.map((f) => basename(f))).toEqual(SHARDS);
      expect(readdirSync(dir).sort()).toEqual([...SHARDS, 'spike.recovery.manifest.json']);
      expect(JSON.parse(readFileSync(r.manifestPath, 'utf8'))).toMatchObject({ threshold: 2 });
    },
  );

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
