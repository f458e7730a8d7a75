// The words `spike` prints on success (the documents this project implements and upstream
// recover.go / restore.go; docs/design.md § Texts). Byte-exact: tests pin them.

/** Upstream recover.go step 11: 12 lines, two-space indent. */
export function recoverSuccessText(dir: string): string {
  return [
    '',
    '  SPIKE Recovery shards saved to the recovery directory:',
    `  ${dir}`,
    '',
    '  Please make sure that:',
    '    1. You encrypt these shards and keep them safe.',
    '    2. Securely erase the shards from the',
    '       recovery directory after you encrypt them',
    '       and save them to a safe location.',
    '',
    '  If you lose these shards, you will not be able to recover',
    '  SPIKE Nexus in the unlikely event of a total system crash.',
    '',
  ].join('\n') + '\n';
}

/**
 * Restore, more shards needed: the seed's three lines, unindented with one
 * space before the numbers, framed by an empty line before and after as
 * upstream frames its output.
 */
export function restoreProgressText(collected: number, remaining: number): string {
  return [
    '',
    `Shards collected: ${collected}`,
    `Shards remaining: ${remaining}`,
    'Please run `spike operator restore` again to provide the remaining shards.',
    '',
  ].join('\n') + '\n';
}

/** Restore complete: the seed's three lines, framed like the progress text. */
export function restoreCompleteText(): string {
  return [
    '',
    'SPIKE is now restored and ready to use.',
    'Please run `./hack/spire-server-entry-su-register.sh` with necessary privileges',
    'to start using SPIKE as a superuser.',
    '',
  ].join('\n') + '\n';
}

/** Upstream restore.go prompt lines (the second has no newline). */
export const RESTORE_PROMPT_NOTICE = '(your input will be hidden as you paste/type it)\n';
export const RESTORE_PROMPT = 'Enter recovery shard: ';

/** Upstream main.go when mlock fails and SPIKE_PILOT_SHOW_MEMORY_WARNING=true (Node cannot lock memory). */
export const MEMORY_WARNING_TEXT = '\nMemory locking is not available.\nConsider disabling swap to enhance security.\n';

// Why the Pilot got no X.509-SVID (nexus/identity.ts picks one by the fetch's
// error kind): one line each, the socket named, no gRPC status names, and what
// to do next. docs/cli.md § Troubleshooting lists them.

/** What ends every "cannot reach" line. */
const WORKLOAD_API_HINT = `Set SPIFFE_ENDPOINT_SOCKET to the agent's socket; for the local stack run hack/start.sh and eval "$(hack/env.sh)".`;

/** The socket, and when SPIFFE_ENDPOINT_SOCKET is unset, that the default was tried. */
function workloadApiAt(address: string, socketSet: boolean): string {
  return socketSet ? address : `${address} (the default: SPIFFE_ENDPOINT_SOCKET is not set)`;
}

/** No agent at the socket (`what`: "no such socket (is the agent running?)", …). */
export function workloadApiUnreachableText(address: string, socketSet: boolean, what: string): string {
  return `cannot reach the SPIFFE Workload API at ${workloadApiAt(address, socketSet)}: ${what}. ${WORKLOAD_API_HINT}`;
}

/** The agent answered that it has no identity for this process (no registration entry matches it). */
export function noSvidForPilotText(address: string, socketSet: boolean): string {
  return (
    `the SPIFFE Workload API at ${workloadApiAt(address, socketSet)} has no X.509-SVID for this process (no registration entry matches it). ` +
    'Register SPIKE Pilot with hack/spire-server-entry-su-register.sh (superuser), hack/spire-server-entry-recover-register.sh (recover) or hack/spire-server-entry-restore-register.sh (restore).'
  );
}

/** The agent accepted the connection and never answered within SPIKE_SPIFFE_SOURCE_TIMEOUT. */
export function workloadApiTimeoutText(address: string, socketSet: boolean, timeout: string): string {
  return `no answer from the SPIFFE Workload API at ${workloadApiAt(address, socketSet)} within ${timeout} (SPIKE_SPIFFE_SOURCE_TIMEOUT): the agent accepted the connection but sent no X.509-SVID; check that it is healthy.`;
}

/** Any other failure (`why` in plain words from the fetch), after the retries. */
export function workloadApiFailedText(address: string, socketSet: boolean, why: string): string {
  return `no X.509-SVID from the SPIFFE Workload API at ${workloadApiAt(address, socketSet)}: ${why}.`;
}

/** On a terminal, after 1 s without an SVID (stderr; the error that may follow starts on its own line). */
export function waitingForWorkloadApiText(address: string): string {
  return `Waiting for the SPIFFE Workload API at ${address}…\n`;
}
