// A small YAML emitter reproducing what gopkg.in/yaml.v3 `Marshal` prints for
// the shapes `spike` outputs: strings, integers, null, timestamps, sequences
// and mappings (struct keys in declaration order, map keys in the order the
// caller gives: compareYamlKeys is yaml.v3's order for a Go map). yaml.v3
// specifics kept here: 4-space indentation, a mapping inside a sequence
// item indented by 2 (past "- "), no line wrapping, plain scalars
// unless the string would read back as something else (then "double quoted"),
// single quotes when a plain scalar is not allowed by the emitter, literal
// block scalars (`|`, `|-`, `|+`) for strings containing a newline.
import { daysIn, formatRfc3339Nano, type GoTime } from './time.js';

export type YamlNode =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'null' }
  /** A time.Time: printed plain in RFC 3339 with nanoseconds (yaml.v3's timestamp form). */
  | { readonly kind: 'time'; readonly value: GoTime }
  | { readonly kind: 'seq'; readonly items: readonly YamlNode[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [YamlKey, YamlNode])[] };

export type YamlKey = string | number;

export const y = {
  str: (value: string): YamlNode => ({ kind: 'str', value }),
  int: (value: number): YamlNode => ({ kind: 'int', value }),
  null: (): YamlNode => ({ kind: 'null' }),
  time: (value: GoTime): YamlNode => ({ kind: 'time', value }),
  seq: (items: readonly YamlNode[]): YamlNode => ({ kind: 'seq', items }),
  map: (entries: readonly (readonly [YamlKey, YamlNode])[]): YamlNode => ({ kind: 'map', entries }),
};

const BEST_INDENT = 4;

/** yaml.Marshal(node): the document text (always ends with a newline). */
export function yamlMarshal(node: YamlNode): string {
  return `${emitNode(node, -1, 'root')}\n`.replaceAll(AT_LINE_START, '');
}

/**
 * Marks a literal block that ended with U+0085, U+2028 or U+2029: libyaml
 * counts those as line breaks, so the line that follows starts right after
 * them, without a \n (yaml.v3 writes that; it does not read back). Never
 * part of the output otherwise (NUL is always escaped).
 */
const AT_LINE_START = '\u0000\n';

type Context = 'root' | 'map' | 'seq';

/** Indentation of a block collection (or block scalar) nested in `ctx` at `indent` (libyaml increase_indent). */
function nestedIndent(indent: number, ctx: Context, flow: boolean): number {
  if (indent < 0) return flow ? BEST_INDENT : 0;
  if (ctx === 'seq') return indent + 2;
  return BEST_INDENT * Math.floor((indent + BEST_INDENT) / BEST_INDENT);
}

/**
 * The text of `node` placed right after its indicator (`key:` / `- ` / start
 * of document); block collections start on the next line, except in a
 * sequence item where a mapping's first key shares the "- " line.
 */
function emitNode(node: YamlNode, indent: number, ctx: Context): string {
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'int':
      return String(node.value);
    case 'time':
      return formatRfc3339Nano(node.value);
    case 'str':
      return scalar(node.value, nestedIndent(indent, ctx, true), false);
    case 'seq': {
      if (node.items.length === 0) return '[]';
      const ind = nestedIndent(indent, ctx, false);
      const pad = ' '.repeat(ind);
      const lines = node.items.map((item) => `- ${emitNode(item, ind, 'seq')}`);
      const body = lines.join(`\n${pad}`);
      return ctx === 'seq' ? body : ctx === 'root' ? `${pad}${body}` : `\n${pad}${body}`;
    }
    case 'map': {
      if (node.entries.length === 0) return '{}';
      const ind = nestedIndent(indent, ctx, false);
      const pad = ' '.repeat(ind);
      const lines = node.entries.map(([k, v]) => entry(k, v, ind));
      const body = lines.join(`\n${pad}`);
      return ctx === 'seq' ? body : ctx === 'root' ? `${pad}${body}` : `\n${pad}${body}`;
    }
  }
}

function entry(key: YamlKey, value: YamlNode, indent: number): string {
  const v = emitNode(value, indent, 'map');
  const sep = v.startsWith('\n') ? ':' : ': ';
  if (typeof key === 'number') return `${key}${sep}${v}`;
  const simple = simpleKeyAllowed(key);
  const k = scalar(key, nestedIndent(indent, 'map', true), simple);
  if (simple) return `${k}${sep}${v}`;
  // libyaml's complex key form, for keys longer than 128 bytes or with line
  // breaks. A block collection value then starts on the ':' line, padded to
  // its indentation (the ':' counts as indentation).
  const after = v.startsWith('\n') ? `:${v.slice(indent + 2)}` : `${sep}${v}`;
  return `? ${k}\n${' '.repeat(indent)}${after}`;
}

function simpleKeyAllowed(key: string): boolean {
  return Buffer.byteLength(key, 'utf8') <= 128 && !/[\n\r\u0085\u2028\u2029]/.test(key);
}

// ---------------------------------------------------------------------------
// Scalars

/** A string scalar in yaml.v3 style; `blockIndent` is where literal block lines go. */
function scalar(s: string, blockIndent: number, simpleKey: boolean): string {
  const a = analyze(s);
  // encode.go stringv: newline → literal, else plain when it would read back as a string.
  let style: 'plain' | 'single' | 'double' | 'literal' = s.includes('\n') ? 'literal' : canUsePlain(s) ? 'plain' : 'double';
  // emitterc.go select_scalar_style (block context).
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  switch (style) {
    case 'plain':
      return s;
    case 'single':
      return singleQuoted(s, blockIndent);
    case 'double':
      return doubleQuoted(s);
    case 'literal':
      return literal(s, blockIndent);
  }
}

const isBreak = (c: string): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
/** libyaml is_blank (space, tab) or the end of the value: what "followed by whitespace" means. */
const isBlankOrEnd = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t';
/** libyaml is_blankz: blank, a line break or NUL. */
const isBlankz = (c: string): boolean => c === ' ' || c === '\t' || c === '\0' || isBreak(c);

/** libyaml is_printable, on code points. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface Analysis {
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** emitterc.go yaml_emitter_analyze_scalar (block context only). */
function analyze(s: string): Analysis {
  const chars = Array.from(s);
  if (chars.length === 0) return { blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let specialCharacters = false;
  let tabCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const first = i === 0;
    const last = i === chars.length - 1;
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (first) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) blockIndicators = true;
    else if (c === '#' && precededByWhitespace) blockIndicators = true;
    const cp = c.codePointAt(0) as number;
    if (c === '\t') tabCharacters = true;
    else if (!isPrintable(cp)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || tabCharacters || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/**
 * emitterc.go yaml_emitter_write_single_quoted_scalar (no line wrapping): a
 * line break other than \n (U+2028, U+2029; \n never gets here) is written
 * as it is and the next character is indented, as libyaml does.
 */
function singleQuoted(s: string, indent: number): string {
  let out = "'";
  let breaks = false;
  for (const c of s) {
    if (isBreak(c)) {
      out += c;
      breaks = true;
      continue;
    }
    if (breaks) out += ' '.repeat(indent);
    breaks = false;
    out += c === "'" ? "''" : c;
  }
  return `${out}'`;
}

/** emitterc.go yaml_emitter_write_double_quoted_scalar (no line wrapping). */
function doubleQuoted(s: string): string {
  // yaml.v3's is_bom looks at the start of the value, not at the character:
  // a value that begins with U+FEFF has every character escaped.
  const escapeAll = s.startsWith('\ufeff');
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (escapeAll || !isPrintable(cp) || isBreak(c) || c === '"' || c === '\\') {
      out += `\\${escapeOf(cp)}`;
    } else out += c;
  }
  return `${out}"`;
}

function escapeOf(cp: number): string {
  const named: Record<number, string> = {
    0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
    0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
  };
  const n = named[cp];
  if (n !== undefined) return n;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}

/**
 * A literal block scalar, written as emitterc.go write_literal_scalar does:
 * the header (`|`, indentation hint, chomping hint), then each line at
 * `indent`. Like yaml.v3 v3.0.1, a leading line break serves as the end of
 * the header line (so it does not read back). No trailing newline: the
 * caller's line end, or the value's own final \n, ends the block; a final
 * U+0085/U+2028/U+2029 is kept and marked with AT_LINE_START's NUL.
 */
function literal(s: string, indent: number): string {
  let hints = '';
  if (s.startsWith(' ') || isBreak(s[0] as string)) hints += String(BEST_INDENT);
  if (!isBreak(s.at(-1) as string)) hints += '-';
  else if (s.length === 1 || isBreak(s.at(-2) as string)) hints += '+';
  const pad = ' '.repeat(indent);
  let out = `|${hints}`;
  let indention = false; // true right after a line break
  let breaks = true;
  for (const c of s) {
    if (isBreak(c)) {
      out += c;
      indention = true;
      breaks = true;
    } else {
      if (breaks) out += `${indention ? '' : '\n'}${pad}`;
      out += c;
      indention = false;
      breaks = false;
    }
  }
  if (!breaks || s.length === 0) return out;
  return s.endsWith('\n') ? out.slice(0, -1) : `${out}\u0000`;
}

// ---------------------------------------------------------------------------
// sorter.go: the order yaml.v3 writes a Go map's keys in

const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);

/**
 * yaml.v3's order of string map keys (keyList.Less): letters by code point,
 * runs of digits by numeric value ("a2" before "a10"), a letter after a
 * digit run sorts later and before other characters otherwise. Not Go's
 * byte order: yaml.Marshal(map[string]string) writes "_", "1", "9", "10", "B", "a2", "a10".
 */
export function compareYamlKeys(a: string, b: string): number {
  return yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0;
}

function yamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const z = br[i] as string;
    if (x === z) {
      digits = isDigit(x);
      continue;
    }
    const al = isLetter(x);
    const bl = isLetter(z);
    if (al && bl) return cp(x) < cp(z);
    if (al || bl) return digits ? al : bl;
    // Numbers: compare the digit runs starting here (a leading 0 counts only after other digits).
    let an = 0n;
    let bn = 0n;
    if (x === '0' || z === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(cp(ar[ai] as string) - 0x30));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(cp(br[bi] as string) - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return cp(x) < cp(z);
  }
  return ar.length < br.length;
}

const cp = (c: string): number => c.codePointAt(0) as number;

// ---------------------------------------------------------------------------
// resolve.go: would this string, unquoted, read back as a non-string?

const OLD_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const RESOLVED = new Set([
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  // "<<" is in the map too, but v3.0.1's resolve table has no hint for '<', so it stays a plain string.
]);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP_LAYOUTS = [
  /^\d{4}-\d{1,2}-\d{1,2}[Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
];

/** encode.go stringv's canUsePlain: resolves to !!str and is not a YAML 1.1 bool or base-60 float. */
export function canUsePlain(s: string): boolean {
  if (RESOLVED.has(s) || OLD_BOOLS.has(s) || BASE60_FLOAT.test(s)) return false;
  const c = s[0];
  if (c === '.') return !/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (c !== undefined && /[-+0-9]/.test(c)) {
    if (TIMESTAMP_LAYOUTS.some((re) => re.test(s)) && validDate(s)) return false;
    const plain = s.replace(/_/g, '');
    if (isGoInt(plain) || YAML_STYLE_FLOAT.test(plain)) return false;
  }
  return true;
}

/** strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) would succeed. */
function isGoInt(s: string): boolean {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return false;
  const body = m[2] as string;
  let v: bigint;
  if (/^0[0-7]+$/.test(body)) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body.replace(/^0[oO]/, '0o'));
  if (m[1] === '-') return v <= 2n ** 63n;
  if (m[1] === '+') return v < 2n ** 63n;
  return v < 2n ** 64n;
}

/** Go's time.Parse rejects impossible dates (month 13, day 32, hour 25). */
function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2}))?/.exec(s);
  if (m === null) return false;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo, y) && h < 24 && mi < 60 && se < 60;
}
