// The server binaries' command line, on the real built files: `--help` prints
// the usage line and exits 0, anything else exits 2 with a one-line error —
// neither starts a server (src/common/server-args.ts). The environment points
// at no Workload API, with a short source timeout: a build that ignored its
// arguments would try to start and fail (exit 1), never print the usage.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, minimalEnv } from '../helpers/proc.js';
import { KEEPER_USAGE, NEXUS_USAGE } from '../../src/common/server-args.js';

function run(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spike-server-args-'));
  try {
    const r = spawnSync(process.execPath, [join(DIST, `${bin}.js`), ...args], {
      encoding: 'utf8',
      env: minimalEnv({
        SPIFFE_ENDPOINT_SOCKET: `unix://${join(dir, 'no-agent.sock')}`,
        SPIKE_SPIFFE_SOURCE_TIMEOUT: '1s',
        SPIKE_NEXUS_DATA_DIR: join(dir, 'nexus'),
        SPIKE_NEXUS_BACKEND_STORE: 'memory',
      }),
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!existsSync(join(DIST, 'spike-nexus.js')))('server binaries: arguments', () => {
  it.each([
    ['spike-nexus', NEXUS_USAGE],
    ['spike-keeper', KEEPER_USAGE],
  ])('%s --help, -help and -h print the usage line and exit 0', (bin, usage) => {
    for (const flag of ['--help', '-help', '-h']) {
      expect(run(bin, [flag])).toEqual({ status: 0, stdout: `${usage}\n`, stderr: '' });
    }
  });

  it.each([
    ['spike-nexus', ['stor'], `spike-nexus: unexpected argument "stor": ${NEXUS_USAGE}\n`],
    ['spike-nexus', ['--version'], `spike-nexus: unexpected argument "--version": ${NEXUS_USAGE}\n`],
    ['spike-keeper', ['--help', 'now'], `spike-keeper: unexpected argument "--help": ${KEEPER_USAGE}\n`],
    ['spike-keeper', ['serve'], `spike-keeper: unexpected argument "serve": ${KEEPER_USAGE}\n`],
  ])('%s %j: one line on stderr, exit 2, nothing served', (bin, args, stderr) => {
    expect(run(bin, args)).toEqual({ status: 2, stdout: '', stderr });
  });

  it('spike-nexus store --help still reaches the store commands', () => {
    const r = run('spike-nexus', ['store', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: spike-nexus store');
  });
});
