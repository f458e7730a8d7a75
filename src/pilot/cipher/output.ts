// The output of `spike cipher`, never partial: it is written only once
// SPIKE Nexus answered in full, and only then. A file (-o) is written under a
// temporary name next to it, fsynced and renamed over the path (mode 0600:
// it may be a plaintext), so a failure leaves the path as it was; standard
// output gets the bytes in one write.
import { replaceFileAtomic } from '../../common/durable-file.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps } from '../runtime.js';

const shown = (path: string): string => path.replace(/[^\x20-\x7e]/g, '?');

export function writeCipherOutput(deps: PilotDeps, file: string | undefined, bytes: Buffer): void {
  if (file !== undefined && file !== '') {
    try {
      replaceFileAtomic(file, bytes, { mode: 0o600 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';
      throw new CliError(ExitCode.filesystem, `Failed to write output file: ${shown(file)} (${code})`);
    }
    return;
  }
  if (deps.io.outBytes === undefined) throw new CliError(ExitCode.filesystem, 'Failed to write output: standard output takes no bytes here');
  deps.io.outBytes(bytes);
}
