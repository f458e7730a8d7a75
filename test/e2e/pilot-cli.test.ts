// `spike --help`/`--version` answer at once with no Workload API; usage errors exit 2.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSpike, SPIKE_BIN } from '../helpers/fakenexus.js';

const NOWHERE = { SPIFFE_ENDPOINT_SOCKET: 'unix:///tmp/pilot-no-such-dir/api.sock', SPIKE_SPIFFE_SOURCE_TIMEOUT: '30s', HOME: '/tmp' };

beforeAll(() => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
});

describe('spike without a Workload API', () => {
  it('--help lists the commands and the exit codes (without a Workload API)', async () => {
    const r = await runSpike(['--help'], { env: NOWHERE });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('operator');
    expect(r.stdout).toContain('secret');
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*3 {2}identity failure/);
  });

  it('--version prints the version (without a Workload API)', async () => {
    const r = await runSpike(['--version'], { env: NOWHERE });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('command help shows upstream descriptions and an example', async () => {
    const rec = await runSpike(['operator', 'recover', '--help'], { env: NOWHERE });
    expect(rec.code).toBe(0);
    expect(rec.stdout).toContain('Recover SPIKE Nexus (do this while SPIKE Nexus is healthy)');
    expect(rec.stdout).toMatch(/Examples?:/);
    const res = await runSpike(['restore', '--help'], { env: NOWHERE });
    expect(res.stdout).toContain('Restore SPIKE Nexus (do this if SPIKE Nexus cannot auto-recover)');
  });

  it('usage errors: exit 2 and one Error line', async () => {
    for (const args of [['bogus'], ['operator', 'restore', '--nope'], ['operator', 'recover', '-f', 'xml'], ['secret', 'put', 'only-path']]) {
      const r = await runSpike(args, { env: NOWHERE });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^Error: [^\n]+\n$/);
    }
  });

  it('an invalid environment value: exit 2 naming the variable', async () => {
    const r = await runSpike(['operator', 'recover'], { env: { ...NOWHERE, SPIKE_NEXUS_API_URL: 'http://x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: Invalid configuration: SPIKE_NEXUS_API_URL: .*\n$/);
    const s = await runSpike(['operator', 'restore'], { env: { ...NOWHERE, SPIFFE_ENDPOINT_SOCKET: 'unix:relative' } });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^Error: Invalid configuration: SPIFFE_ENDPOINT_SOCKET: .*\n$/);
  });
});
