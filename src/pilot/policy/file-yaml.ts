// A policy file's YAML, decoded as upstream decodes it: yaml.Unmarshal
// (gopkg.in/yaml.v3 v3.0.1) into the SDK's data.PolicySpec, whose keys are
// exactly `name`, `spiffeidPattern`, `pathPattern` (yaml tags) and
// `permissions` (yaml.v3's default: the lower-cased field name). The `yaml`
// package parses; this module then applies yaml.v3's rules to the tree:
// only the first document counts; keys match exactly (case-sensitive),
// others are ignored; a repeated key in a mapping is refused ("mapping key
// … already defined"); a scalar of any kind fills a string field with its
// text (`name: 123` → "123", `yes` → "yes"), a null leaves it empty and is
// dropped from a list; a list or mapping where a string is expected (or a
// scalar where the list is) is a type error; anchors, aliases and `<<` merge
// keys work as in yaml.v3. Every failure is one PolicyFileError whose
// message starts `line <n>: `.
//
// This module pulls in the `yaml` package: import it only with
// `await import()` (file.ts does), so that no other command loads it.
import { isUtf8 } from 'node:buffer';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { PolicyFileError, type PolicySpec } from './file-types.js';
import { indentFlowLines } from './file-flowindent.js';
import { checkTagged, decodeBinary, decodeDoubleQuoted, resolveTag, ScalarError } from './file-scalars.js';

/** A node as yaml.v3's parser builds it (yaml.Node: Kind, Tag, Value, Line, Content, Alias). */
interface V3Node {
  kind: 'scalar' | 'seq' | 'map' | 'alias';
  /** Short tag: the explicit one, else !!str for quoted and block scalars, else the resolved one. */
  tag: string;
  /** Whether the tag was written in the file (yaml.v3 then resolves the text against it). */
  explicit: boolean;
  /** Scalar text, alias name, '' for collections. */
  value: string;
  line: number;
  /** Sequence items, or mapping keys and values alternating. */
  content: V3Node[];
  target?: V3Node;
}

const SPEC = 'data.PolicySpec';
const FIELDS = { name: 'name', spiffeidPattern: 'spiffeidPattern', pathPattern: 'pathPattern', permissions: 'permissions' } as const;
type Field = keyof typeof FIELDS;

/** Parses a policy file's bytes (or text) into the fields it sets. */
export function parsePolicyYaml(input: string | Uint8Array): Partial<PolicySpec> {
  const text = typeof input === 'string' ? input : decodeText(input);
  checkCharacters(text);
  let parsed = parseFirst(text);
  if (parsed.doc !== undefined && hasErrors(parsed.doc)) {
    // yaml.v3 does not check indentation inside flow collections and quoted scalars; the `yaml` package does.
    const indented = indentFlowLines(text);
    if (indented !== text) {
      const retry = parseFirst(indented);
      if (retry.doc !== undefined && !hasErrors(retry.doc)) parsed = retry;
    }
  }
  if (parsed.doc === undefined) return {};
  const root = new Converter(parsed.text, parsed.lines).document(parsed.doc);
  if (root === undefined) return {};
  return new Decoder().decode(root);
}

/** The first document (yaml.Unmarshal reads no further), as the `yaml` package parses it. */
function parseFirst(text: string): { text: string; lines: LineCounter; doc: Document.Parsed | undefined } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    // Every scalar stays text; yaml.v3's resolution is applied here, not the YAML 1.2 core schema's.
    schema: 'failsafe',
    resolveKnownTags: false,
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
  });
  return { text, lines, doc: docs[0] };
}

/** Parse errors, except escapes in double-quoted scalars: those are decoded here with yaml.v3's escape set. */
function hasErrors(doc: Document.Parsed): boolean {
  return doc.errors.some((e) => e.code !== 'BAD_DQ_ESCAPE');
}

/** yaml.v3's reader: UTF-8, or UTF-16 with a byte order mark; invalid sequences are refused. */
function decodeText(bytes: Uint8Array): string {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (le || (bytes[0] === 0xfe && bytes[1] === 0xff)) return decodeUtf16(bytes, le);
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let line = 1;
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) throw new PolicyFileError(`line ${line}: invalid UTF-8 byte sequence`);
    if (bytes[i] === 0x0a) line++;
    i += n;
  }
  throw new PolicyFileError(`line ${line}: invalid UTF-8 byte sequence`);
}

/** Length of the valid UTF-8 sequence at i (RFC 3629: shortest form, no surrogates), 0 if invalid. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const t = b[i + k] as number;
    if ((t & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (t & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

function decodeUtf16(bytes: Uint8Array, le: boolean): string {
  let out = '';
  let line = 1;
  const unit = (i: number): number => (le ? (bytes[i] as number) | ((bytes[i + 1] as number) << 8) : ((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  for (let i = 2; i < bytes.length; i += 2) {
    if (i + 1 >= bytes.length) throw new PolicyFileError(`line ${line}: incomplete UTF-16 character`);
    const u = unit(i);
    if (u >= 0xdc00 && u <= 0xdfff) throw new PolicyFileError(`line ${line}: unexpected low surrogate area`);
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 3 >= bytes.length) throw new PolicyFileError(`line ${line}: incomplete UTF-16 surrogate pair`);
      const low = unit(i + 2);
      if (low < 0xdc00 || low > 0xdfff) throw new PolicyFileError(`line ${line}: expected low surrogate area`);
      out += String.fromCharCode(u, low);
      i += 2;
      continue;
    }
    if (u === 0x0a) line++;
    out += String.fromCharCode(u);
  }
  return out;
}

// yaml.v3's reader accepts tab, LF, CR, printable ASCII, NEL, and U+00A0 up (no surrogates, U+FFFE, U+FFFF).
const NOT_ALLOWED = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function checkCharacters(text: string): void {
  const m = NOT_ALLOWED.exec(text);
  if (m) throw new PolicyFileError(`line ${lineOf(text, m.index)}: control characters are not allowed`);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** yaml.v3's shortTag: `tag:yaml.org,2002:x` → `!!x`. */
function shortTag(tag: string): string {
  const prefix = 'tag:yaml.org,2002:';
  return tag.startsWith(prefix) ? `!!${tag.slice(prefix.length)}` : tag;
}

/**
 * The `yaml` package's tree → yaml.v3 nodes, with the parse-time failures
 * yaml.v3 reports (syntax, double-quoted escapes, unknown anchors): the first
 * one in the file wins, as yaml.v3's parser stops at it.
 */
class Converter {
  private readonly anchors = new Map<string, V3Node>();
  private readonly failures: { offset: number; message: string }[] = [];

  constructor(
    private readonly text: string,
    private readonly lines: LineCounter,
  ) {}

  document(doc: Document.Parsed): V3Node | undefined {
    for (const e of doc.errors) {
      // Double-quoted scalars are decoded here with yaml.v3's escapes (`\'` is one, `\/` is not).
      if (e.code !== 'BAD_DQ_ESCAPE') this.failures.push({ offset: e.pos[0], message: e.message });
    }
    const root = doc.contents === null ? undefined : this.node(doc.contents, 0);
    const first = this.failures.sort((a, b) => a.offset - b.offset)[0];
    if (first !== undefined) throw new PolicyFileError(`line ${this.line(first.offset)}: ${first.message}`);
    return root;
  }

  private line(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  private node(n: YamlNode | Pair | null | undefined, at: number): V3Node {
    if (n === null || n === undefined || isPair(n)) {
      if (isPair(n)) {
        // `[a: b]`: a single-pair mapping inside a flow sequence.
        const key = this.node(n.key as YamlNode | null, at);
        return { kind: 'map', tag: '!!map', explicit: false, value: '', line: key.line, content: [key, this.node(n.value as YamlNode | null, at)] };
      }
      return { kind: 'scalar', tag: '!!null', explicit: false, value: '', line: this.line(at), content: [] };
    }
    const offset = n.range?.[0] ?? at;
    const line = this.line(offset);
    const explicit = n.tag !== undefined && n.tag !== '!';
    if (isAlias(n)) {
      const target = this.anchors.get(n.source);
      if (target === undefined) this.failures.push({ offset, message: `unknown anchor '${n.source}' referenced` });
      return { kind: 'alias', tag: '', explicit: false, value: n.source, line, content: [], target };
    }
    let out: V3Node;
    if (isScalar(n)) {
      let value = n.source ?? String(n.value);
      if (n.type === 'QUOTE_DOUBLE' && n.range) {
        try {
          value = decodeDoubleQuoted(this.text.slice(n.range[0], n.range[1]));
        } catch (e) {
          if (!(e instanceof ScalarError)) throw e;
          this.failures.push({ offset, message: e.message });
        }
      }
      // yaml.v3's parser: a plain `<<` is a merge key; other plain scalars are resolved; the rest are strings.
      const plainTag = value === '<<' ? '!!merge' : resolveTag(value);
      const tag = explicit ? shortTag(n.tag as string) : n.type === 'PLAIN' ? plainTag : '!!str';
      out = { kind: 'scalar', tag, explicit, value, line, content: [] };
    } else if (isMap(n) || isSeq(n)) {
      const kind = isMap(n) ? 'map' : 'seq';
      out = { kind, tag: explicit ? shortTag(n.tag as string) : `!!${kind}`, explicit, value: '', line, content: [] };
    } else {
      throw new PolicyFileError(`line ${line}: unsupported YAML node`);
    }
    if (n.anchor) this.anchors.set(n.anchor, out); // before the children: an alias inside refers to this node
    if (isMap(n)) {
      for (const p of n.items) {
        const keyOffset = (p.key as YamlNode | null)?.range?.[0] ?? offset;
        out.content.push(this.node(p.key as YamlNode | null, keyOffset), this.node(p.value as YamlNode | null, keyOffset));
      }
    } else if (isSeq(n)) {
      for (const item of n.items) out.content.push(this.node(item as YamlNode | Pair | null, offset));
    }
    return out;
  }
}

/** A failure that stops yaml.v3's decoding at once (its failf), as opposed to type errors, which are collected. */
class Fatal extends Error {}

type Target = 'string' | '[]data.PolicyPermission' | 'data.PolicyPermission';

/** yaml.v3's decoder (decode.go), for data.PolicySpec only. */
class Decoder {
  private readonly out: Partial<PolicySpec> = {};
  private readonly errors: string[] = [];
  private readonly aliasesInUse = new Set<V3Node>();
  private merged: Set<string> | undefined;
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;

  decode(root: V3Node): Partial<PolicySpec> {
    try {
      this.unmarshalSpec(root);
    } catch (e) {
      if (e instanceof Fatal) throw new PolicyFileError(e.message);
      throw e;
    }
    if (this.errors.length > 0) throw new PolicyFileError(this.errors.join('; '));
    return this.out;
  }

  /** Counts a decode step; yaml.v3 refuses documents that are almost all alias expansion. */
  private step(n: V3Node): void {
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    const c = this.decodeCount;
    const allowed = c <= 400_000 ? 0.99 : c >= 4_000_000 ? 0.1 : 0.99 - (0.89 * (c - 400_000)) / 3_600_000;
    if (this.aliasCount > 100 && c > 1000 && this.aliasCount / c > allowed) throw new Fatal(`line ${n.line}: document contains excessive aliasing`);
  }

  /** Follows an alias (with yaml.v3's self-reference check), then calls `then` on the node. */
  private follow<T>(n: V3Node, then: (n: V3Node) => T): T {
    if (n.kind !== 'alias') return then(n);
    if (this.aliasesInUse.has(n)) throw new Fatal(`line ${n.line}: anchor '${n.value}' value contains itself`);
    this.aliasesInUse.add(n);
    this.aliasDepth++;
    try {
      this.step(n.target as V3Node);
      return this.follow(n.target as V3Node, then);
    } finally {
      this.aliasDepth--;
      this.aliasesInUse.delete(n);
    }
  }

  /** A scalar's string, undefined for null; explicit tags are checked against the text. */
  private scalar(n: V3Node): string | undefined {
    try {
      if (n.explicit && n.tag === '!!binary') return decodeBinary(n.value);
      if (n.explicit) return checkTagged(n.tag, n.value) === 'null' ? undefined : n.value;
    } catch (e) {
      if (e instanceof ScalarError) throw new Fatal(`line ${n.line}: ${e.message}`);
      throw e;
    }
    return n.tag === '!!null' ? undefined : n.value;
  }

  private typeError(n: V3Node, into: string): void {
    let shown = '';
    if (n.tag !== '!!seq' && n.tag !== '!!map') {
      const bytes = Buffer.from(n.value, 'utf8');
      shown = ` \`${bytes.length > 10 ? `${bytes.subarray(0, 7).toString('utf8')}...` : n.value}\``;
    }
    this.errors.push(`line ${n.line}: cannot unmarshal ${n.tag}${shown} into ${into}`);
  }

  /** yaml.v3 checks every mapping it decodes for repeated keys (same kind and text) before anything else. */
  private uniqueKeys(n: V3Node): boolean {
    const before = this.errors.length;
    for (let i = 0; i < n.content.length; i += 2) {
      const a = n.content[i] as V3Node;
      for (let j = i + 2; j < n.content.length; j += 2) {
        const b = n.content[j] as V3Node;
        if (a.kind === b.kind && a.value === b.value) this.errors.push(`line ${b.line}: mapping key ${goQuote(b.value)} already defined at line ${a.line}`);
      }
    }
    return this.errors.length === before;
  }

  private unmarshalSpec(node: V3Node): void {
    this.step(node);
    this.follow(node, (n) => {
      if (n.kind === 'map') {
        if (this.uniqueKeys(n)) this.mapping(n);
      } else if (n.kind === 'seq') this.typeError(n, SPEC);
      else if (this.scalar(n) !== undefined) this.typeError(n, SPEC);
    });
  }

  /** decode.go mappingStruct: explicit keys first, then `<<` merges fill what is still unset. */
  private mapping(n: V3Node): void {
    const merged = this.merged;
    this.merged = undefined;
    let mergeNode: V3Node | undefined;
    const done = new Set<Field>();
    for (let i = 0; i < n.content.length; i += 2) {
      const k = n.content[i] as V3Node;
      const v = n.content[i + 1] as V3Node;
      if (k.kind === 'scalar' && k.value === '<<' && k.tag === '!!merge') {
        mergeNode = v;
        continue;
      }
      const name = this.unmarshalString(k);
      if (name === undefined) continue;
      if (merged !== undefined) {
        if (merged.has(name)) continue;
        merged.add(name);
      }
      if (!Object.hasOwn(FIELDS, name)) continue; // unknown keys are ignored
      const field = name as Field;
      if (done.has(field)) {
        this.errors.push(`line ${k.line}: field ${name} already set in type ${SPEC}`);
        continue;
      }
      done.add(field);
      if (field === 'permissions') {
        const list = this.unmarshalList(v);
        if (list !== undefined) this.out.permissions = list;
      } else {
        const s = this.unmarshalString(v);
        if (s !== undefined) this.out[field] = s;
      }
    }
    this.merged = merged;
    if (mergeNode !== undefined) this.merge(n, mergeNode);
  }

  /** decode.go merge: a mapping, an alias of one, or a list of those; keys already set win. */
  private merge(parent: V3Node, m: V3Node): void {
    const outer = this.merged;
    if (outer === undefined) {
      this.merged = new Set();
      for (let i = 0; i < parent.content.length; i += 2) {
        this.step(parent.content[i] as V3Node);
        const name = this.follow(parent.content[i] as V3Node, (k) => (k.kind === 'scalar' ? this.scalar(k) : undefined));
        if (name !== undefined) this.merged.add(name);
      }
    }
    const isMapping = (x: V3Node): boolean => x.kind === 'map' || (x.kind === 'alias' && x.target?.kind === 'map');
    const sources = m.kind === 'seq' ? m.content : [m];
    if ((m.kind !== 'seq' && !isMapping(m)) || !sources.every(isMapping)) {
      throw new Fatal(`line ${m.line}: map merge requires map or sequence of maps as the value`);
    }
    for (const s of sources) this.unmarshalSpec(s);
    this.merged = outer;
  }

  /** A value into a Go string (a field, or a mapping key): undefined when null or refused. */
  private unmarshalString(node: V3Node, into: Target = 'string'): string | undefined {
    this.step(node);
    return this.follow(node, (n) => {
      if (n.kind === 'scalar') return this.scalar(n);
      if (n.kind === 'seq' || this.uniqueKeys(n)) this.typeError(n, into);
      return undefined;
    });
  }

  /** `permissions` ([]data.PolicyPermission): a sequence; null empties it; nulls inside are dropped. */
  private unmarshalList(node: V3Node): string[] | undefined {
    this.step(node);
    return this.follow(node, (n) => {
      if (n.kind === 'seq') {
        const out: string[] = [];
        for (const item of n.content) {
          const s = this.unmarshalString(item, 'data.PolicyPermission');
          if (s !== undefined) out.push(s);
        }
        return out;
      }
      if (n.kind === 'scalar') {
        if (this.scalar(n) === undefined) return [];
        this.typeError(n, '[]data.PolicyPermission');
      } else if (this.uniqueKeys(n)) this.typeError(n, '[]data.PolicyPermission');
      return undefined;
    });
  }
}

/** Go's strconv.Quote (yaml.v3 prints repeated keys with %#v). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (GO_ESCAPES[ch] !== undefined) out += GO_ESCAPES[ch];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
