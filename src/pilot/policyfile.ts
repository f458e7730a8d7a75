// `spike policy apply --file`: reads a policy file (upstream query.go
// readPolicyFromFile → data.PolicySpec). No YAML parser is installed, so this
// is a strict parser for the subset upstream's documentation uses: one
// mapping of the keys `name`, `spiffeidPattern`, `pathPattern` (scalars:
// plain, 'single' or "double" quoted) and `permissions` (a block list of
// `- item` lines or a flow list `[a, b]`), comments, blank lines and an
// optional `---`. Anything else is refused with the line number.
import { readFileSync, statSync } from 'node:fs';
import { CliError, ExitCode } from './exit.js';

export interface PolicySpec {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[];
}

const SCALAR_KEYS = ['name', 'spiffeidPattern', 'pathPattern'] as const;
const MAX_FILE_BYTES = 64 * 1024;

export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/** Reads and checks a policy file; failures are CliErrors with upstream's `Error reading policy file:` prefix. */
export function readPolicyFile(path: string): PolicySpec {
  const prefix = 'Error reading policy file:';
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(ExitCode.filesystem, `${prefix} failed to read file ${path} (not a regular file)`);
    if (st.size > MAX_FILE_BYTES) throw new CliError(ExitCode.usage, `${prefix} failed to read file ${path} (larger than ${MAX_FILE_BYTES} bytes)`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(ExitCode.usage, `${prefix} file ${path} does not exist`);
    throw new CliError(ExitCode.filesystem, `${prefix} failed to read file ${path} (${code ?? 'error'})`);
  }
  let raw: Partial<PolicySpec>;
  try {
    raw = parsePolicyYaml(text);
  } catch (e) {
    if (e instanceof PolicyFileError) throw new CliError(ExitCode.usage, `${prefix} failed to parse YAML file ${path}: ${e.message}`);
    throw e;
  }
  // Upstream's required-field texts, in its order.
  if (!raw.name) throw new CliError(ExitCode.usage, `${prefix} policy name is required in YAML file`);
  if (!raw.spiffeidPattern) throw new CliError(ExitCode.usage, `${prefix} spiffeidPattern is required in YAML file`);
  if (!raw.pathPattern) throw new CliError(ExitCode.usage, `${prefix} pathPattern is required in YAML file`);
  if (!raw.permissions || raw.permissions.length === 0) throw new CliError(ExitCode.usage, `${prefix} permissions are required in YAML file`);
  return { name: raw.name, spiffeidPattern: raw.spiffeidPattern, pathPattern: raw.pathPattern, permissions: raw.permissions };
}

/** Parses the supported subset; throws PolicyFileError (`line <n>: <what>`). */
export function parsePolicyYaml(text: string): Partial<PolicySpec> {
  const out: Partial<PolicySpec> = {};
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let listKey: 'permissions' | undefined;
  let listIndent = -1;
  let sawContent = false;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const fail = (what: string): never => {
      throw new PolicyFileError(`line ${n}: ${what}`);
    };
    const line = lines[i] as string;
    if (/\t/.test(line.match(/^\s*/)?.[0] ?? '')) fail('tabs are not allowed for indentation');
    const body = stripComment(line, fail);
    if (body.trim() === '') continue;
    if (body.trim() === '---') {
      if (sawContent) fail('only one YAML document is supported');
      continue;
    }
    if (body.trim() === '...') break;
    sawContent = true;
    const indent = body.length - body.trimStart().length;
    const item = /^(\s*)-(?:\s+(.*)|\s*)$/.exec(body);
    if (item) {
      if (listKey === undefined) fail('a list item must belong to `permissions:`');
      if (listIndent === -1) listIndent = indent;
      else if (indent !== listIndent) fail('list items must be indented alike');
      const v = (item[2] ?? '').trim();
      if (v === '') fail('empty list item');
      (out.permissions ??= []).push(scalar(v, fail));
      continue;
    }
    listKey = undefined;
    if (indent !== 0) fail('unexpected indentation (nested mappings are not supported)');
    const kv = /^([A-Za-z][A-Za-z0-9_]*)\s*:(?:\s+(.*)|\s*)$/.exec(body);
    if (!kv) fail('expected `key: value`');
    const key = (kv as RegExpExecArray)[1] as string;
    const value = ((kv as RegExpExecArray)[2] ?? '').trim();
    if (seen.has(key)) fail(`mapping key "${key}" already defined`);
    seen.add(key);
    if (key === 'permissions') {
      if (value === '') {
        listKey = 'permissions';
        listIndent = -1;
        out.permissions = [];
      } else if (value.startsWith('[')) {
        out.permissions = flowList(value, fail);
      } else fail('permissions must be a list');
      continue;
    }
    if (!(SCALAR_KEYS as readonly string[]).includes(key)) {
      fail(`unknown key "${key}" (expected name, spiffeidPattern, pathPattern, permissions)`);
    }
    if (value === '' || value === '~' || value === 'null') continue; // null leaves the field empty, as yaml.v3 does
    out[key as (typeof SCALAR_KEYS)[number]] = scalar(value, fail);
  }
  return out;
}

/** Removes a ` #` comment outside quotes. */
function stripComment(line: string, fail: (w: string) => never): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && line[i + 1] === "'") i++;
        else quote = undefined;
      }
    } else if (c === '"' || c === "'") {
      const prev = line.slice(0, i).trimEnd();
      if (prev === '' || prev.endsWith(':') || prev.endsWith('-') || prev.endsWith('[') || prev.endsWith(',')) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i).trimEnd();
  }
  if (quote !== undefined) fail('unterminated quoted string');
  return line.trimEnd();
}

function scalar(v: string, fail: (w: string) => never): string {
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) fail('unterminated quoted string');
    return doubleQuoted(v.slice(1, -1), fail);
  }
  if (v.startsWith("'")) {
    const inner = v.slice(1, -1);
    if (!v.endsWith("'") || v.length < 2 || /(^|[^'])'(?!')/.test(inner.replace(/''/g, ''))) fail('malformed single-quoted string');
    return inner.replace(/''/g, "'");
  }
  if (/^[|>]/.test(v)) fail('block scalars (| and >) are not supported');
  if (/^[&*!%@`{[]/.test(v)) fail(`unsupported YAML construct: ${v.slice(0, 20)}`);
  if (/:\s/.test(v)) fail('nested mappings are not supported');
  return v;
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029' };

function doubleQuoted(s: string, fail: (w: string) => never): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"') fail('unescaped " inside a double-quoted string');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) fail('dangling backslash');
    const named = ESCAPES[e as string];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = s.slice(i + 1, i + 1 + len);
    if (len === 0 || !new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail(`invalid escape \\${e}`);
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) fail(`invalid escape \\${e}${hex}`);
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

function flowList(v: string, fail: (w: string) => never): string[] {
  if (!v.endsWith(']')) fail('unterminated flow list');
  const inner = v.slice(1, -1).trim();
  if (inner === '') return [];
  return inner.split(',').map((p) => {
    const t = p.trim();
    if (t === '') fail('empty item in flow list');
    return scalar(t, fail);
  });
}
