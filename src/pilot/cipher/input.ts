// The input of `spike cipher`: a file (-f) or standard input, read whole but
// never past the limit (one byte more is an error: nothing is sent). Texts
// as upstream's where it has them ("Input file does not exist: …").
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps } from '../runtime.js';

const shown = (path: string): string => path.replace(/[^\x20-\x7e]/g, '?');
const errno = (e: unknown): string => ((e as NodeJS.ErrnoException | undefined)?.code ?? 'error');

export function tooLong(limit: number, what: string): CliError {
  return new CliError(ExitCode.usage, `Input too long: more than ${limit} bytes (SPIKE Nexus ${what} at most ${limit} bytes; SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE).`);
}

/** Reads `path` to EOF, at most `limit` bytes; what was read is zeroed on failure. */
export function readFileLimited(path: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    if (errno(e) === 'ENOENT') throw new CliError(ExitCode.usage, `Input file does not exist: ${shown(path)}`);
    throw new CliError(ExitCode.usage, `Cannot access input file: ${shown(path)} (${errno(e)})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const wipe = (): void => {
    for (const c of chunks) c.fill(0);
  };
  try {
    if (fstatSync(fd).isDirectory()) throw new CliError(ExitCode.usage, `Cannot access input file: ${shown(path)} (EISDIR)`);
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, limit + 1 - size));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        buf.fill(0);
        if (errno(e) === 'EAGAIN' || errno(e) === 'EINTR') continue;
        throw new CliError(ExitCode.usage, `Cannot access input file: ${shown(path)} (${errno(e)})`);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      size += n;
      if (size > limit) throw tooLong(limit, what);
    }
    return Buffer.concat(chunks, size);
  } finally {
    wipe();
    closeSync(fd);
  }
}

/** The input: `-f <path>` or standard input, at most `limit` bytes. */
export async function readCipherInput(deps: PilotDeps, file: string | undefined, limit: number, what: string): Promise<Buffer> {
  if (file !== undefined && file !== '') return readFileLimited(file, limit, what);
  try {
    return await deps.io.readStdin(limit);
  } catch (e) {
    if (e instanceof CliError && e.message.startsWith('Input too long')) throw tooLong(limit, what);
    throw e;
  }
}
