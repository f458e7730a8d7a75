// Man-page quality help: walks the whole `spike` command tree (every command
// program.ts registers, hidden ones included; commander's implicit `help`
// command is commander's own and left out) and fails on any command whose
// --help lacks a description, a flag or argument description, an
// "Exit codes:" section or an "Example:" section (src/pilot/help/check.ts).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { helpProblems } from '../../../src/pilot/help/check.js';
import { buildProgram } from '../../../src/pilot/program.js';
import type { PilotDeps } from '../../../src/pilot/runtime.js';

const noDeps = (): PilotDeps => {
  throw new Error('help must not need dependencies');
};

interface Visited {
  readonly path: readonly string[];
  readonly cmd: Command;
}

function walk(cmd: Command, path: readonly string[] = []): Visited[] {
  return [{ path, cmd }, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

/** Every command of spike with what its --help prints (commander's outputHelp: the text after the options included). */
async function everyCommand(): Promise<(Visited & { help: string })[]> {
  let out = '';
  const program = await buildProgram(noDeps, { out: (s) => (out += s), err: (s) => (out += s) });
  return walk(program).map((v) => {
    out = '';
    v.cmd.outputHelp();
    return { ...v, help: out };
  });
}

describe('every spike command has man-page quality help', async () => {
  const commands = await everyCommand();

  it('the walk reaches the whole tree', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const n of ['', 'operator', 'operator restore', 'operator rotate', 'restore', 'recover', 'secret', 'secret metadata', 'secret metadata get', 'policy apply', 'completion']) {
      expect(names).toContain(n);
    }
    expect(commands.length).toBeGreaterThanOrEqual(24);
  });

  it.each(commands.map((c) => [c.path.length === 0 ? 'spike' : `spike ${c.path.join(' ')}`, c] as const))('%s', (_name, c) => {
    expect(helpProblems(c.cmd, c.path, c.help)).toEqual([]);
  });
});

describe('the help check can fail', () => {
  const good = ['Usage: spike x', '', 'Exit codes:', '  0  success', '  2  usage error', '  130 interrupted', '     (continued)', '', 'Example:', '  $ spike x --y', ''].join('\n');
  const cmd = (): Command => new Command('x').description('does x').option('--y', 'the y flag');

  it('accepts a help in the format', () => {
    expect(helpProblems(cmd(), ['x'], good)).toEqual([]);
  });

  it.each([
    ['no description', new Command('x').option('--y', 'y'), good, 'no description'],
    ['a flag without a description', cmd().option('--z'), good, 'flag --z has no description'],
    ['an argument without a description', cmd().argument('<p>'), good, 'argument <p> has no description'],
    ['no Exit codes', cmd(), good.replace('Exit codes:', 'Exit status:'), 'no "Exit codes:" section'],
    ['an unknown code', cmd(), good.replace('  130 interrupted', '  7  weird'), '"Exit codes:" lists 7, which is not an exit code of spike (output/exit.ts)'],
    ['no 0', cmd(), good.replace('  0  success\n', ''), '"Exit codes:" does not list 0'],
    ['no 2', cmd(), good.replace('  2  usage error\n', ''), '"Exit codes:" does not list 2 (every command exits 2 on an unknown flag)'],
    ['a code twice', cmd(), good.replace('  2  usage error\n', '  2  usage error\n  2  again\n'), '"Exit codes:" lists a code twice'],
    ['Example before Exit codes', cmd(), 'Example:\n  $ spike x\n\nExit codes:\n  0  ok\n  2  usage\n', '"Example:" comes before "Exit codes:"'],
    ['a stray line in Exit codes', cmd(), good.replace('     (continued)', 'see above'), '"Exit codes:" line is not "  <code>  <when>" or its continuation: "see above"'],
    // U+202E (a bidi override) and U+0085 (NEL, a line break) escaped, so the problem stays one readable line.
    ['a stray line with a bidi override and a NEL', cmd(), good.replace('     (continued)', '\u202esee\u0085above'), '"Exit codes:" line is not "  <code>  <when>" or its continuation: "\\u202esee\\u0085above"'],
    ['no Example', cmd(), good.replace('Example:', 'Usage examples:'), 'no "Example:" section'],
    ['an example of another command', cmd(), good.replace('$ spike x --y', '$ spike xy'), 'no example runs "spike x"'],
    ['examples without $', cmd(), good.replace('  $ spike x --y', '  spike x --y'), '"Example:" has no "  $ …" line'],
  ])('%s', (_why, c, text, problem) => {
    expect(helpProblems(c, ['x'], text)).toContain(problem);
  });
});
