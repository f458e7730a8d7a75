// The shard manifest, spike.recovery.manifest.json: written by `spike
// operator recover` next to the shard files, read by `spike operator verify`
// and `restore --manifest`. It holds no secret material: per-share check
// digests SHA-256("spike-ts/manifest/v1/share" 0x00 ‖ id ‖ value) and a set
// fingerprint SHA-256("spike-ts/manifest/v1/set" 0x00 ‖ t ‖ n ‖ (id ‖
// digest)…) (ids as 4-byte big-endian). A digest of a 32-byte random-looking
// scalar cannot be inverted or brute-forced; it only lets someone who holds a
// candidate value check it. The fingerprint is stable for one root key (the
// shares are deterministic), so it names a shard generation.
import { timingSafeEqual } from 'node:crypto';
import { setFingerprint, shareDigest } from '../../shamir/fingerprint.js';

export const MANIFEST_FILE = 'spike.recovery.manifest.json';
export const MANIFEST_FORMAT = 'spike-ts/recovery-manifest/v1';
/** A manifest larger than this is not ours. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export type ManifestEncryption = 'none' | 'age';

export interface ManifestEntry {
  id: number;
  /** File name (no directory) of this shard. */
  file: string;
  /** Check digest of the share, 64 lowercase hex. */
  digest: string;
  /** The age recipient the file is encrypted to (encryption `age`). */
  recipient?: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** Set fingerprint, 64 lowercase hex. */
  fingerprint: string;
  shares: number;
  threshold: number;
  /** SPIFFE ID of the Nexus that exported the shards. */
  nexusId: string;
  /** RFC 3339 UTC. */
  exportedAt: string;
  encryption: ManifestEncryption;
  /** Ascending ids. */
  entries: ManifestEntry[];
}

/** A manifest that cannot be used; the message is one line, without secrets. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export { setFingerprint, shareDigest };

/** The fingerprint as printed for people: groups of 4 hex digits. */
export function displayFingerprint(fp: string): string {
  return fp.replace(/(.{4})(?!$)/g, '$1 ');
}

/** Accepts a fingerprint typed by a person: hex with optional spaces, dashes or colons. */
export function normalizeFingerprint(s: string): string | undefined {
  const hex = s.replace(/[\s:-]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

export interface ManifestInput {
  /** Every share of the set, by id (values are read, not kept). */
  shares: ReadonlyMap<number, Uint8Array>;
  threshold: number;
  nexusId: string;
  exportedAt: Date;
  encryption: ManifestEncryption;
  fileOf(id: number): string;
  recipientOf?(id: number): string | undefined;
}

export function buildManifest(input: ManifestInput): Manifest {
  const ids = [...input.shares.keys()].sort((a, b) => a - b);
  const digests = new Map(ids.map((id) => [id, shareDigest(id, input.shares.get(id) as Uint8Array)] as const));
  const entries: ManifestEntry[] = ids.map((id) => {
    const e: ManifestEntry = { id, file: input.fileOf(id), digest: (digests.get(id) as Buffer).toString('hex') };
    const r = input.recipientOf?.(id);
    if (r !== undefined) e.recipient = r;
    return e;
  });
  return {
    format: MANIFEST_FORMAT,
    fingerprint: setFingerprint(input.threshold, digests),
    shares: ids.length,
    threshold: input.threshold,
    nexusId: input.nexusId,
    exportedAt: input.exportedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    encryption: input.encryption,
    entries,
  };
}

export function serializeManifest(m: Manifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

// ---- reading -----------------------------------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;
const FILE_NAME = /^[A-Za-z0-9._-]{1,200}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string): never {
  throw new ManifestError(`Invalid manifest: ${what}.`);
}

function posInt(v: unknown, what: string, max = 1_000_000): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) bad(`${what} must be an integer from 1 to ${max}`);
  return v;
}

function str(v: unknown, what: string, max = 2048): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || [...v].some((c) => c < ' ' || c === '\x7f')) {
    bad(`${what} must be a non-empty printable string`);
  }
  return v;
}

/**
 * Parses and checks a manifest: its shape, then its own consistency (the set
 * fingerprint recomputed from the entries must be the one it states — an edited
 * digest, id, count or threshold is caught). Throws ManifestError.
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) bad('larger than 1 MiB');
  let root: unknown;
  try {
    root = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    bad('not JSON');
  }
  if (!isObject(root)) bad('not a JSON object');
  if (root.format !== MANIFEST_FORMAT) bad(`format is not ${MANIFEST_FORMAT}`);
  const fingerprint = root.fingerprint;
  if (typeof fingerprint !== 'string' || !HEX64.test(fingerprint)) bad('fingerprint must be 64 lowercase hex digits');
  const shares = posInt(root.shares, 'shares');
  const threshold = posInt(root.threshold, 'threshold');
  if (threshold > shares) bad('threshold is larger than the number of shares');
  const nexusId = str(root.nexusId, 'nexusId');
  const exportedAt = str(root.exportedAt, 'exportedAt', 64);
  if (Number.isNaN(Date.parse(exportedAt))) bad('exportedAt is not a date');
  const encryption = root.encryption;
  if (encryption !== 'none' && encryption !== 'age') bad('encryption must be "none" or "age"');
  if (!Array.isArray(root.entries) || root.entries.length !== shares) bad('entries must list every share');
  const entries: ManifestEntry[] = [];
  const digests = new Map<number, Buffer>();
  const files = new Set<string>();
  for (const e of root.entries as unknown[]) {
    if (!isObject(e)) bad('an entry is not an object');
    const id = posInt(e.id, 'entry id');
    if (digests.has(id)) bad(`shard ${id} is listed twice`);
    const file = str(e.file, `file of shard ${id}`, 200);
    if (!FILE_NAME.test(file) || file === '.' || file === '..') bad(`file of shard ${id} is not a plain file name`);
    if (files.has(file)) bad(`file ${file} is listed twice`);
    files.add(file);
    const digest = e.digest;
    if (typeof digest !== 'string' || !HEX64.test(digest)) bad(`digest of shard ${id} must be 64 lowercase hex digits`);
    const entry: ManifestEntry = { id, file, digest };
    if (e.recipient !== undefined) entry.recipient = str(e.recipient, `recipient of shard ${id}`);
    if (encryption === 'age' && entry.recipient === undefined) bad(`shard ${id} has no recipient`);
    digests.set(id, Buffer.from(digest, 'hex'));
    entries.push(entry);
  }
  entries.sort((a, b) => a.id - b.id);
  const recomputed = setFingerprint(threshold, digests);
  const a = Buffer.from(recomputed, 'hex');
  const b = Buffer.from(fingerprint, 'hex');
  if (!timingSafeEqual(a, b)) {
    throw new ManifestError('The manifest does not match its own fingerprint: it was edited or corrupted; do not trust it.');
  }
  return { format: MANIFEST_FORMAT, fingerprint, shares, threshold, nexusId, exportedAt, encryption, entries };
}

/** Whether (`id`, `value`) is the share the manifest lists under `id`. */
export function matchesEntry(m: Manifest, id: number, value: Uint8Array): 'match' | 'mismatch' | 'unknown_id' {
  const e = m.entries.find((x) => x.id === id);
  if (e === undefined) return 'unknown_id';
  const d = shareDigest(id, value);
  return timingSafeEqual(d, Buffer.from(e.digest, 'hex')) ? 'match' : 'mismatch';
}
