// Relative links in the repository's Markdown must lead somewhere: every
// `[text](path#anchor)`, `![alt](path)`, `[label]: path` and HTML
// `href="…"`/`src="…"` that is not a URL must name a tracked file (or a
// directory holding tracked files), and an anchor into a Markdown file must
// be one of its headings (GitHub's slugs). Links inside code (fenced blocks,
// indented blocks, backtick spans) are text, not links, and are skipped.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, normalize, posix } from 'node:path';

export interface Link {
  /** 1-based line of the link in its file. */
  readonly line: number;
  /** The target as written (without angle brackets or title). */
  readonly target: string;
}

export interface BrokenLink extends Link {
  readonly file: string;
  readonly problem: string;
}

/** Removes backtick code spans from one line (a run of n backticks closes only with n backticks). */
export function stripCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] !== '`') {
      out += line[i];
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n++;
    const fence = '`'.repeat(n);
    let close = line.indexOf(fence, i + n);
    while (close !== -1 && line[close + n] === '`') close = line.indexOf(fence, close + n + 1);
    if (close === -1) {
      out += fence; // an unmatched run is literal text
      i += n;
    } else {
      out += ' ';
      i = close + n;
    }
  }
  return out;
}

/** The lines of a Markdown text that are not code: fenced and indented code blocks become empty lines. */
export function proseLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let fence: string | undefined;
  let previousBlank = true;
  for (const line of lines) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== undefined) {
      if (m !== null && m[1]?.[0] === fence[0] && (m[1]?.length ?? 0) >= fence.length && line.trim() === m[1]) fence = undefined;
      out.push('');
    } else if (m !== null) {
      fence = m[1];
      out.push('');
    } else if (previousBlank && /^( {4}|\t)/.test(line)) {
      out.push(''); // an indented code block (a list item's continuation needs a non-blank line before it here)
      continue;
    } else {
      out.push(stripCodeSpans(line));
    }
    previousBlank = line.trim() === '';
  }
  return out;
}

const INLINE = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const DEFINITION = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:\s*(<[^>\n]*>|\S+)/;
const HTML_ATTR = /\b(?:href|src)\s*=\s*"([^"]*)"/g;

/** Every link target of a Markdown text, with its line. */
export function extractLinks(text: string): Link[] {
  const links: Link[] = [];
  proseLines(text).forEach((line, i) => {
    const add = (raw: string | undefined): void => {
      if (raw === undefined) return;
      const target = raw.startsWith('<') && raw.endsWith('>') ? raw.slice(1, -1) : raw;
      links.push({ line: i + 1, target });
    };
    for (const m of line.matchAll(INLINE)) add(m[1]);
    add(DEFINITION.exec(line)?.[1]);
    for (const m of line.matchAll(HTML_ATTR)) add(m[1]);
  });
  return links;
}

/** True for a target that leaves the repository (a URL with a scheme, or protocol-relative). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** GitHub's anchor for a heading text: lower case, punctuation removed, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text only
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown text defines: its ATX headings (duplicates numbered as GitHub does) and explicit HTML ids/names. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const raw = text.split(/\r?\n/);
  proseLines(text).forEach((line, i) => {
    if (line === '' && (raw[i] ?? '') !== '') return; // code
    const h = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(raw[i] ?? '');
    if (h !== null) {
      const base = slug(h[1] ?? '');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s[^>]*\b(?:name|id)\s*=\s*"([^"]+)"/g)) if (m[1] !== undefined) anchors.add(m[1]);
  });
  return anchors;
}

/** The repository's tracked files (git ls-files), relative with forward slashes. */
export function trackedFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((f) => f !== '');
}

/**
 * The broken links of the Markdown files among `files` (paths relative to
 * `root`); `read` returns a file's text (undefined when it cannot be read).
 */
export function brokenLinks(files: readonly string[], read: (path: string) => string | undefined): BrokenLink[] {
  const tracked = new Set(files);
  const dirs = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f); d !== '.' && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string): Set<string> => {
    let a = anchorCache.get(path);
    if (a === undefined) {
      a = anchorsOf(read(path) ?? '');
      anchorCache.set(path, a);
    }
    return a;
  };
  const broken: BrokenLink[] = [];
  for (const file of files.filter((f) => f.endsWith('.md'))) {
    const text = read(file);
    if (text === undefined) continue;
    for (const link of extractLinks(text)) {
      if (isExternal(link.target) || link.target === '') continue;
      const hashAt = link.target.indexOf('#');
      const pathPart = (hashAt === -1 ? link.target : link.target.slice(0, hashAt)).replace(/\?.*$/, '');
      const anchor = hashAt === -1 ? undefined : link.target.slice(hashAt + 1);
      let target = file;
      if (pathPart !== '') {
        let decoded: string;
        try {
          decoded = decodeURIComponent(pathPart);
        } catch {
          broken.push({ file, ...link, problem: 'malformed percent-encoding' });
          continue;
        }
        target = decoded.startsWith('/') ? decoded.slice(1) : posix.join(posix.dirname(file), decoded);
        target = normalize(target).split('\\').join('/').replace(/\/$/, '');
        if (target.startsWith('../') || target === '..') {
          broken.push({ file, ...link, problem: 'points outside the repository' });
          continue;
        }
        if (!tracked.has(target) && !dirs.has(target)) {
          broken.push({ file, ...link, problem: `${target} is not a tracked file` });
          continue;
        }
      }
      if (anchor !== undefined && anchor !== '' && target.endsWith('.md') && tracked.has(target)) {
        let a: string;
        try {
          a = decodeURIComponent(anchor);
        } catch {
          a = anchor;
        }
        if (!anchorsIn(target).has(a.toLowerCase())) broken.push({ file, ...link, problem: `${target} has no heading #${a}` });
      }
    }
  }
  return broken;
}

/** Reads a file of the checkout as text (undefined when missing: deleted but not yet staged). */
export function readRepoFile(root: string): (path: string) => string | undefined {
  return (path) => {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return undefined;
    }
  };
}
