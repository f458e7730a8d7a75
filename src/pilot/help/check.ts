// The help format every `spike` command follows (docs/cli.md § Help), as a
// check: a description, a description for every flag and argument, then
// after the option list
//
//   Exit codes:
//     0  <when>
//     2  <when>
//   Example:
//     $ spike secret get secrets/db        (one or more lines)
//
// with only codes of output/exit.ts (docs/design.md § Exit codes), 0 and 2
// (an unknown flag) among them, and at least one example running the command itself. The commands
// keep their help as static text next to their flags; nothing on a command's
// path loads this module (test/unit/pilot/help-tree.test.ts does).
import type { Command } from 'commander';
import { quoteForMessage } from '../../util/quote-for-message.js';
import { ExitCode } from '../output/exit.js';

const KNOWN_CODES: ReadonlySet<number> = new Set(Object.values(ExitCode));

/** The lines of the section under `heading` (a line of its own), up to the first blank line. */
function section(lines: readonly string[], heading: RegExp): { at: number; body: string[] } | undefined {
  const at = lines.findIndex((l) => heading.test(l));
  if (at < 0) return undefined;
  const end = lines.findIndex((l, i) => i > at && l.trim() === '');
  return { at, body: lines.slice(at + 1, end < 0 ? lines.length : end) };
}

/** The codes a help text lists under "Exit codes:" ([] without that section). */
export function listedExitCodes(helpText: string): number[] {
  const exits = section(helpText.split('\n'), /^Exit codes:$/);
  return (exits?.body ?? []).flatMap((l) => {
    const m = /^ {2}(\d+) {1,2}\S/.exec(l);
    return m === null ? [] : [Number(m[1])];
  });
}

/**
 * What is missing from the help of `cmd` (`path`: its words after `spike`),
 * given the text its `--help` prints; [] when it follows the format.
 */
export function helpProblems(cmd: Command, path: readonly string[], helpText: string): string[] {
  const problems: string[] = [];
  if ((cmd.description() || cmd.summary()).trim() === '') problems.push('no description');
  for (const opt of cmd.options) if ((opt.description ?? '').trim() === '') problems.push(`flag ${opt.flags} has no description`);
  for (const arg of cmd.registeredArguments) if ((arg.description ?? '').trim() === '') problems.push(`argument <${arg.name()}> has no description`);

  const lines = helpText.split('\n');
  const exits = section(lines, /^Exit codes:$/);
  if (exits === undefined) {
    problems.push('no "Exit codes:" section');
  } else {
    const codes: number[] = [];
    for (const line of exits.body) {
      const m = /^ {2}(\d+) {1,2}\S/.exec(line);
      if (m !== null) codes.push(Number(m[1]));
      else if (!/^ {4,}\S/.test(line)) problems.push(`"Exit codes:" line is not "  <code>  <when>" or its continuation: ${quoteForMessage(line)}`);
    }
    if (!codes.includes(ExitCode.ok)) problems.push('"Exit codes:" does not list 0');
    // Commander refuses an unknown flag on every command (report.ts: exit 2).
    if (!codes.includes(ExitCode.usage)) problems.push('"Exit codes:" does not list 2 (every command exits 2 on an unknown flag)');
    for (const c of codes) if (!KNOWN_CODES.has(c)) problems.push(`"Exit codes:" lists ${c}, which is not an exit code of spike (output/exit.ts)`);
    if (new Set(codes).size !== codes.length) problems.push('"Exit codes:" lists a code twice');
  }

  const examples = section(lines, /^Example:$/);
  if (examples === undefined) {
    problems.push('no "Example:" section');
  } else {
    const runs = examples.body.filter((l) => l.startsWith('  $ '));
    if (runs.length === 0) problems.push('"Example:" has no "  $ …" line');
    const self = ['spike', ...path].join(' ');
    if (!runs.some((l) => new RegExp(`(^|[ |(<])${self.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`).test(l.slice(4)))) {
      problems.push(`no example runs "${self}"`);
    }
    if (exits !== undefined && examples.at < exits.at) problems.push('"Example:" comes before "Exit codes:"');
  }
  return problems;
}
