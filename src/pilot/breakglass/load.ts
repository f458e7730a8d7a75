// Loading what verify and restore check against: the manifest (parsed,
// self-consistent, optionally pinned to a fingerprint the operator wrote
// down) and shard files (plaintext or age-encrypted, decrypted in memory).
import { CliError, ExitCode } from '../output/exit.js';
import { AGE_SUFFIX, isAgeData, MAX_AGE_FILE_BYTES, type ShardDecrypter } from './age.js';
import { readLimitedFile } from './files.js';
import { ManifestError, MAX_MANIFEST_BYTES, normalizeFingerprint, parseManifest, type Manifest } from './manifest.js';
import type { ShardInput } from './verify.js';

/** Reads and checks a manifest; `expected` (a fingerprint as typed) pins it. Exit 2 on any problem. */
export function loadManifest(path: string, expected?: string): Manifest {
  let pin: string | undefined;
  if (expected !== undefined) {
    pin = normalizeFingerprint(expected);
    if (pin === undefined) throw new CliError(ExitCode.usage, 'Invalid --fingerprint: expected 64 hex digits (spaces allowed).');
  }
  const bytes = readLimitedFile(path, MAX_MANIFEST_BYTES, 'manifest');
  let m: Manifest;
  try {
    m = parseManifest(bytes);
  } catch (e) {
    if (e instanceof ManifestError) throw new CliError(ExitCode.usage, `${path}: ${e.message}`);
    throw e;
  }
  if (pin !== undefined && pin !== m.fingerprint) {
    throw new CliError(
      ExitCode.usage,
      `The manifest ${path} is for shard set ${m.fingerprint.slice(0, 16)}…, not the expected ${pin.slice(0, 16)}… (a stale or replaced manifest).`,
    );
  }
  return m;
}

/** Reads one shard file; an age file is decrypted with `decrypter` (needed then). Never throws. */
export async function readShardInput(path: string, decrypter: ShardDecrypter | undefined): Promise<ShardInput> {
  let data: Buffer;
  try {
    data = readLimitedFile(path, MAX_AGE_FILE_BYTES, 'shard file');
  } catch (e) {
    const missing = e instanceof CliError && /\(ENOENT\)/.test(e.message);
    return { file: path, problem: missing ? 'missing' : 'unreadable', detail: missing ? 'missing' : e instanceof CliError ? e.message : 'cannot be read' };
  }
  if (!isAgeData(data) && !path.endsWith(AGE_SUFFIX)) return { file: path, content: data };
  try {
    if (decrypter === undefined) {
      return { file: path, problem: 'undecryptable', detail: 'age-encrypted: pass --identity <key file> to check it' };
    }
    try {
      return { file: path, content: await decrypter.decrypt(data, path) };
    } catch (e) {
      return { file: path, problem: 'undecryptable', detail: e instanceof CliError ? e.message : 'cannot be decrypted' };
    }
  } finally {
    data.fill(0);
  }
}

/** Loads the identity file and builds a decrypter (exit 2 on problems). */
export async function loadDecrypter(identityPath: string): Promise<ShardDecrypter> {
  const { parseIdentityFile, shardDecrypter } = await import('./age.js');
  const raw = readLimitedFile(identityPath, 64 * 1024, 'age identity file');
  try {
    return await shardDecrypter(parseIdentityFile(raw.toString('utf8'), identityPath), identityPath);
  } finally {
    raw.fill(0);
  }
}
