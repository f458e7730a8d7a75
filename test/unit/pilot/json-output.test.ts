// One rule for `-f json` (docs/cli.md § Output formats): every command prints
// exactly one JSON document, laid out as Go's json.MarshalIndent(v, "", "  ")
// lays it out — which is also JSON.stringify(v, null, 2)'s layout, the
// independent reference used here (the data holds no <, >, & or U+2028/9,
// the only places the two differ) — followed by exactly one newline.
// `secret get` keeps upstream's four-space indent. Also: SPIKE_FORMAT as the
// default of -f, and the -format=json hint, through the commander tree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeShares } from '../../../src/shamir/index.js';
import { exportBreakglass } from '../../../src/pilot/breakglass/export.js';
import { runPreflight } from '../../../src/pilot/commands/operator-preflight.js';
import type { PreflightWorld } from '../../../src/pilot/breakglass/preflight.js';
import { formatShardFile } from '../../../src/pilot/breakglass/shard.js';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { fake, ID, json, runProgram, type Recorded } from './fakes.js';
import type { NexusAnswer } from '../../../src/pilot/runtime.js';
import { writeFileSync } from 'node:fs';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pj-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const NEXUS_ID = 'spiffe://spike.ist/spike/nexus';
const arr = (b: number): number[] => Array(32).fill(b) as number[];

/** A Nexus that answers every route the commands below call. */
function nexus(c: Recorded): NexusAnswer {
  const route = `${c.path}?${c.action ?? ''}`;
  switch (route) {
    case '/v1/store/secrets?get':
      return json(200, { data: { username: 'admin', password: 's3cr3t', empty: '' } });
    case '/v1/store/secrets?':
      return json(200, {});
    case '/v1/store/secrets?list':
      return json(200, { keys: ['secrets/a', 'secrets/b'] });
    case '/v1/store/secrets/metadata?get':
      return json(200, {
        versions: { '1': { createdTime: '2025-01-15T14:30:45.5Z', version: 1, deletedTime: null } },
        metadata: { currentVersion: 1, oldestVersion: 1, createdTime: '2025-01-15T14:30:45.5Z', updatedTime: '2025-01-15T14:30:45.5Z', maxVersions: 10 },
      });
    case '/v1/acl/policy?list':
      return json(200, { policies: [{ id: '', name: 'db-read' }] });
    case '/v1/acl/policy?get':
      return json(200, {
        id: '',
        name: 'db-read',
        spiffiedPattern: '^spiffe://example\\.org/app/.*$',
        pathPattern: '^secrets/db/.*$',
        permissions: ['read'],
        createdAt: '2025-01-15T14:30:45Z',
        updatedAt: '2025-01-16T08:00:00Z',
      });
    case '/v1/operator/status?':
      return json(200, { ready: false, collected: 1, remaining: 1, threshold: 2, ids: [3] });
    case '/v1/operator/recover?':
      return json(200, { shards: { '1': arr(1), '2': arr(2) } });
    case '/v1/operator/restore?':
      return json(200, { collected: 1, remaining: 1, restored: false });
    default:
      return json(400, { err: 'api_bad_request' });
  }
}

async function viaProgram(args: string[], spiffeId: string, env: Record<string, string> = {}, stdin?: string): Promise<string> {
  const f = fake({ spiffeId, answer: nexus, env: { HOME: tmp, SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), ...env }, stdin });
  const r = await runProgram(args, f);
  expect(r.err, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(ExitCode.ok);
  return r.out;
}

function preflightWorld(): PreflightWorld {
  return {
    now: () => new Date('2026-01-01T00:00:00Z'),
    checkRecoveryDir: () => join(tmp, 'r', 'recover'),
    memoryRisks: () => [],
    openSvid: async () => ({
      spiffeId: ID.recover,
      notAfter: new Date('2026-01-01T01:00:00Z'),
      callNexus: async () => ({ answer: json(200, { ready: true, collected: 0, remaining: 0, threshold: 2, ids: [] }), presentedId: NEXUS_ID }),
      close: async () => undefined,
    }),
  };
}

async function verifyJson(): Promise<string> {
  const shards = new Map(computeShares(new Uint8Array(32).fill(9), 2, 3).map((s) => [s.id, Buffer.from(s.value)]));
  for (const [id, v] of shards) writeFileSync(join(tmp, `spike.recovery.${id}.txt`), formatShardFile(id, v), { mode: 0o600 });
  await exportBreakglass({ dir: tmp, shards, nexusId: NEXUS_ID, recipients: [] });
  return viaProgram(['operator', 'verify', tmp, '-f', 'json'], ID.recover);
}

async function preflightJson(): Promise<string> {
  const f = fake({ spiffeId: ID.recover, env: { HOME: tmp } });
  await runPreflight(f.deps, { format: 'json', for: 'recover' }, preflightWorld());
  return f.out.join('');
}

const SHARD = `spike:1:${'11'.repeat(32)}`;

const COMMANDS: [string, () => Promise<string>, number][] = [
  ['secret get', () => viaProgram(['secret', 'get', 'secrets/db', '-f', 'json'], ID.superuser), 4],
  ['secret get <key>', () => viaProgram(['secret', 'get', 'secrets/db', 'password', '-f', 'json'], ID.superuser), 4],
  ['secret list', () => viaProgram(['secret', 'list', '-f', 'json'], ID.superuser), 2],
  ['secret metadata get', () => viaProgram(['secret', 'metadata', 'get', 'secrets/db', '-f', 'json'], ID.superuser), 2],
  ['policy list', () => viaProgram(['policy', 'list', '-f', 'json'], ID.superuser), 2],
  ['policy get', () => viaProgram(['policy', 'get', 'db-read', '-f', 'json'], ID.superuser), 2],
  ['operator status', () => viaProgram(['operator', 'status', '-f', 'json'], ID.restore), 2],
  ['operator recover', () => viaProgram(['operator', 'recover', '-f', 'json'], ID.recover), 2],
  ['operator restore', () => viaProgram(['operator', 'restore', '-f', 'json'], ID.restore, {}, SHARD), 2],
  ['operator verify', verifyJson, 2],
  ['operator preflight', preflightJson, 2],
];

describe('-f json: one rule for every command', () => {
  it.each(COMMANDS)('%s prints one JSON document, MarshalIndent layout, one newline', async (_name, run, indent) => {
    const out = await run();
    expect(out.endsWith('\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
    // One document: JSON.parse refuses anything after it.
    const value: unknown = JSON.parse(out);
    expect(out).toBe(`${JSON.stringify(value, null, indent)}\n`);
  });

  it('our own commands escape as Go does (<, >, & as \\u003c…), not as JSON.stringify', async () => {
    const out = await viaProgram(['operator', 'recover', '-f', 'json'], ID.recover, { SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'a&b') });
    expect(out).toContain(`"directory": "${tmp}/a\\u0026b/recover",\n`);
    expect(JSON.parse(out)).toMatchObject({ directory: join(tmp, 'a&b', 'recover') });
  });

  it('the exact bytes of a small document', async () => {
    const out = await viaProgram(['operator', 'status', '-f', 'json'], ID.restore);
    expect(out).toBe('{\n  "ready": false,\n  "collected": 1,\n  "remaining": 1,\n  "threshold": 2,\n  "ids": [\n    3\n  ]\n}\n');
  });
});

describe('SPIKE_FORMAT and -f', () => {
  it('SPIKE_FORMAT sets the default of -f (any letter case); -f wins', async () => {
    expect(await viaProgram(['secret', 'list'], ID.superuser, { SPIKE_FORMAT: 'JSON' })).toBe('[\n  "secrets/a",\n  "secrets/b"\n]\n');
    expect(await viaProgram(['secret', 'list'], ID.superuser, { SPIKE_FORMAT: 'y' })).toBe('- secrets/a\n- secrets/b\n');
    expect(await viaProgram(['secret', 'list', '-f', 'human'], ID.superuser, { SPIKE_FORMAT: 'json' })).toBe('- secrets/a\n- secrets/b\n');
    expect(await viaProgram(['secret', 'list', '--format=Human'], ID.superuser, { SPIKE_FORMAT: 'json' })).toBe('- secrets/a\n- secrets/b\n');
    expect(await viaProgram(['operator', 'status'], ID.restore, { SPIKE_FORMAT: 'Json' })).toMatch(/^\{\n {2}"ready": false,/);
  });

  it('a bad SPIKE_FORMAT is one Error line naming it, exit 2, nothing sent', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus, env: { SPIKE_FORMAT: 'xml' } });
    const r = await runProgram(['secret', 'list'], f);
    expect([r.code, r.err]).toEqual([
      ExitCode.usage,
      "Error: Invalid configuration: SPIKE_FORMAT: invalid format 'xml'. Valid formats are: human/h/plain/p, json/j, yaml/y\n",
    ]);
    expect(r.calls).toEqual([]);
  });

  it('SPIKE_FORMAT=yaml for a command without yaml: exit 2 naming SPIKE_FORMAT (never a silent fallback)', async () => {
    const f = fake({ spiffeId: ID.restore, answer: nexus, env: { SPIKE_FORMAT: 'yaml' } });
    const r = await runProgram(['operator', 'status'], f);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toBe("Error: SPIKE_FORMAT is 'yaml', which this command cannot print (valid: human/h/plain/p, json/j); pass -f.\n");
    expect(r.calls).toEqual([]);
    // -f on the command line settles it.
    expect(await viaProgram(['operator', 'status', '-f', 'human'], ID.restore, { SPIKE_FORMAT: 'yaml' })).toContain('Shards collected: 1');
  });

  it('every -f help names SPIKE_FORMAT as the default, once', async () => {
    for (const args of [['secret', 'get'], ['secret', 'list'], ['operator', 'status'], ['operator', 'restore'], ['policy', 'get']]) {
      const r = await runProgram([...args, '--help'], fake({ spiffeId: ID.superuser }));
      // Help wraps lines where it likes: compare with whitespace collapsed.
      const flat = r.out.replace(/\s+/g, ' ');
      expect(flat, args.join(' ')).toMatch(/-f, --format <format> Output format: [^()]*\(default: \$SPIKE_FORMAT, else human\) /);
      expect(r.out.match(/\(default:/g)?.length ?? 0, args.join(' ')).toBe(r.out.includes('--version <n>') ? 2 : 1);
    }
  });

  it('commands without -f ignore SPIKE_FORMAT', async () => {
    expect(await viaProgram(['secret', 'put', 'secrets/a', 'k=v'], ID.superuser, { SPIKE_FORMAT: 'xml' })).toBe('OK\n');
  });

  it('-format=json / -format json (one dash) get a hint, exit 2, before anything else', async () => {
    for (const [args, hint] of [
      [['secret', 'list', '-format=json'], 'Error: unknown format "ormat=json"; did you mean --format json?\n'],
      [['secret', 'get', 'secrets/db', '-format=JSON'], 'Error: unknown format "ormat=JSON"; did you mean --format JSON?\n'],
      [['operator', 'status', '-format', 'json'], 'Error: unknown format "ormat"; did you mean --format <format>?\n'],
      [['operator', 'restore', '-format=json'], 'Error: unknown format "ormat=json"; did you mean --format json?\n'],
    ] as const) {
      const f = fake({ spiffeId: ID.superuser, answer: nexus });
      const r = await runProgram([...args], f);
      expect([r.code, r.err], args.join(' ')).toEqual([ExitCode.usage, hint]);
      expect(r.calls).toEqual([]);
    }
  });

  it('-f values are checked while parsing: an unknown one is upstream’s error, exit 2', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus });
    const r = await runProgram(['secret', 'list', '-f', 'toml', 'extra'], f);
    expect([r.code, r.err]).toEqual([ExitCode.usage, "Error: invalid format 'toml'. Valid formats are: human/h/plain/p, json/j, yaml/y\n"]);
  });
});
