import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { checkDirectorySafe, planRecoveryDir, precheckRecoveryDir, prepareRecoveryDir } from '../../../../src/pilot/breakglass/recovery-directory.js';
import { decodeRecoverResponse } from '../../../../src/pilot/breakglass/recover-response.js';
import { isOldRecoveryFile, removeOldRecoveryFiles, writeRecoveryFiles } from '../../../../src/pilot/breakglass/recovery-writer.js';

const UID = process.geteuid?.() ?? 0;
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync('/tmp/pl-');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function fsRefusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(ExitCode.filesystem);
    return e as CliError;
  }
  throw new Error('not refused');
}

async function fsRefusalAsync(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(ExitCode.filesystem);
    return e as CliError;
  }
  throw new Error('not refused');
}

describe('planRecoveryDir (upstream order)', () => {
  it('uses $SPIKE_PILOT_RECOVERY_DIR/recover first', () => {
    expect(planRecoveryDir({ customDir: '/srv/x', homeDir: '/home/a', user: 'a' }).dir).toBe('/srv/x/recover');
  });
  it('then ~/.spike/recover', () => {
    const p = planRecoveryDir({ customDir: undefined, homeDir: '/home/a', user: 'a' });
    expect(p.dir).toBe('/home/a/.spike/recover');
    expect(p.chain).toEqual(['/home/a/.spike', '/home/a/.spike/recover']);
  });
  it('then /tmp/.spike-$USER/recover', () => {
    expect(planRecoveryDir({ customDir: undefined, homeDir: undefined, user: 'bob' }).dir).toBe('/tmp/.spike-bob/recover');
  });
  it('refuses restricted system locations', () => {
    for (const d of ['/', '/etc', '/etc/spike', '/usr/local', '/root/x', '/proc']) {
      fsRefusal(() => planRecoveryDir({ customDir: d, homeDir: undefined, user: 'a' }));
    }
  });
});

describe('prepareRecoveryDir', () => {
  it('creates the directories with mode 0700', () => {
    const dir = prepareRecoveryDir({ customDir: join(tmp, 'r'), homeDir: undefined, user: 'a' });
    expect(dir).toBe(join(tmp, 'r', 'recover'));
    expect(lstatSync(join(tmp, 'r')).mode & 0o777).toBe(0o700);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
  });

  it('creates ~/.spike and ~/.spike/recover under the home directory', () => {
    const dir = prepareRecoveryDir({ customDir: undefined, homeDir: tmp, user: 'a' });
    expect(dir).toBe(join(tmp, '.spike', 'recover'));
    expect(lstatSync(join(tmp, '.spike')).mode & 0o777).toBe(0o700);
  });

  it('refuses when the parent of $SPIKE_PILOT_RECOVERY_DIR does not exist', () => {
    const e = fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'no', 'such'), homeDir: undefined, user: 'a' }));
    // The errno code, not the message (which would repeat the path).
    expect(e.message).toBe(`Cannot create recovery directory ${join(tmp, 'no', 'such')} (ENOENT).`);
    expect(existsSync(join(tmp, 'no'))).toBe(false);
  });

  it('refuses $SPIKE_PILOT_RECOVERY_DIR that is a symlink', () => {
    mkdirSync(join(tmp, 'real'), { mode: 0o700 });
    symlinkSync(join(tmp, 'real'), join(tmp, 'link'));
    const e = fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'link'), homeDir: undefined, user: 'a' }));
    expect(e.message).toContain('symbolic link');
    expect(existsSync(join(tmp, 'real', 'recover'))).toBe(false);
  });

  it('refuses a recover folder that is a symlink', () => {
    mkdirSync(join(tmp, 'base'), { mode: 0o700 });
    mkdirSync(join(tmp, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(tmp, 'elsewhere'), join(tmp, 'base', 'recover'));
    fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'base'), homeDir: undefined, user: 'a' }));
  });

  it('refuses a ~/.spike that is a symlink', () => {
    mkdirSync(join(tmp, 'other'), { mode: 0o700 });
    symlinkSync(join(tmp, 'other'), join(tmp, '.spike'));
    fsRefusal(() => prepareRecoveryDir({ customDir: undefined, homeDir: tmp, user: 'a' }));
    expect(readdirSync(join(tmp, 'other'))).toEqual([]);
  });

  for (const mode of [0o770, 0o707, 0o750, 0o701, 0o777]) {
    it(`refuses a group/world-accessible directory (mode ${mode.toString(8)})`, () => {
      mkdirSync(join(tmp, 'base'), { mode: 0o700 });
      mkdirSync(join(tmp, 'base', 'recover'));
      chmodSync(join(tmp, 'base', 'recover'), mode);
      const e = fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'base'), homeDir: undefined, user: 'a' }));
      expect(e.message).toContain('group or others');
    });
  }

  it('refuses a directory owned by someone else', () => {
    mkdirSync(join(tmp, 'base'), { mode: 0o700 });
    if (UID !== 0) {
      // Only root can give a directory away; as another user, check with a foreign uid instead.
      fsRefusal(() => checkDirectorySafe(join(tmp, 'base'), UID + 1));
      return;
    }
    chownSync(join(tmp, 'base'), 65534, 65534);
    const e = fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'base'), homeDir: undefined, user: 'a' }));
    expect(e.message).toContain('owned by uid 65534');
    expect(existsSync(join(tmp, 'base', 'recover'))).toBe(false);
  });

  it('refuses a path that is a file', () => {
    writeFileSync(join(tmp, 'f'), 'x', { mode: 0o600 });
    fsRefusal(() => prepareRecoveryDir({ customDir: join(tmp, 'f'), homeDir: undefined, user: 'a' }));
  });
});

const v = (b: number): Buffer => Buffer.alloc(32, b);

describe('writeRecoveryFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = prepareRecoveryDir({ customDir: join(tmp, 'w'), homeDir: undefined, user: 'a' });
  });

  it('writes one 0600 file per shard, byte-exact, no newline', async () => {
    const files = await writeRecoveryFiles(dir, new Map([[2, v(0xab)], [1, v(0x01)]]));
    expect(files).toEqual([join(dir, 'spike.recovery.1.txt'), join(dir, 'spike.recovery.2.txt')]);
    expect(readFileSync(files[0] as string, 'latin1')).toBe(`spike:1:${'01'.repeat(32)}`);
    expect(readFileSync(files[1] as string, 'latin1')).toBe(`spike:2:${'ab'.repeat(32)}`);
    for (const f of files) expect(lstatSync(f).mode & 0o777).toBe(0o600);
  });

  it('refuses a pre-planted symlink (O_EXCL|O_NOFOLLOW) and leaves no file of this run', async () => {
    const target = join(tmp, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(dir, 'spike.recovery.2.txt'));
    const e = await fsRefusalAsync(writeRecoveryFiles(dir, new Map([[1, v(1)], [2, v(2)], [3, v(3)]])));
    expect(e.message).toContain('Failed to save shard 2');
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(readdirSync(dir)).toEqual(['spike.recovery.2.txt']); // the planted link; shards 1 and 3 (written at the same time) removed again
  });

  it('names the lowest shard that failed when several do', async () => {
    for (const id of [3, 2]) mkdirSync(join(dir, `spike.recovery.${id}.txt`));
    const e = await fsRefusalAsync(writeRecoveryFiles(dir, new Map([[3, v(3)], [1, v(1)], [2, v(2)]])));
    expect(e.message).toContain(`Failed to save shard 2: ${join(dir, 'spike.recovery.2.txt')} (EEXIST)`);
    expect(existsSync(join(dir, 'spike.recovery.1.txt'))).toBe(false);
  });

  it('removes old recovery files by upstream rule, nothing else; their bytes zeroed first', async () => {
    for (const n of ['spike.recovery.1.txt', 'spike.recovery-old.txt', 'spike.recovery.1.txt.gpg', 'notes.txt']) {
      writeFileSync(join(dir, n), 'x');
    }
    mkdirSync(join(tmp, 'links'));
    for (const id of [2, 3]) {
      writeFileSync(join(dir, `spike.recovery.${id}.txt`), `spike:${id}:${'cd'.repeat(32)}`);
      linkSync(join(dir, `spike.recovery.${id}.txt`), join(tmp, 'links', String(id)));
    }
    await removeOldRecoveryFiles(dir);
    for (const id of [2, 3]) {
      const kept = readFileSync(join(tmp, 'links', String(id)));
      expect(kept.length).toBe(72);
      expect(kept.every((b) => b === 0)).toBe(true);
    }
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'spike.recovery.1.txt.gpg']);
    expect(isOldRecoveryFile('spike.recovery.9.txt')).toBe(true);
    expect(isOldRecoveryFile('x.spike.recovery.txt')).toBe(false);
  });
});

describe('decodeRecoverResponse', () => {
  const arr = (b: number): string => `[${Array(32).fill(b).join(',')}]`;
  const ok = (s: string): Map<number, Buffer> => decodeRecoverResponse(Buffer.from(s), 1000);
  const refused = (s: string): CliError => {
    try {
      ok(s);
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(ExitCode.nexus);
      return e as CliError;
    }
    throw new Error('accepted');
  };

  it('decodes upstream shape', () => {
    const m = ok(`{"shards":{"1":${arr(1)},"2":${arr(2)},"3":${arr(255)}}}`);
    expect([...m.keys()]).toEqual([1, 2, 3]);
    expect(m.get(3)?.equals(Buffer.alloc(32, 255))).toBe(true);
  });

  it('accepts Go-style case-insensitive field names', () => {
    expect(ok(`{"Shards":{"1":${arr(1)}}}`).size).toBe(1);
  });

  const bad: [string, string, string][] = [
    ['no shards key', '{}', 'No shards found.'],
    ['null shards', '{"shards":null}', 'No shards found.'],
    ['empty shards', '{"shards":{}}', 'No shards found.'],
    ['a null shard', `{"shards":{"1":null}}`, 'shard 1 is null'],
    ['an all-zero shard', `{"shards":{"1":${arr(0)}}}`, 'Empty shard found.'],
    ['a short shard', `{"shards":{"1":[1,2,3]}}`, 'not an array of 32 bytes'],
    ['a long shard', `{"shards":{"1":[${Array(33).fill(1).join(',')}]}}`, 'not an array of 32 bytes'],
    ['a byte over 255', `{"shards":{"1":[256${',1'.repeat(31)}]}}`, 'not a byte'],
    ['a fractional byte', `{"shards":{"1":[1.5${',1'.repeat(31)}]}}`, 'not a byte'],
    ['a base64 shard', `{"shards":{"1":"AAAA"}}`, 'not an array of 32 bytes'],
    ['duplicate ids', `{"shards":{"1":${arr(1)},"1":${arr(2)}}}`, 'duplicate key'],
    ['id 0', `{"shards":{"0":${arr(1)}}}`, 'invalid shard id'],
    ['id 01', `{"shards":{"01":${arr(1)},"2":${arr(2)}}}`, 'invalid shard id'],
    ['an id with a line separator and a bidi override', `{"shards":{"1\u2028\u202e":${arr(1)}}}`, String.raw`invalid shard id "1\u2028\u202e"`],
    ['id outside 1..n', `{"shards":{"1":${arr(1)},"3":${arr(3)}}}`, 'outside 1..2'],
    ['an err field', `{"err":"root_key_missing"}`, 'root_key_missing'],
    ['not JSON', 'nope', 'invalid answer'],
    ['trailing garbage', `{"shards":{"1":${arr(1)}}} x`, 'invalid answer'],
  ];
  for (const [name, body, text] of bad) {
    it(`refuses ${name}`, () => {
      expect(refused(body).message).toContain(text);
    });
  }
});

describe('precheckRecoveryDir', () => {
  it('creates nothing and accepts a path that does not exist yet', () => {
    expect(precheckRecoveryDir({ customDir: join(tmp, 'new'), homeDir: undefined, user: 'a' })).toBe(join(tmp, 'new', 'recover'));
    expect(existsSync(join(tmp, 'new'))).toBe(false);
  });

  it('refuses an existing unsafe part', () => {
    mkdirSync(join(tmp, 'open'), { mode: 0o700 });
    chmodSync(join(tmp, 'open'), 0o755);
    fsRefusal(() => precheckRecoveryDir({ customDir: join(tmp, 'open'), homeDir: undefined, user: 'a' }));
  });
});
