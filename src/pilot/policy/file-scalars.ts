// What Go's gopkg.in/yaml.v3 (v3.0.1, the library upstream's `spike policy
// apply --file` decodes with) does with a scalar's text, where that differs
// from the YAML 1.2 reading of the `yaml` package:
// - resolveTag: the tag yaml.v3 gives a plain scalar (resolve.go: `~`/`null`
//   are null, `true`/`false` bools, Go integer and float syntax, timestamps,
//   everything else — `yes`, `on`, `0x1F` into a string field — a string);
// - checkTagged: an explicit `!!int`/`!!bool`/… tag must fit the text;
// - decodeDoubleQuoted: yaml.v3's escapes (`\'` yes, `\/` no) and folding;
// - decodeBinary: a `!!binary` scalar is base64, decoded.
// Errors are ScalarErrors: the message only, the caller adds the line.
import { decodeStdBase64 } from '../../gocompat/base64.js';

export class ScalarError extends Error {
  override readonly name = 'ScalarError';
}

export type ResolvedTag = '!!null' | '!!bool' | '!!int' | '!!float' | '!!timestamp' | '!!str';

const MAP: Record<string, ResolvedTag> = {};
for (const [tag, words] of [
  ['!!bool', ['true', 'True', 'TRUE', 'false', 'False', 'FALSE']],
  ['!!null', ['', '~', 'null', 'Null', 'NULL']],
  ['!!float', ['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const w of words) MAP[w] = tag;
}

/** The first character decides which resolutions are tried (resolve.go's table). */
function hint(s: string): 'S' | 'D' | 'M' | '.' | 'N' | undefined {
  if (s === '') return 'N';
  const c = s[0] as string;
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseFloat succeeding (decimal forms only, finite: an overflow is an error in Go). */
function goFloat(s: string): boolean {
  return YAML_STYLE_FLOAT.test(s) && Number.isFinite(Number(s));
}

/** Go's strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeding (the text has no `_`). */
function goInt(s: string): boolean {
  let body = s;
  let neg = false;
  let signed = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    signed = true;
    body = body.slice(1);
  }
  let digits: RegExp;
  let prefix = '';
  if (/^0[xX]/.test(body)) [digits, prefix] = [/^[0-9a-fA-F]+$/, '0x'];
  else if (/^0[bB]/.test(body)) [digits, prefix] = [/^[01]+$/, '0b'];
  else if (/^0[oO]/.test(body)) [digits, prefix] = [/^[0-7]+$/, '0o'];
  else if (/^0./.test(body)) [digits, prefix] = [/^[0-7]+$/, '0o'];
  else digits = /^[0-9]+$/;
  const rest = prefix === '' ? body : body.slice(prefix === '0o' && !/^0[oO]/.test(body) ? 1 : 2);
  if (!digits.test(rest)) return false;
  const v = BigInt(prefix + rest);
  if (neg) return v <= 2n ** 63n;
  return v <= (signed ? 2n ** 63n - 1n : 2n ** 64n - 1n);
}

const DATE = String.raw`(\d{4})-(\d{1,2})-(\d{1,2})`;
const CLOCK = String.raw`(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?`;
const TIMESTAMP = [
  new RegExp(`^${DATE}[Tt]${CLOCK}(?:Z|[+-](\\d{2}):(\\d{2}))$`),
  new RegExp(`^${DATE} ${CLOCK}$`),
  new RegExp(`^${DATE}$`),
];

/** yaml.v3's parseTimestamp: Go's time.Parse with its four layouts, including the range checks. */
function goTimestamp(s: string): boolean {
  for (const re of TIMESTAMP) {
    const m = re.exec(s);
    if (!m) continue;
    const [y, mo, d, h = 0, mi = 0, sec = 0, zh = 0, zm = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x)));
    const days = new Date(Date.UTC(y as number, mo as number, 0)).getUTCDate();
    if ((mo as number) < 1 || (mo as number) > 12 || (d as number) < 1 || (d as number) > days) return false;
    return h < 24 && mi < 60 && sec < 60 && zh <= 24 && zm <= 60;
  }
  return false;
}

/** The tag yaml.v3 resolves an untagged plain scalar to. */
export function resolveTag(s: string): ResolvedTag {
  return classify(s, true);
}

function classify(s: string, timestamps: boolean): ResolvedTag {
  const h = hint(s);
  if (h === undefined) return '!!str';
  const mapped = MAP[s];
  if (mapped !== undefined) return mapped;
  if (h === '.') return goFloat(s) ? '!!float' : '!!str';
  if (h === 'D' || h === 'S') {
    if (timestamps && goTimestamp(s)) return '!!timestamp';
    const plain = s.replace(/_/g, '');
    if (goInt(plain)) return '!!int';
    if (goFloat(plain)) return '!!float';
  }
  return '!!str';
}

const RESOLVABLE = new Set(['!!str', '!!bool', '!!int', '!!float', '!!null', '!!timestamp']);

/**
 * yaml.v3 for a scalar with an explicit tag: whether it is null, or an error
 * when a resolvable tag does not fit (`!!int abc`). Other tags keep the text.
 */
export function checkTagged(tag: string, s: string): 'null' | 'value' {
  if (!RESOLVABLE.has(tag) || tag === '!!str') return 'value';
  const r = classify(s, tag === '!!timestamp');
  if (r === tag || (tag === '!!float' && r === '!!int')) return r === '!!null' ? 'null' : 'value';
  throw new ScalarError(`cannot decode ${r} \`${s}\` as a ${tag}`);
}

/** A `!!binary` scalar: standard base64 (line breaks ignored, as Go's decoder does), decoded. */
export function decodeBinary(s: string): string {
  const bytes = decodeStdBase64(s);
  if (bytes === undefined) throw new ScalarError('!!binary value contains invalid base64 data');
  return bytes.toString('utf8');
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * A double-quoted scalar's value as yaml.v3's scanner builds it, from its
 * source text (quotes included): yaml.v3's escape set, and YAML line
 * folding (one break → a space, n+1 breaks → n newlines, `\` at a line's end
 * joins; spaces around breaks dropped). Offsets in errors are into `src`.
 */
export function decodeDoubleQuoted(src: string): string {
  let out = '';
  let i = 1;
  for (;;) {
    // Non-blank run.
    let joined = false;
    while (i < src.length && !isBlankOrBreak(src[i] as string)) {
      const c = src[i] as string;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = src[i + 1];
      if (e === '\r' || e === '\n') {
        i += e === '\r' && src[i + 2] === '\n' ? 3 : 2;
        joined = true;
        break;
      }
      const named = e === undefined ? undefined : ESCAPES[e];
      if (named !== undefined) {
        out += named;
        i += 2;
        continue;
      }
      const len = e === undefined ? undefined : HEX_LENGTH[e];
      if (len === undefined) throw new ScalarError('found unknown escape character while parsing a quoted scalar');
      const hex = src.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new ScalarError('did not find expected hexdecimal number while parsing a quoted scalar');
      const cp = parseInt(hex, 16);
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) throw new ScalarError('found invalid Unicode character escape code while parsing a quoted scalar');
      out += String.fromCodePoint(cp);
      i += 2 + len;
    }
    if (i >= src.length) throw new ScalarError('found unexpected end of stream while scanning a quoted scalar');
    if (!joined && src[i] === '"') return out;
    // Blanks and breaks.
    let whitespace = '';
    let breaks = joined ? -1 : 0; // -1: a joined line, whose break is not folded
    while (i < src.length && isBlankOrBreak(src[i] as string)) {
      const c = src[i] as string;
      if (c === ' ' || c === '\t') {
        if (breaks === 0) whitespace += c;
        i++;
      } else {
        i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
        breaks = breaks === -1 ? -1 : breaks + 1;
        if (breaks === -1) out += '\n'; // a break after an escaped one is kept
      }
    }
    if (breaks === 0) out += whitespace;
    else if (breaks === 1) out += ' ';
    else if (breaks > 1) out += '\n'.repeat(breaks - 1);
  }
}

function isBlankOrBreak(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
