// hack/reset.sh: `--help` prints the usage, exits 0 and changes nothing (also
// after --yes); a wrong argument or a missing confirmation changes nothing
// either (exit 2); with --yes it deletes the store and SPIKE_DEV_DIR. Runs
// the real script on a private SPIKE_DEV_DIR / SPIKE_NEXUS_DATA_DIR (nothing
// is running there, so stop.sh has nothing to stop).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let tmp: string;
let devDir: string;
let dataDir: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hack-reset-'));
  devDir = join(tmp, 'dev');
  dataDir = join(tmp, 'nexus');
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  mkdirSync(devDir, { recursive: true });
  writeFileSync(join(dataDir, 'data', 'spike.db'), 'store');
  writeFileSync(join(devDir, 'ca.key'), 'ca');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function reset(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['hack/reset.sh', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'], // not a terminal
    env: { ...process.env, HOME: tmp, SPIKE_DEV_DIR: devDir, SPIKE_NEXUS_DATA_DIR: dataDir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const untouched = (): boolean => existsSync(join(dataDir, 'data', 'spike.db')) && existsSync(join(devDir, 'ca.key'));

describe('hack/reset.sh', () => {
  it.each(['--help', '-h', '--yes --help'])('%s prints the usage, exits 0 and changes nothing', (args) => {
    const r = reset(...args.split(' '));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Usage: hack/reset.sh [--yes]');
    expect(r.stdout).toContain(`${join(dataDir, 'data')}  (the Nexus store: ALL SECRETS AND POLICIES)`);
    expect(r.stdout).toContain('-h, --help   print this help and change nothing');
    expect(untouched()).toBe(true);
  });

  it('refuses an unknown argument (exit 2) and, without a terminal, a reset not confirmed by --yes (exit 2); nothing changes', () => {
    const bad = reset('--force');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('Error: unknown argument --force (usage: hack/reset.sh [--yes]; --help explains)\n');
    const unconfirmed = reset();
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe('Error: not a terminal; pass --yes to confirm the reset\n');
    expect(untouched()).toBe(true);
  });

  it('--yes deletes the store and the dev directory', () => {
    const r = reset('--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Reset complete.');
    expect(existsSync(join(dataDir, 'data'))).toBe(false);
    expect(existsSync(devDir)).toBe(false);
  });
});
