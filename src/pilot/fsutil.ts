// File-system helpers of the recovery files (docs/design.md § Recovery directory and files)
// that the durable writes (common/durable-file.ts) leave to the Pilot: errno
// codes for its one-line errors and the clean-up of earlier outputs. Shared by
// the plaintext writer (recovery/writer.ts) and the break-glass additions
// (breakglass/files.ts).
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode } from './output/exit.js';

/** The errno code of a Node fs error ("EACCES", …), or "error". */
export function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'error';
}

/** Removes the top-level entries of `dir` whose names match (exit 4 on failure). */
export function removeMatching(dir: string, matches: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new CliError(ExitCode.filesystem, `Failed to read recover directory: ${dir} (${errnoCode(e)}).`);
  }
  for (const name of names) {
    if (!matches(name)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch (e) {
      throw new CliError(ExitCode.filesystem, `Failed to remove old recovery file ${join(dir, name)} (${errnoCode(e)}).`);
    }
  }
}
