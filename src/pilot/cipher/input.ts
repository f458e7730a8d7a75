// The input of `spike cipher`: a file (-f) or standard input, read whole but
// never past the limit (one byte more is an error: nothing is sent), with
// the Pilot's bounded read loop (output/io.ts readToLimit). Texts as
// upstream's where it has them ("Input file does not exist: …").
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { CliError, ExitCode } from '../output/exit.js';
import { InputTooLongError, readToLimit } from '../output/io.js';
import type { PilotDeps } from '../runtime.js';

const shown = (path: string): string => path.replace(/[^\x20-\x7e]/g, '?');
const errno = (e: unknown): string => ((e as NodeJS.ErrnoException | undefined)?.code ?? 'error');
const cannotAccess = (path: string, code: string): CliError => new CliError(ExitCode.usage, `Cannot access input file: ${shown(path)} (${code})`);

/** Input over `limit`, saying which limit it is (`what`: "encrypts" or "decrypts"). */
export function tooLong(limit: number, what: string): InputTooLongError {
  return new InputTooLongError(limit, `Input too long: more than ${limit} bytes (SPIKE Nexus ${what} at most ${limit} bytes; SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE).`);
}

/** Reads `path` to EOF, at most `limit` bytes (InputTooLongError beyond); what was read is zeroed on failure. */
export function readFileLimited(path: string, limit: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    if (errno(e) === 'ENOENT') throw new CliError(ExitCode.usage, `Input file does not exist: ${shown(path)}`);
    throw cannotAccess(path, errno(e));
  }
  try {
    if (fstatSync(fd).isDirectory()) throw cannotAccess(path, 'EISDIR');
    const r = readToLimit((buf) => readSync(fd, buf, 0, buf.length, null), limit, (code) => cannotAccess(path, code));
    if (r.done) return r.bytes;
    // A descriptor opened here blocks; EAGAIN would be a non-blocking special file.
    for (const c of r.chunks) c.fill(0);
    throw cannotAccess(path, 'EAGAIN');
  } finally {
    closeSync(fd);
  }
}

/** The input: `-f <path>` or standard input, at most `limit` bytes (beyond: tooLong's error). */
export async function readCipherInput(deps: PilotDeps, file: string | undefined, limit: number, what: string): Promise<Buffer> {
  try {
    if (file !== undefined && file !== '') return readFileLimited(file, limit);
    return await deps.io.readStdin(limit);
  } catch (e) {
    if (e instanceof InputTooLongError) throw tooLong(limit, what);
    throw e;
  }
}
