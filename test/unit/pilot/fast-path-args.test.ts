// The break-glass fast path (src/pilot/fast/args.ts) parses `spike operator
// restore|recover` lines without commander. For every line it takes, the
// options must be exactly what commander hands the command's action in the
// full CLI (program.ts, with the SPIKE_FORMAT default of format-flags.ts);
// every other line (help, unknown or misplaced words, other spellings,
// invalid formats) must be left to the full CLI.
import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakglassCommandOf, parseBreakglassLine } from '../../../src/pilot/fast/args.js';
import { loadFormatSetting } from '../../../src/pilot/config.js';
import { buildProgram } from '../../../src/pilot/program.js';
import type { PilotDeps } from '../../../src/pilot/runtime.js';
import type { Env } from '../../../src/protocol/config/env.js';

/** Thrown by openIdentity: the action got as far as asking for the SVID. */
class Reached extends Error {}

/** What commander makes of `spike …args`: the options of the command it runs, or its own error. */
async function viaCommander(args: readonly string[], env: Env): Promise<{ opts: Record<string, unknown> } | { error: string }> {
  const deps: PilotDeps = {
    env: { HOME: '/nonexistent-home', ...env },
    io: {
      out: () => undefined,
      err: () => undefined,
      stdoutIsTty: () => false,
      stdinIsTty: () => false,
      stderrIsTty: () => false,
      readStdin: async () => Buffer.alloc(0),
      readLine: async () => '',
      readHidden: async () => '',
      readAnswer: async () => '',
    },
    openIdentity: async () => {
      throw new Reached();
    },
  };
  const argv = ['node', 'spike', ...args];
  const program = await buildProgram(() => deps, { out: () => undefined, err: () => undefined }, argv);
  let leaf: Command | undefined;
  program.hook('preAction', (_p, action) => {
    leaf = action;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return { error: e.code };
    // Anything else comes from the command itself (its own checks, or Reached): the options were parsed.
  }
  if (leaf === undefined) return { error: 'no action' };
  return { opts: leaf.opts() };
}

function viaFastPath(args: readonly string[], env: Env): ReturnType<typeof parseBreakglassLine> {
  return parseBreakglassLine(args, () => loadFormatSetting(env));
}

/** Lines the fast path takes, with the environment they run in. */
const TAKEN: readonly (readonly [readonly string[], Env])[] = [
  [['operator', 'restore'], {}],
  [['restore'], {}],
  [['operator', 'restore', '-f', 'json'], {}],
  [['operator', 'restore', '--format=J'], {}],
  [['operator', 'restore', '--format', 'plain'], {}],
  [['operator', 'restore', '--file', 'a.txt', '-i', 'k', '-m', 'm.json', '--fingerprint', 'ab12'], {}],
  [['operator', 'restore', '--file=a b.txt', '--identity=k', '--manifest=m', '--fingerprint=ff'], {}],
  [['operator', 'restore', '--file=x=y'], {}],
  [['operator', 'restore', '--reset'], {}],
  [['operator', 'restore', '--reset', '--reset', '-f', 'j'], {}],
  [['operator', 'restore', '--file', 'a', '--file', 'b'], {}],
  [['operator', 'restore', '-f', 'json', '-f', 'human'], {}],
  [['operator', 'restore', '--reset', '--file', 'a'], {}],
  [['operator', 'restore'], { SPIKE_FORMAT: 'json' }],
  [['operator', 'restore'], { SPIKE_FORMAT: ' J ' }],
  [['operator', 'restore', '-f', 'human'], { SPIKE_FORMAT: 'json' }],
  [['operator', 'restore', '-f', 'json'], { SPIKE_FORMAT: 'bogus' }],
  [['operator', 'recover'], {}],
  [['recover', '-r', 'age1a', '-r', 'age1b', '--recipient=age1c'], {}],
  [['operator', 'recover', '-R', 'file', '-f', 'j'], {}],
  [['operator', 'recover', '--recipients-file=x', '--format=human'], { SPIKE_FORMAT: 'yaml' }],
  [['recover'], { SPIKE_FORMAT: 'p' }],
];

/** Lines the fast path leaves to the full CLI. */
const LEFT: readonly (readonly [readonly string[], Env])[] = [
  [['operator', 'restore', '--help'], {}],
  [['operator', 'restore', '-h'], {}],
  [['help', 'operator', 'restore'], {}],
  [['operator'], {}],
  [['operator', 'Restore'], {}],
  [['-f', 'json', 'operator', 'restore'], {}],
  [['operator', 'restore', '--no-such-flag'], {}],
  [['operator', 'restore', 'extra'], {}],
  [['operator', 'restore', '-fjson'], {}],
  [['operator', 'restore', '-f'], {}],
  [['operator', 'restore', '--file'], {}],
  [['operator', 'restore', '-f', 'yaml'], {}],
  [['operator', 'restore', '-f', 'xml'], {}],
  [['operator', 'restore', '-format=json'], {}],
  [['operator', 'restore', '-f', '-V'], {}],
  [['operator', 'restore', '--file', '-'], {}],
  [['operator', 'restore', '--file', '--help'], {}],
  [['operator', 'restore', '--file', ''], {}],
  [['operator', 'restore', '--file='], {}],
  [['operator', 'restore', '--reset=1'], {}],
  [['operator', 'restore', '--'], {}],
  [['operator', 'restore', '-V'], {}],
  [['operator', 'restore', '--version'], {}],
  [['operator', 'restore', '-r', 'age1x'], {}],
  [['operator', 'restore', '-f=json'], {}],
  // commander checks every -f, so a later valid one does not save an invalid one (fast-check seed -84483664)
  [['operator', 'restore', '-f', 'yaml', '--format=json'], {}],
  [['operator', 'recover', '--format', 'nope', '-f', 'human'], {}],
  [['operator', 'recover', '--reset'], {}],
  [['operator', 'recover', '--file', 'a'], {}],
  [['operator', 'recover', '-rage1x'], {}],
  [['operator', 'restore'], { SPIKE_FORMAT: 'bogus' }],
  [['operator', 'recover'], { SPIKE_FORMAT: 'yaml' }],
];

describe('break-glass fast path: which lines it takes (fast/args.ts)', () => {
  it.each(TAKEN)('%j (env %j): the options commander gives the action', async (args, env) => {
    const fast = viaFastPath(args, env);
    expect(fast).toBeDefined();
    expect(fast?.command).toBe(args.includes('recover') ? 'recover' : 'restore');
    expect({ opts: fast?.opts }).toEqual(await viaCommander(args, env));
  });

  it.each(LEFT)('%j (env %j): left to the full CLI', (args, env) => {
    expect(viaFastPath(args, env)).toBeUndefined();
  });

  it('main.ts loads a fast path only for lines that name restore or recover first', () => {
    expect(breakglassCommandOf(['operator', 'restore', '--help'])).toBe('restore');
    expect(breakglassCommandOf(['recover'])).toBe('recover');
    expect(breakglassCommandOf(['operator', 'status'])).toBeUndefined();
    expect(breakglassCommandOf(['secret', 'get', 'restore'])).toBeUndefined();
    expect(breakglassCommandOf(['--version'])).toBeUndefined();
    expect(breakglassCommandOf([])).toBeUndefined();
  });

  it('any line it takes, built from option words and values, parses as in commander', async () => {
    const word = fc.constantFrom(
      '-f', '--format', '--file', '-i', '--identity', '-m', '--manifest', '--fingerprint', '--reset',
      '-r', '--recipient', '-R', '--recipients-file', '--format=json', '--file=x', '--recipient=age1b', '--reset=1',
      'json', 'J', 'human', 'yaml', 'age1a', 'a.txt', '-V', '--help', '-h', '--', '-', '', 'x=y', '-fjson', '-rage1c',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['operator', 'restore'], ['operator', 'recover'], ['restore'], ['recover']),
        fc.array(word, { maxLength: 6 }),
        fc.constantFrom<Env>({}, { SPIKE_FORMAT: 'json' }, { SPIKE_FORMAT: 'yaml' }, { SPIKE_FORMAT: 'nope' }),
        async (command, rest, env) => {
          const args = [...command, ...rest];
          const fast = viaFastPath(args, env);
          if (fast === undefined) return;
          expect({ opts: fast.opts }).toEqual(await viaCommander(args, env));
        },
      ),
      { numRuns: 300 },
    );
  });
});
