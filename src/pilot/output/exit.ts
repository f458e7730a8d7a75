// Exit codes of `spike` (docs/design.md § Exit codes) and the error type the
// commands throw. report.ts prints `Error: <message>` on stderr and cli.ts exits
// with the code; nothing else ever reaches the user (no stack traces).

export const ExitCode = {
  /** Success, including "shard accepted, more needed". */
  ok: 0,
  /** SPIKE Nexus could not be reached, or answered with an error. */
  nexus: 1,
  /** Usage error or invalid input (bad flag, malformed shard, invalid path). */
  usage: 2,
  /** Identity failure: no SVID in time, wrong role, Nexus presented a wrong SPIFFE ID. */
  identity: 3,
  /** Local filesystem failure: recovery directory unsafe or unwritable. */
  filesystem: 4,
  /**
   * Restore: Nexus answered, but the shard did not help — the shards held do
   * not fit together yet, a drill shard does NOT match the live root key,
   * Nexus refused it (too many values for its id), or Nexus cannot check it.
   */
  refused: 5,
  /** The operator pressed Ctrl-C at a prompt; nothing was sent (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure to report to the operator: one line, never secret material.
 * `message` is printed after `Error: `; it must not end with a newline.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
  }
}

/** SPIKE Nexus is not ready yet (HTTP 503, `state_not_ready`): an `Error:` line like any other (nexus/calls.ts NOT_READY_MESSAGE). */
export class NotReadyError extends CliError {}

/** The line printed for a CliError (with its newline). */
export function errorLine(message: string): string {
  return `Error: ${oneLine(message)}\n`;
}

/** Collapses any line breaks so that an error is always exactly one line. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

/**
 * Prints the one line of a command's failure (a CliError's message, else
 * "unexpected failure (…)") and returns its exit code. report.ts adds
 * commander's own errors on top (the fast path, fast/run.ts, never
 * loads commander).
 */
export function reportCommandFailure(e: unknown, err: (text: string) => void): number {
  if (e instanceof CliError) {
    err(errorLine(e.message));
    return e.exitCode;
  }
  err(errorLine(`unexpected failure (${firstLine(e)})`));
  return ExitCode.nexus;
}

/** The first line of an unknown error's message (what follows may be a stack or a dump). */
export function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';
  return (s.split(/\r?\n/)[0] ?? '').trim() || 'unknown error';
}
