// Registration entries of the dev agent: workload name → SPIFFE ID, kept in
// <SPIKE_DEV_DIR>/entries.json as a flat JSON object, replaced atomically
// (common/durable-file.ts: temp file, fsync, rename, directory fsync; mode 0600).
import { readFileSync } from 'node:fs';
import { replaceFileAtomic } from '../common/durable-file.js';
import { parseSpiffeId, SpiffeIdError } from '../spiffe/id.js';
import { quoteForMessage } from '../util/quote-for-message.js';

export const WORKLOAD_NAME_RE = /^[a-z0-9-]{1,32}$/;
const MAX_ENTRIES_FILE_BYTES = 1 << 20;
const MAX_ENTRIES = 1000;

/** Workload name → SPIFFE ID string. */
export type Entries = ReadonlyMap<string, string>;

export class EntryError extends Error {
  override readonly name = 'EntryError';
}

export function validateWorkloadName(name: string): string {
  if (!WORKLOAD_NAME_RE.test(name)) {
    throw new EntryError(`invalid workload name ${quoteForMessage(name)}: use 1 to 32 characters among a-z, 0-9 and '-'`);
  }
  return name;
}

/** A SPIFFE ID a leaf SVID can carry (not the bare trust domain) in `trustDomain`; returns its canonical string. */
export function validateEntryId(id: string, trustDomain: string): string {
  let parsed;
  try {
    parsed = parseSpiffeId(id);
  } catch (e) {
    throw new EntryError(e instanceof SpiffeIdError ? e.message : `invalid SPIFFE ID ${quoteForMessage(id)}`);
  }
  if (!parsed.memberOf(trustDomain)) {
    throw new EntryError(`SPIFFE ID ${quoteForMessage(id)} is not in the agent's trust domain ${trustDomain}`);
  }
  if (parsed.path === '') {
    throw new EntryError(`SPIFFE ID ${quoteForMessage(id)} has no path: an X.509-SVID cannot carry the trust domain's own ID`);
  }
  return parsed.toString();
}

/** The entries a fresh SPIKE_DEV_DIR starts with (docs/design.md § The local stack). */
export function defaultEntries(trustDomain: string, keeperCount: number): Map<string, string> {
  const td = `spiffe://${trustDomain}`;
  const m = new Map<string, string>();
  m.set('nexus', `${td}/spike/nexus`);
  // Keeper i gets its own ID (spike/keeper/<i>) so Nexus and Bootstrap can pin each Keeper URL to it.
  for (let i = 1; i <= keeperCount; i++) m.set(`keeper-${i}`, `${td}/spike/keeper/${i}`);
  m.set('bootstrap', `${td}/spike/bootstrap`);
  m.set('pilot', `${td}/spike/pilot/role/superuser`);
  return m;
}

/** The workload names that always get a socket (even while their entry is deleted). */
export function defaultWorkloads(keeperCount: number): string[] {
  return [...defaultEntries('spike.ist', keeperCount).keys()];
}

/** Parses and validates the content of entries.json. */
export function parseEntries(text: string, trustDomain: string, source = 'entries.json'): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EntryError(`${source} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EntryError(`${source} must hold a JSON object mapping workload names to SPIFFE IDs`);
  }
  const m = new Map<string, string>();
  for (const [name, id] of Object.entries(raw)) {
    if (typeof id !== 'string') throw new EntryError(`${source}: the entry of ${quoteForMessage(name)} is not a string`);
    try {
      m.set(validateWorkloadName(name), validateEntryId(id, trustDomain));
    } catch (e) {
      throw new EntryError(`${source}: ${(e as Error).message}`);
    }
  }
  if (m.size > MAX_ENTRIES) throw new EntryError(`${source}: more than ${MAX_ENTRIES} entries`);
  return m;
}

export function serializeEntries(entries: Entries): string {
  const obj: Record<string, string> = {};
  for (const name of [...entries.keys()].sort()) obj[name] = entries.get(name) as string;
  return JSON.stringify(obj, null, 2) + '\n';
}

/** Reads entries.json; undefined when it does not exist. */
export function readEntriesFile(path: string, trustDomain: string): Map<string, string> | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EntryError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (buf.length > MAX_ENTRIES_FILE_BYTES) throw new EntryError(`${path} is too large`);
  return parseEntries(buf.toString('utf8'), trustDomain, path);
}

/** Replaces entries.json atomically: a reader sees the old or the new file, never a mix. */
export function writeEntriesFile(path: string, entries: Entries): void {
  replaceFileAtomic(path, Buffer.from(serializeEntries(entries), 'utf8'));
}

/** entries.json, created with the default entries on first use. */
export function loadOrCreateEntries(path: string, trustDomain: string, keeperCount: number): Map<string, string> {
  const existing = readEntriesFile(path, trustDomain);
  if (existing !== undefined) return existing;
  const fresh = defaultEntries(trustDomain, keeperCount);
  writeEntriesFile(path, fresh);
  return fresh;
}
