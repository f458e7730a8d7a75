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
