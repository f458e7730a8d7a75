// The help text after the flags of `spike secret delete` and `spike secret
// undelete`: the same role, version and exit-code lines, their own note,
// outcome and examples.

/** "Needs the superuser…", `note`, the exit codes (0: `done`, prints OK) and the example lines. */
export function secretVersionsHelp(note: string, done: string, examples: readonly string[]): string {
  return `
Needs the superuser SPIFFE ID (spiffe://<trust root>/spike/pilot/role/superuser).
${note}

Exit codes:
  0  ${done} (prints OK)
  1  SPIKE Nexus unreachable, too slow, or answered with an error
  2  usage error or invalid input (invalid path or version list); nothing was sent
  3  identity failure (no SVID in time, not the superuser role, or the server
     is not SPIKE Nexus)

Example:
${examples.map((e) => `  $ ${e}`).join('\n')}`;
}
