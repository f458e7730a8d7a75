// `spike --help`/`--version` answer at once with no Workload API; usage errors exit 2.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('-format=json (one dash): exit 2 with a hint, before any Workload API call', async () => {
    for (const args of [
      ['secret', 'list', '-format=json'],
      ['operator', 'status', '-format=json'],
      ['operator', 'restore', '-format=json'],
    ]) {
      const r = await runSpike(args, { env: NOWHERE });
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, 'Error: unknown format "ormat=json"; did you mean --format json?\n']);
    }
    const spaced = await runSpike(['secret', 'list', '-format', 'json'], { env: NOWHERE });
    expect([spaced.code, spaced.stderr]).toEqual([2, 'Error: unknown format "ormat"; did you mean --format <format>?\n']);
  });

  it('SPIKE_FORMAT: a bad value is exit 2 naming the variable; -f on the command line wins over it', async () => {
    const bad = await runSpike(['secret', 'list'], { env: { ...NOWHERE, SPIKE_FORMAT: 'xml' } });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "Error: Invalid configuration: SPIKE_FORMAT: invalid format 'xml'. Valid formats are: human/h/plain/p, json/j, yaml/y\n",
    ]);
    const noYaml = await runSpike(['operator', 'status'], { env: { ...NOWHERE, SPIKE_FORMAT: 'YAML' } });
    expect([noYaml.code, noYaml.stderr]).toEqual([2, "Error: SPIKE_FORMAT is 'YAML', which this command cannot print (valid: human/h/plain/p, json/j); pass -f.\n"]);
    // `verify` works offline: with -f JSON (any case) the report is JSON even though SPIKE_FORMAT says yaml.
    const empty = mkdtempSync(join(tmpdir(), 'pcli-'));
    try {
      const v = await runSpike(['operator', 'verify', empty, '-f', 'JSON'], { env: { ...NOWHERE, SPIKE_FORMAT: 'yaml' } });
      expect([v.code, v.stderr]).toEqual([2, `Error: No manifest at ${empty}/spike.recovery.manifest.json (pass --manifest <file>).\n`]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('verify with no arguments before any recover: exit 2 naming the manifest inside the recovery directory', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pcli-home-'));
    try {
      const env = { SPIFFE_ENDPOINT_SOCKET: NOWHERE.SPIFFE_ENDPOINT_SOCKET, HOME: home };
      const v = await runSpike(['operator', 'verify'], { env });
      expect([v.code, v.stderr]).toEqual([2, `Error: No manifest at ${home}/.spike/recover/spike.recovery.manifest.json (pass --manifest <file>).\n`]);
      const c = await runSpike(['operator', 'verify'], { env: { ...env, SPIKE_PILOT_RECOVERY_DIR: join(home, 'custom') } });
      expect([c.code, c.stderr]).toEqual([2, `Error: No manifest at ${home}/custom/recover/spike.recovery.manifest.json (pass --manifest <file>).\n`]);
      expect(existsSync(join(home, '.spike'))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
