// The -f/--format flags of the whole `spike` tree, wired once (program.ts):
// values checked while the flags are parsed, and SPIKE_FORMAT as their
// default (docs/cli.md § Output formats; the parsing rules: output/format.ts).
import type { Command, Option } from 'commander';
import { ALL_FORMATS, formatFromEnv, parseFormat, type OutputFormat } from './output/format.js';

/** The -f/--format option of `cmd`, if it has one. */
function formatOptionOf(cmd: Command): Option | undefined {
  return cmd.options.find((o) => o.attributeName() === 'format');
}

/** What a command's -f can print: its help names yaml or it does not (output/format.ts FORMAT_HELP / FORMAT_HELP_ALL). */
export function supportedFormats(opt: Option): readonly OutputFormat[] {
  return (opt.description ?? '').includes('yaml/y') ? ALL_FORMATS : ['human', 'json'];
}

/**
 * Every -f/--format in the tree: its value is checked while the flags are
 * parsed (any letter case; `-format=json` gets a hint before commander can
 * complain about a stray argument), and when it was not given on the command
 * line `SPIKE_FORMAT` (if set) replaces the default.
 */
export function installFormatFlags(program: Command, spikeFormat: () => string | undefined): void {
  const visit = (cmd: Command): void => {
    const opt = formatOptionOf(cmd);
    if (opt !== undefined) {
      const supported = supportedFormats(opt);
      opt.argParser((value: string) => parseFormat(value, supported));
      opt.defaultValueDescription = '$SPIKE_FORMAT, else human';
    }
    cmd.commands.forEach(visit);
  };
  visit(program);
  program.hook('preAction', (_hooked, action) => {
    const opt = formatOptionOf(action);
    if (opt === undefined || action.getOptionValueSource('format') === 'cli') return;
    const f = formatFromEnv(spikeFormat(), supportedFormats(opt));
    if (f !== undefined) action.setOptionValueWithSource('format', f, 'env');
  });
}
