// The exit codes a command's --help lists are the ones it ends with: each
// command is run against failures it can meet (an unknown flag, a Pilot
// without the role, SPIKE Nexus answering 500, a Nexus that cannot be
// reached) and every exit code seen must be in its "Exit codes:" section
// (src/pilot/help/check.ts listedExitCodes).
import { describe, expect, it } from 'vitest';
import { listedExitCodes } from '../../../src/pilot/help/check.js';
import { COMMANDS } from '../../../src/pilot/program.js';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { fake, ID, json, runProgram } from './fakes.js';

const SHARD = `spike:1:${'11'.repeat(32)}`;
const POLICY = ['--name', 'db', '--path-pattern', '^secrets/db/.*$', '--spiffeid-pattern', '^spiffe://example\\.org/app/.*$', '--permissions', 'read'];
const NOT_A_PILOT = 'spiffe://spike.ist/spike/keeper';

/** A valid command line of each command that talks to SPIKE Nexus, the role it needs and its standard input. */
const RUNS: readonly { path: string[]; args: string[]; role: string; stdin?: string }[] = [
  { path: ['operator', 'recover'], args: [], role: ID.recover },
  { path: ['operator', 'restore'], args: [], role: ID.restore, stdin: SHARD },
  { path: ['restore'], args: [], role: ID.restore, stdin: SHARD },
  { path: ['operator', 'status'], args: [], role: ID.superuser },
  { path: ['operator', 'rotate'], args: ['--yes'], role: ID.superuser },
  { path: ['secret', 'put'], args: ['secrets/db', 'k=v'], role: ID.superuser },
  { path: ['secret', 'get'], args: ['secrets/db'], role: ID.superuser },
  { path: ['secret', 'list'], args: [], role: ID.superuser },
  { path: ['secret', 'delete'], args: ['secrets/db'], role: ID.superuser },
  { path: ['secret', 'undelete'], args: ['secrets/db'], role: ID.superuser },
  { path: ['secret', 'metadata', 'get'], args: ['secrets/db'], role: ID.superuser },
  { path: ['policy', 'create'], args: POLICY, role: ID.superuser },
  { path: ['policy', 'apply'], args: POLICY, role: ID.superuser },
  { path: ['policy', 'list'], args: [], role: ID.superuser },
  { path: ['policy', 'get'], args: ['db'], role: ID.superuser },
  { path: ['policy', 'delete'], args: ['db'], role: ID.superuser, stdin: 'y\n' },
  { path: ['cipher', 'encrypt'], args: [], role: ID.superuser, stdin: 'data' },
  { path: ['cipher', 'decrypt'], args: ['--version', '1', '--nonce', 'AAAAAAAAAAAAAAAA', '--ciphertext', 'AAAAAAAAAAAAAAAAAAAAAA=='], role: ID.superuser },
];

async function listed(path: string[]): Promise<number[]> {
  const r = await runProgram([...path, '--help'], fake({ spiffeId: ID.superuser }));
  expect(r.code).toBe(ExitCode.ok);
  return listedExitCodes(r.out);
}

/** The commands that never call SPIKE Nexus through a role (checked on their own below). */
const LOCAL = ['operator verify', 'operator preflight'];

describe('the exit codes of a command are in its --help', () => {
  it('every command of program.ts is run here (a new one needs a line in RUNS, or in LOCAL)', () => {
    // `secret metadata` is run as `secret metadata get`.
    const covered = (n: string): boolean => LOCAL.includes(n) || RUNS.some((r) => `${r.path.join(' ')} `.startsWith(`${n} `));
    expect(COMMANDS.map((c) => `${c.group} ${c.name}`).filter((n) => !covered(n))).toEqual([]);
  });

  it.each(RUNS.map((r) => [r.path.join(' '), r] as const))('spike %s', async (_name, run) => {
    const codes = await listed(run.path);
    const seen = new Map<string, number>();
    const go = async (why: string, args: string[], o: Parameters<typeof fake>[0]) => {
      const r = await runProgram([...run.path, ...args], fake({ stdin: run.stdin, ...o }));
      seen.set(why, r.code);
    };
    await go('unknown flag', [...run.args, '--no-such-flag'], { spiffeId: run.role });
    await go('not a Pilot', run.args, { spiffeId: NOT_A_PILOT, answer: () => json(200, {}) });
    await go('Nexus answers 500', run.args, { spiffeId: run.role, answer: () => json(500, {}) });
    await go('Nexus unreachable', run.args, {
      spiffeId: run.role,
      answer: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8553'), { code: 'ECONNREFUSED' })),
    });
    // The failures did happen (none of them is a success) …
    expect(Object.fromEntries(seen)).toEqual({
      'unknown flag': ExitCode.usage,
      'not a Pilot': ExitCode.identity,
      'Nexus answers 500': ExitCode.nexus,
      'Nexus unreachable': ExitCode.nexus,
    });
    // … and the help lists each code.
    for (const [why, code] of seen) expect(codes, `${why}: exit ${code}`).toContain(code);
  });

  it('offline and local commands: an unknown flag (2) and their own failures are listed', async () => {
    for (const path of [['operator', 'verify'], ['operator', 'preflight'], ['completion'], ['operator'], ['secret'], ['policy'], ['secret', 'metadata'], []]) {
      expect(await listed(path), path.join(' ')).toContain(ExitCode.usage);
    }
    // verify of a file that does not exist: exit 2, listed.
    const v = await runProgram(['operator', 'verify', '/nonexistent/spike.recovery.1.txt'], fake({ spiffeId: ID.superuser }));
    expect(await listed(['operator', 'verify'])).toContain(v.code);
    // a group without a command: exit 2, listed.
    const g = await runProgram(['secret'], fake({ spiffeId: ID.superuser }));
    expect(g.code).toBe(ExitCode.usage);
  });
});
