// Where `spike operator restore` gets its shard besides the terminal and
// stdin: `--file F` (a plaintext shard file, or an age file decrypted in
// memory with `--identity KEYFILE`), and the `--manifest` check that runs
// before anything is sent. Errors are exit 2 (local input); nothing is sent.
import { CliError, ExitCode } from '../output/exit.js';
import { isAgeData, MAX_AGE_FILE_BYTES } from './age.js';
import { readLimitedFile } from './files.js';
import { matchesEntry, type Manifest } from './manifest.js';

export interface RestoreSourceOptions {
  file?: string;
  identity?: string;
}

/** The shard text from `--file` (decrypted when it is an age file); the caller zeroes it. */
export async function readShardFromFile(opts: RestoreSourceOptions): Promise<Buffer> {
  if (opts.file === undefined) throw new CliError(ExitCode.usage, '--identity needs --file <encrypted shard file>.');
  const raw = readLimitedFile(opts.file, MAX_AGE_FILE_BYTES, 'shard file');
  if (!isAgeData(raw)) {
    if (opts.identity !== undefined) {
      raw.fill(0);
      throw new CliError(ExitCode.usage, `${opts.file} is not an age-encrypted file; leave out --identity.`);
    }
    return raw;
  }
  try {
    if (opts.identity === undefined) {
      throw new CliError(ExitCode.usage, `${opts.file} is age-encrypted: pass --identity <age identity file>.`);
    }
    const { loadDecrypter } = await import('./load.js');
    const d = await loadDecrypter(opts.identity);
    return await d.decrypt(raw, opts.file);
  } finally {
    raw.fill(0);
  }
}

/** Refuses a shard that is not the manifest's shard `id` (exit 2, before sending). */
export function checkShardAgainstManifest(m: Manifest, id: number, value: Uint8Array): void {
  switch (matchesEntry(m, id, value)) {
    case 'match':
      return;
    case 'unknown_id':
      throw new CliError(
        ExitCode.usage,
        `Shard ${id} is not in the shard set of the manifest (ids ${m.entries.map((e) => e.id).join(', ')}); nothing was sent.`,
      );
    case 'mismatch':
      throw new CliError(
        ExitCode.usage,
        `Shard ${id} does not match the manifest (a typo, or a shard of another set ${m.fingerprint.slice(0, 16)}…); nothing was sent.`,
      );
  }
}
