// What `spike operator recover` adds after it has validated Nexus's answer:
// optional age encryption (one armored file per shard, no plaintext file is
// ever written) and the manifest, written atomically last: its temporary file
// is written and synced together with the shard files, and renamed into place
// only once the shard files and then their directory are synced. Recipients: one
// for every shard, or exactly one per shard (shard i → the i-th recipient,
// ids ascending). On failure every file this run wrote is removed again.
// Earlier outputs in the directory: an encrypted export replaces earlier
// `.age` files and the manifest (earlier plaintext shard files are zeroed,
// fsynced and removed before: recovery-writer.ts removeOldRecoveryFiles); a plaintext export refuses to run while
// earlier `.age` files are there (it would delete them without a word and
// leave nothing that matches them) — refuseToDropEncryptedExports.
import { readdirSync } from 'node:fs';
import { CliError, ExitCode } from '../output/exit.js';
import { recoveryFileName, writeRecoveryFiles } from './recovery-writer.js';
import { formatShardFile } from './shard.js';
import { AGE_SUFFIX } from './age.js';
import { discardQuietly, errnoCode, errnoOf, removeOldBreakglassFiles, stageAtomic, writeShardFilesAllOrNone, type StagedFile } from './files.js';
import { buildManifest, MANIFEST_FILE, serializeManifest, type Manifest } from './manifest.js';
import { deduceThreshold } from './polynomial.js';

export interface ExportResult {
  files: string[];
  manifestPath: string;
  manifest: Manifest;
}

/** Shard id → recipient, or a usage error (exit 2) before anything is written. */
export function assignRecipients(ids: readonly number[], recipients: readonly string[]): Map<number, string> {
  const sorted = [...ids].sort((a, b) => a - b);
  if (recipients.length === 1) return new Map(sorted.map((id) => [id, recipients[0] as string]));
  if (recipients.length === sorted.length) return new Map(sorted.map((id, i) => [id, recipients[i] as string]));
  throw new CliError(
    ExitCode.usage,
    `SPIKE Nexus exported ${sorted.length} shards but ${recipients.length} age recipients were given: give one recipient for all shards, or exactly one per shard. Nothing was written.`,
  );
}

export function encryptedFileName(id: number): string {
  return `${recoveryFileName(id)}${AGE_SUFFIX}`;
}

/** An age-encrypted shard file of an export: `spike.recovery.<…>.age`. */
export function isEncryptedShardFile(name: string): boolean {
  return name.startsWith('spike.recovery.') && name.endsWith(AGE_SUFFIX);
}

/**
 * Before a plaintext export: refuses (exit 4, nothing written) when `dir`
 * holds age-encrypted shard files of an earlier export, which the export
 * would otherwise delete along with their manifest. A directory that does not
 * exist yet holds none.
 */
export function refuseToDropEncryptedExports(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return;
    throw new CliError(ExitCode.filesystem, `Failed to read recover directory: ${dir} (${errnoCode(e)}).`);
  }
  const found = names.filter(isEncryptedShardFile).sort();
  if (found.length === 0) return;
  const shown = found.length <= 3 ? found.join(', ') : `${found.slice(0, 3).join(', ')} and ${found.length - 3} more`;
  throw new CliError(
    ExitCode.filesystem,
    `Refusing a plaintext export into ${dir}: it holds the age-encrypted shard files of an earlier export (${shown}), which it would delete. Move them and spike.recovery.manifest.json somewhere safe first, or export encrypted again with --recipient/--recipients-file. Nothing was written.`,
  );
}

/**
 * Writes the armored shard files, all at once, then fsyncs `dir`; returns
 * their paths (ascending id). On a failure the lowest failing id is reported
 * and every file written here removed.
 */
function writeEncryptedFiles(dir: string, armoredById: ReadonlyMap<number, Uint8Array>): Promise<string[]> {
  const ids = [...armoredById.keys()].sort((a, b) => a - b);
  return writeShardFilesAllOrNone(
    dir,
    ids.map((id) => ({ id, name: encryptedFileName(id), content: () => armoredById.get(id) as Uint8Array, wipe: false })),
  );
}

/**
 * Writes the shard files — age-encrypted when `recipients` is non-empty,
 * else plaintext when `writePlaintext` — and the manifest into `dir`
 * (prepared by the caller; plaintext files of earlier runs already removed).
 * The manifest's temporary file is synced together with the shard files and
 * renamed into place after them and their directory. `plaintextFiles` are
 * files the caller already wrote, removed again like the others if anything
 * fails.
 */
export async function exportBreakglass(opts: {
  dir: string;
  shards: ReadonlyMap<number, Uint8Array>;
  nexusId: string;
  recipients: readonly string[];
  plaintextFiles?: readonly string[];
  writePlaintext?: boolean;
  now?: Date;
}): Promise<ExportResult> {
  const { dir, shards } = opts;
  const ids = [...shards.keys()].sort((a, b) => a - b);
  const byId = opts.recipients.length > 0 ? assignRecipients(ids, opts.recipients) : undefined;
  const shareList = ids.map((id) => ({ id, value: shards.get(id) as Uint8Array }));
  const threshold = deduceThreshold(shareList);
  const written: string[] = [...(opts.plaintextFiles ?? [])];
  let staged: StagedFile | undefined;
  try {
    await removeOldBreakglassFiles(dir);
    let armoredById: Map<number, Buffer> | undefined;
    if (byId !== undefined) {
      const { encryptToRecipient } = await import('./age.js');
      armoredById = new Map<number, Buffer>();
      for (const id of ids) {
        const plain = formatShardFile(id, shards.get(id) as Uint8Array);
        try {
          armoredById.set(id, await encryptToRecipient(plain, byId.get(id) as string));
        } finally {
          plain.fill(0);
        }
      }
    }
    const manifest = buildManifest({
      shares: shards,
      threshold,
      nexusId: opts.nexusId,
      exportedAt: opts.now ?? new Date(),
      encryption: byId === undefined ? 'none' : 'age',
      fileOf: (id) => (byId === undefined ? recoveryFileName(id) : encryptedFileName(id)),
      recipientOf: (id) => byId?.get(id),
    });
    const writeShards = async (): Promise<string[]> => {
      if (armoredById !== undefined) return writeEncryptedFiles(dir, armoredById);
      return opts.writePlaintext === true ? writeRecoveryFiles(dir, shards) : [];
    };
    const [files, manifestFile] = await Promise.allSettled([
      writeShards(),
      stageAtomic(dir, MANIFEST_FILE, Buffer.from(serializeManifest(manifest), 'utf8')),
    ]);
    if (manifestFile.status === 'fulfilled') staged = manifestFile.value;
    if (files.status === 'fulfilled') written.push(...files.value);
    if (files.status === 'rejected') throw files.reason; // a shard's failure first, as the shards come before the manifest
    if (manifestFile.status === 'rejected') throw manifestFile.reason;
    const manifestPath = await (staged as StagedFile).commit();
    return { files: written, manifestPath, manifest };
  } catch (e) {
    staged?.discard();
    for (const p of written) discardQuietly(p); // plaintext shard content zeroed first
    throw e;
  }
}
