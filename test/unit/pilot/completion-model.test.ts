// What completion reads from a commander tree (src/pilot/completion/model.ts):
// names, aliases, flags and what their values are, arguments, commander's
// implicit help command. A tree built here, so the rules are checked
// whichever commands spike has.
import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionTree, type CompletionNode } from '../../../src/pilot/completion/model.js';
import { FORMAT_HELP, FORMAT_HELP_ALL } from '../../../src/pilot/output/format.js';

function tree(): CompletionNode {
  const root = new Command('spike').version('1.2.3', '-V, --version').helpCommand(true);
  const tool = root.command('tool').description('Tools').alias('t');
  tool
    .command('run')
    .description('Run it\nsecond line')
    .option('-f, --format <format>', FORMAT_HELP_ALL)
    .option('-o, --out <path>', 'output file')
    .option('--config-file <x>', 'a config')
    .option('--for <step>', 'which step')
    .option('--name <name>', 'a name')
    .option('--quiet', 'say less')
    .addOption(new Option('--color <when>', 'colour').choices(['auto', 'never']))
    .addArgument(new Argument('<mode>', 'the mode').choices(['fast', 'slow']))
    .argument('[paths...]', 'input files');
  tool.command('secret-ish').description('a secret path').argument('<path>', 'a secret path').option('-f, --format <format>', FORMAT_HELP);
  root.command('gone', { hidden: true }).description('hidden');
  return completionTree(root);
}

describe('completionTree', () => {
  const t = tree();
  const tool = t.children.find((c) => c.name === 'tool') as CompletionNode;
  const run = tool.children.find((c) => c.name === 'run') as CompletionNode;
  const value = (flag: string) => run.flags.find((f) => f.names.includes(flag))?.value;

  it('lists visible commands with aliases and paths, commander help included, hidden ones left out', () => {
    expect(t.children.map((c) => c.name)).toEqual(['tool', 'help']);
    expect(tool.aliases).toEqual(['t']);
    expect(run.path).toEqual(['tool', 'run']);
    expect(run.description).toBe('Run it');
    expect(t.flags.map((f) => f.names)).toEqual([['-V', '--version'], ['-h', '--help']]);
  });

  it('commander help completes the names of its siblings', () => {
    const help = t.children.find((c) => c.name === 'help') as CompletionNode;
    expect(help.args).toEqual([{ value: { kind: 'choices', values: ['tool'] }, variadic: false }]);
  });

  it('says what each flag takes', () => {
    expect(value('--format')).toEqual({ kind: 'choices', values: ['human', 'json', 'yaml'] });
    expect(value('--out')).toEqual({ kind: 'file' });
    expect(value('--config-file')).toEqual({ kind: 'file' });
    expect(value('--for')).toEqual({ kind: 'choices', values: ['recover', 'restore'] });
    expect(value('--name')).toEqual({ kind: 'any' });
    expect(value('--quiet')).toEqual({ kind: 'none' });
    expect(value('--color')).toEqual({ kind: 'choices', values: ['auto', 'never'] });
    expect(value('-h')).toEqual({ kind: 'none' });
    expect(tool.children.find((c) => c.name === 'secret-ish')?.flags[0]?.value).toEqual({ kind: 'choices', values: ['human', 'json'] });
  });

  it('says what each argument takes', () => {
    expect(run.args).toEqual([
      { value: { kind: 'choices', values: ['fast', 'slow'] }, variadic: false },
      { value: { kind: 'file' }, variadic: true },
    ]);
    expect(tool.children.find((c) => c.name === 'secret-ish')?.args).toEqual([{ value: { kind: 'any' }, variadic: false }]);
  });
});
