// program.ts loads only the command modules a command line needs: what a
// command prints (help, usage errors) must not depend on whether the other
// command modules were loaded, and a command line that names one command
// must load only that one.
import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { buildProgram, COMMANDS, commandsFor } from '../../../src/pilot/program.js';
import type { PilotDeps } from '../../../src/pilot/runtime.js';

const noDeps = (): PilotDeps => {
  throw new Error('help and usage errors must not need dependencies');
};

/** What `spike …args` prints through commander, and how it ends, with every command loaded or only the selected ones. */
async function run(args: string[], selected: boolean): Promise<{ out: string; err: string; code: string }> {
  let out = '';
  let err = '';
  const argv = ['node', 'spike', ...args];
  const program = await buildProgram(noDeps, { out: (s) => (out += s), err: (s) => (err += s) }, selected ? argv : undefined);
  let code = 'none';
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = `${e.code} ${e.exitCode} ${e.message}`;
  }
  return { out, err, code };
}

const paths = [...COMMANDS.map((c) => [c.group, c.name]), ['recover'], ['restore']];

describe('spike loads only the command it runs (program.ts)', () => {
  it.each(COMMANDS.map((c) => [c.group, c.name, c] as const))('%s %s: only its own module', (group, name, spec) => {
    expect(commandsFor(['node', 'spike', group, name, '--help'])).toEqual([spec]);
  });

  it('the aliases load the operator command they stand for', () => {
    expect(commandsFor(['node', 'spike', 'restore']).map((c) => `${c.group} ${c.name}`)).toEqual(['operator restore']);
    expect(commandsFor(['node', 'spike', 'recover', '-f', 'json']).map((c) => `${c.group} ${c.name}`)).toEqual(['operator recover']);
  });

  it.each([[[]], [['--help']], [['help', 'operator']], [['operator']], [['operator', 'nope']], [['secret', '--help', 'get']], [['-f', 'json', 'secret', 'get']], [['sekret', 'get']]])(
    '%j: every command (help and suggestions list what is registered)',
    (args) => {
      expect(commandsFor(['node', 'spike', ...args])).toBe(COMMANDS);
    },
  );

  it.each(paths)('%s %s: help is the same as with every command loaded', async (...path) => {
    const full = await run([...path, '--help'], false);
    const lazy = await run([...path, '--help'], true);
    expect(full.code).toMatch(/^commander\.helpDisplayed 0/);
    expect(lazy).toEqual(full);
  });

  it.each(paths)('%s %s: a usage error is the same as with every command loaded', async (...path) => {
    const full = await run([...path, '--no-such-flag'], false);
    const lazy = await run([...path, '--no-such-flag'], true);
    expect(full.code).toMatch(/^commander\.unknownOption 1 error: unknown option '--no-such-flag'/);
    expect(lazy).toEqual(full);
  });

  it('a named command registers only itself (and its alias)', async () => {
    const program = await buildProgram(noDeps, { out: () => undefined, err: () => undefined }, ['node', 'spike', 'operator', 'restore']);
    const names = program.commands.flatMap((c) => [c.name(), ...c.commands.map((s) => `${c.name()} ${s.name()}`)]);
    expect(names.filter((n) => n !== 'help' && !n.endsWith(' help'))).toEqual(['operator', 'operator restore', 'restore']);
  });
});
