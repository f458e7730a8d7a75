// Offline verification of shard files against a manifest (`spike operator
// verify`, `restore --manifest`). Per file: readable, well-formed
// (`spike:<id>:<hex>`), its id in the set, the file name's id equal to the
// content's, the value matching the manifest's check digest. Across files:
// with at least `threshold` well-formed shards, the polynomial they define
// gives every other share, and their digests must be the manifest's — a
// strong check that needs no Nexus; when the shards agree with each other but
// not with the manifest, they are a stale or foreign set and we say so.
import { basename } from 'node:path';
import { CliError } from '../output/exit.js';
import { parseShard } from './shard.js';
import { matchesEntry, setFingerprint, shareDigest, type Manifest } from './manifest.js';
import { interpolateShare, type Share } from '../../shamir/index.js';
import { consistentWithDegree } from './polynomial.js';

export type FileProblem =
  | 'missing'
  | 'unreadable'
  | 'undecryptable'
  | 'malformed'
  | 'unknown_id'
  | 'wrong_name'
  | 'duplicate_id'
  | 'mismatch';

export interface FileVerdict {
  file: string;
  /** The shard id in the file (when it parsed). */
  id?: number;
  ok: boolean;
  problem?: FileProblem;
  /** One line for people (never the value). */
  detail: string;
}

export type SetVerdict =
  | { kind: 'not_enough'; have: number; threshold: number }
  | { kind: 'complete_match' }
  | { kind: 'foreign_set'; fingerprint: string }
  | { kind: 'inconsistent' };

export interface VerifyReport {
  files: FileVerdict[];
  set: SetVerdict;
  ok: boolean;
}

/** One input file: its content (the caller zeroes it afterwards) or why there is none. */
export interface ShardInput {
  file: string;
  content?: Uint8Array;
  /** Set when content is absent. */
  problem?: 'missing' | 'unreadable' | 'undecryptable';
  detail?: string;
}

/** The id in `spike.recovery.<id>.txt[.age]`, if the name has that form. */
export function idFromFileName(file: string): number | undefined {
  const m = /^spike\.recovery\.([1-9][0-9]{0,6})\.txt(\.age)?$/.exec(basename(file));
  return m === null ? undefined : Number(m[1]);
}

const PROBLEM_TEXT: Record<'mismatch' | 'unknown_id', (id: number, m: Manifest) => string> = {
  mismatch: (id) => `shard ${id} does not match the manifest (a typo, or a shard of another set)`,
  unknown_id: (id, m) => `shard ${id} is not in this set (the manifest lists ids ${m.entries.map((e) => e.id).join(', ')})`,
};

/**
 * Checks `inputs` against `m`. Returns a verdict per file and for the set;
 * `ok` is true only when every file is good and, if the set check could run,
 * it matched. Zeroes every share value it decoded.
 */
export function verifyShards(m: Manifest, inputs: readonly ShardInput[]): VerifyReport {
  const files: FileVerdict[] = [];
  const parsed: Share[] = [];
  const seen = new Set<number>();
  try {
    for (const inp of inputs) {
      if (inp.content === undefined) {
        files.push({ file: inp.file, ok: false, problem: inp.problem ?? 'unreadable', detail: inp.detail ?? 'cannot be read' });
        continue;
      }
      let shard;
      try {
        shard = parseShard(inp.content, 1_000_000);
      } catch (e) {
        const why = e instanceof CliError ? e.message : 'not a recovery shard';
        files.push({ file: inp.file, ok: false, problem: 'malformed', detail: `malformed: ${why}` });
        continue;
      }
      const { id, value } = shard;
      const named = idFromFileName(inp.file);
      const verdict = matchesEntry(m, id, value);
      if (verdict === 'unknown_id') {
        files.push({ file: inp.file, id, ok: false, problem: 'unknown_id', detail: PROBLEM_TEXT.unknown_id(id, m) });
        value.fill(0);
        continue;
      }
      if (seen.has(id)) {
        files.push({ file: inp.file, id, ok: false, problem: 'duplicate_id', detail: `shard ${id} again (another file already holds it)` });
        value.fill(0);
        continue;
      }
      seen.add(id);
      parsed.push({ id, value });
      if (named !== undefined && named !== id) {
        files.push({
          file: inp.file,
          id,
          ok: false,
          problem: 'wrong_name',
          detail: `wrong index: the file name says shard ${named}, the content is shard ${id}`,
        });
      } else if (verdict === 'mismatch') {
        files.push({ file: inp.file, id, ok: false, problem: 'mismatch', detail: PROBLEM_TEXT.mismatch(id, m) });
      } else {
        files.push({ file: inp.file, id, ok: true, detail: `shard ${id} matches the manifest` });
      }
    }
    // Shards that match their digest say whether the manifest's set is whole;
    // when none matches, all of them together may be a stale or foreign set.
    const good = parsed.filter((p) => files.some((f) => f.id === p.id && (f.ok || f.problem === 'wrong_name')));
    const set = good.length > 0 ? checkSet(m, good) : checkSet(m, parsed);
    const ok = files.every((f) => f.ok) && (set.kind === 'complete_match' || set.kind === 'not_enough');
    return { files, set, ok };
  } finally {
    for (const p of parsed) p.value.fill(0);
  }
}

/**
 * With ≥ threshold shares: the polynomial through the first `threshold`
 * gives every share of the set; all must be consistent and hash to the
 * manifest's digests. If they are consistent among themselves but not with
 * the manifest, they form another set (its fingerprint is computed).
 */
export function checkSet(m: Manifest, shares: readonly Share[]): SetVerdict {
  const t = m.threshold;
  if (shares.length < t) return { kind: 'not_enough', have: shares.length, threshold: t };
  if (!consistentWithDegree(shares, t)) return { kind: 'inconsistent' };
  const base = [...shares].sort((a, b) => a.id - b.id).slice(0, t);
  const digests = new Map<number, Buffer>();
  for (const e of m.entries) {
    const have = base.find((s) => s.id === e.id);
    const v = have === undefined ? interpolateShare(base, e.id) : have.value;
    digests.set(e.id, shareDigest(e.id, v));
    if (have === undefined) v.fill(0);
  }
  const fp = setFingerprint(t, digests);
  return fp === m.fingerprint ? { kind: 'complete_match' } : { kind: 'foreign_set', fingerprint: fp };
}

/** One line about the set verdict, for people. */
export function describeSet(v: SetVerdict, m: Manifest): string {
  switch (v.kind) {
    case 'not_enough':
      return `Set check skipped: ${v.have} good shard(s), the set check needs ${v.threshold}.`;
    case 'complete_match':
      return `Set check: OK — these shards rebuild all ${m.shares} shares of the manifest's set (fingerprint matches).`;
    case 'foreign_set':
      return `Set check: FAIL — these shards belong to another shard set (fingerprint ${v.fingerprint.slice(0, 16)}…), not the manifest's (${m.fingerprint.slice(0, 16)}…): a stale or foreign set.`;
    case 'inconsistent':
      return 'Set check: FAIL — these shards are not shares of one set (some come from another set or hold a typo).';
  }
}
