// The repository must stand on its own: nothing committed may point at
// material outside it (the sibling folders a development checkout may have
// next to it, their decision/section numbering, or our issue tracker).
// Design decisions are cited as `docs/design.md § <heading>` instead;
// upstream's own code and issues (e.g. "upstream SPIKE v0.8.2,
// app/nexus/…", "spiffe/spike#178") may be named.
//
// The patterns are written so that this file does not match itself (an
// escaped dot or `\s` stands between the words).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Rule {
  readonly name: string;
  readonly pattern: RegExp;
  /** A line that also matches this is not a hit (a legitimate citation). */
  readonly unless?: RegExp;
}

/** Standards documents whose section numbers may be cited (they are public, not ours). */
const STANDARDS = /\bRFC\s?\d+|SPIFFE-ID\.md|SPIFFE_Workload_Endpoint\.md|X509-SVID\.md|JWT-SVID\.md|SPIFFE_Trust_Domain_and_Bundle\.md/;

export const RULES: readonly Rule[] = [
  { name: 'sibling shared folder', pattern: /\.\.\/shared\b|\bshared\/(?:spec|vectors|seeds)\b/ },
  { name: 'developer notes outside the repository', pattern: /\bDEVELOPERS\.md\b/ },
  { name: 'the spec folder README', pattern: /\bspec\s+README\b/i },
  { name: 'spec document', pattern: /\b(?:upstream-recovery|upstream-secrets-policy|recovery-cli-anchors|spiffe-workload-api)(?:-spec)?\.md\b/ },
  { name: 'numbered decision', pattern: /\bdecisions?\s+\d/i },
  // The word issue followed by a number (with or without #), except right
  // after "upstream " (an upstream GitHub issue, named as such); owner/repo#N
  // links never match.
  { name: 'issue number', pattern: /(?<!\bupstream\s)\bissues?\s*#?\d/i },
  // A section sign followed by a number (a section of a spec document), unless
  // the line names a public standard, whose sections may be cited.
  { name: 'section number', pattern: /§\s*\d/, unless: STANDARDS },
];

export interface Hit {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

/** The hits in one file's text. */
export function scanText(file: string, text: string): Hit[] {
  const hits: Hit[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const matched = RULES.filter((r) => r.pattern.test(line) && !(r.unless?.test(line) ?? false));
    for (const r of matched) hits.push({ file, line: i + 1, rule: r.name, text: line.trim().slice(0, 160) });
  }
  return hits;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'coverage']);

function walk(root: string, dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('dist.')) walk(root, join(dir, e.name), out);
    } else if (e.isFile()) {
      out.push(relative(root, join(dir, e.name)));
    }
  }
}

/**
 * The files to check, relative to `root`: git's tracked and untracked
 * (not ignored) files; without git (not a checkout, or no git binary) every
 * file under `root` except node_modules, dist, coverage and .git.
 */
export function repositoryFiles(root: string): { files: string[]; source: 'git' | 'walk' } {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
    return { files: [...new Set(out.split('\0').filter((f) => f !== ''))], source: 'git' };
  } catch {
    const files: string[] = [];
    walk(root, root, files);
    return { files, source: 'walk' };
  }
}

/** Reads a file as text; undefined for a missing (deleted, not yet staged) or binary file. */
function readText(path: string): string | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return undefined;
  }
  if (buf.subarray(0, 8000).includes(0)) return undefined;
  return buf.toString('utf8');
}

export function scanRepository(root: string): { hits: Hit[]; scanned: number; source: 'git' | 'walk' } {
  const { files, source } = repositoryFiles(root);
  const hits: Hit[] = [];
  let scanned = 0;
  for (const f of files) {
    const text = readText(join(root, f));
    if (text === undefined) continue;
    scanned++;
    hits.push(...scanText(f, text));
  }
  return { hits, scanned, source };
}
