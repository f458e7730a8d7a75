// What shell completion offers, read from the live commander tree (never a
// hand-written list): every visible command with its aliases, every flag
// with whether it takes a value and which, and the positional arguments.
// The generators (bash.ts, zsh.ts, fish.ts) turn it into a script. Only
// `spike completion <shell>` loads this module.
import type { Argument, Command, Option } from 'commander';
import { supportedFormats } from '../format-flags.js';
import { PERMISSIONS } from '../policy/input.js';

/** What may follow a flag, or stand as a positional argument. */
export type ValueKind =
  | { readonly kind: 'none' } // a flag without a value
  | { readonly kind: 'any' } // a value spike cannot guess (a secret path, a pattern)
  | { readonly kind: 'file' } // a local file or directory
  | { readonly kind: 'choices'; readonly values: readonly string[] };

export interface CompletionFlag {
  /** Every spelling, short first: ['-f', '--format']. */
  readonly names: readonly string[];
  readonly description: string;
  readonly value: ValueKind;
}

export interface CompletionArg {
  readonly value: ValueKind;
  /** The last argument may repeat (`[paths...]`). */
  readonly variadic: boolean;
}

export interface CompletionNode {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  /** The command words after `spike`: [] for spike itself, ['operator', 'restore']. */
  readonly path: readonly string[];
  readonly flags: readonly CompletionFlag[];
  readonly args: readonly CompletionArg[];
  readonly children: readonly CompletionNode[];
}

const NONE: ValueKind = { kind: 'none' };
const ANY: ValueKind = { kind: 'any' };
const FILE: ValueKind = { kind: 'file' };
const choices = (values: readonly string[]): ValueKind => ({ kind: 'choices', values });

/**
 * Values of flags whose parser checks them itself (so commander has no
 * `choices` for them), keyed by the long flag. Everything else comes from the
 * tree: commander choices, -f/--format (format-flags.ts), file placeholders.
 */
const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  // operator preflight --for (commands/operator-preflight.ts parsePurpose)
  '--for': ['recover', 'restore'],
  // policy create|apply --permissions (a comma list: its first item completes)
  '--permissions': PERMISSIONS,
};

/** A flag's placeholder (`<file>` in `--file <file>`), without brackets. */
function placeholderOf(opt: Option): string {
  return /[<[]([^>\]]*)[>\]]/.exec(opt.flags)?.[1] ?? '';
}

function optionValue(opt: Option): ValueKind {
  if (!opt.required && !opt.optional) return NONE;
  if (opt.argChoices !== undefined) return choices(opt.argChoices);
  if (opt.attributeName() === 'format') return choices(supportedFormats(opt));
  const fixed = opt.long === undefined ? undefined : FLAG_VALUES[opt.long];
  if (fixed !== undefined) return choices(fixed);
  // `--file <file>`, `-R, --recipients-file <file>`, `-i, --identity <file>`, `policy apply --file <path>`, `-o, --out <path>`:
  // an option's value named file, path or dir is a local one (secret paths are arguments, never option values).
  if (/^(file|path|dir)$/i.test(placeholderOf(opt)) || /-file$/.test(opt.long ?? '') || ['--file', '--out', '--output'].includes(opt.long ?? '')) return FILE;
  return ANY;
}

function argumentValue(arg: Argument): ValueKind {
  if (arg.argChoices !== undefined) return choices(arg.argChoices);
  // operator verify [paths...]: shard files or a directory. A lone <path> is a secret path (secret get <path>): not local.
  if (/^(paths|files?)$/.test(arg.name())) return FILE;
  return ANY;
}

function flagOf(opt: Option): CompletionFlag {
  const names = [opt.short, opt.long].filter((n): n is string => n !== undefined);
  return { names, description: opt.description, value: optionValue(opt) };
}

/** The tree under `cmd` (commander's own `help` subcommand included, completing its siblings' names). */
export function completionTree(cmd: Command, path: readonly string[] = []): CompletionNode {
  const help = cmd.createHelp();
  const visible = help.visibleCommands(cmd);
  const children = visible.map((c) => {
    const childPath = [...path, c.name()];
    if (c.commands.length === 0 && c.registeredArguments.length === 1 && c.name() === 'help' && !cmd.commands.includes(c)) {
      // commander's implicit `help [command]`: its argument is one of the other subcommands.
      const names = visible.filter((o) => o !== c).map((o) => o.name());
      return { ...completionTree(c, childPath), args: [{ value: choices(names), variadic: false }] };
    }
    return completionTree(c, childPath);
  });
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.summary() || cmd.description().split('\n')[0] || '',
    path,
    flags: help.visibleOptions(cmd).map(flagOf),
    args: cmd.registeredArguments.map((a) => ({ value: argumentValue(a), variadic: a.variadic })),
    children,
  };
}

/** Every node of the tree, depth first, the root first. */
export function allNodes(root: CompletionNode): CompletionNode[] {
  return [root, ...root.children.flatMap(allNodes)];
}

/** The words that name `node` under its parent: its name and its aliases. */
export function namesOf(node: CompletionNode): readonly string[] {
  return [node.name, ...node.aliases];
}
