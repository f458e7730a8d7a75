// Turns any failure of a command into what the operator sees: one line on
// stderr (never a stack trace) and the exit code of docs/design.md § Exit codes.
import { CommanderError } from 'commander';
import { errorLine, ExitCode, reportCommandFailure } from './exit.js';

/** The exit code for a thrown value, after printing its one line. */
export function reportFailure(e: unknown, err: (text: string) => void): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.ok;
    // Help was printed: on request (`spike help`, exit 0) or because a group
    // command was run without a subcommand (printed on stderr, a usage error).
    if (e.code === 'commander.help') return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    err(errorLine(e.message.replace(/^error:\s*/i, '')));
    return ExitCode.usage;
  }
  return reportCommandFailure(e, err);
}

