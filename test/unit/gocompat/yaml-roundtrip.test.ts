// Property: every document the yaml.v3-style writer produces reads back, with
// the npm `yaml` parser (an independent YAML 1.2 implementation), as the
// value that was written: strings stay strings whatever they look like
// (true, 0x1F, 2024-01-15, "- a", …), structure and order are kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatRfc3339Nano, goTimeFromDate } from '../../../src/gocompat/time.js';
import { y, yamlMarshal, type YamlNode } from '../../../src/gocompat/yaml.js';

const tricky = fc.constantFrom(
  'true', 'no', 'Off', '~', 'null', '', ' ', '0x1F', '0o17', '1_000', '1:20', '.5', '-.inf', '1e3', '2024-01-15',
  '2024-01-15T10:00:00Z', '- a', 'a: b', 'a #b', '#', "'", '"', '\\', '\t', '\r', '\u0085', '\ufeff', '😀', '---', '...',
  '? x', '@x', '*a', '&a', '!t', '%p', '|', '>', '{x}', '[x]', 'a\nb', 'a\n', '\n', 'a\n\n', ' a\nb', 'a \nb', 'a\nb ',
);

// Left out, because yaml.v3 v3.0.1 itself writes them so that they do not
// read back (checked with yaml.v3: its own Unmarshal refuses or changes
// them): a multi-line string starting with a space or a line break (a
// literal block with an indentation hint, which yaml.v3 gets wrong inside
// sequences and complex keys, and whose leading break it drops), and a
// multi-line string with U+0085/U+2028/U+2029 (line breaks for libyaml,
// written without the indentation YAML 1.2 needs), and a single-quoted
// string with a character after U+2028/U+2029: yaml.v3 writes that character
// indented, as after a libyaml line break (test/unit/gocompat/yaml.test.ts,
// "indents after U+2028/U+2029 inside single quotes"), and for a YAML 1.2
// parser, where U+2028/U+2029 are not line breaks, the indentation is content.
const roundTrips = (s: string): boolean =>
  !(s.includes('\n') && (/^[ \n\r\u0085\u2028\u2029]/.test(s) || /[\u0085\u2028\u2029]/.test(s))) && !/[\u2028\u2029]./su.test(s);

const text = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), tricky), { maxLength: 4 })
  .map((p) => p.join(''))
  .filter(roundTrips);

interface Doc {
  node: YamlNode;
  value: unknown;
}

const scalar: fc.Arbitrary<Doc> = fc.oneof(
  text.map((s) => ({ node: y.str(s), value: s })),
  fc.integer({ min: -1e12, max: 1e12 }).map((n) => ({ node: y.int(n), value: n })),
  fc.constant({ node: y.null(), value: null }),
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => {
    const t = goTimeFromDate(d);
    return { node: y.time(t), value: formatRfc3339Nano(t) };
  }),
);

const doc: fc.Arbitrary<Doc> = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('doc'), { maxLength: 3 }).map((items) => ({ node: y.seq(items.map((i) => i.node)), value: items.map((i) => i.value) })),
    fc.uniqueArray(fc.tuple(fc.oneof(text, fc.nat(1000)), tie('doc')), { maxLength: 3, selector: ([k]) => String(k) }).map((entries) => ({
      node: y.map(entries.map(([k, d]) => [k, d.node] as const)),
      value: Object.fromEntries(entries.map(([k, d]) => [String(k), d.value])),
    })),
  ),
})).doc;

describe('yaml writer round trip through the npm yaml parser', () => {
  it('reads back every document as written', () => {
    fc.assert(
      fc.property(doc, (d) => {
        const out = yamlMarshal(d.node);
        expect(out.endsWith('\n')).toBe(true);
        expect(parse(out, { uniqueKeys: true })).toEqual(d.value);
      }),
      { numRuns: 3000 },
    );
  });

  it('single-line strings stay on one line', () => {
    fc.assert(
      fc.property(text, (s) => {
        fc.pre(!/[\n\u0085\u2028\u2029]/.test(s));
        expect(yamlMarshal(y.map([['name', y.str(s)]])).slice(0, -1)).not.toMatch(/\n/);
      }),
    );
  });
});
