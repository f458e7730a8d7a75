// The yaml.v3 emitter against outputs gopkg.in/yaml.v3 v3.0.1 Marshal gives
// for the same values (quoting rules, 4-space indent, sequences in mappings,
// mappings in sequences, literal blocks).
import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../../src/gocompat/time.js';
import { canUsePlain, compareYamlKeys, y, yamlMarshal } from '../../../src/gocompat/yaml.js';

const str = (s: string): string => yamlMarshal(y.map([['k', y.str(s)]]));

describe('yaml scalars', () => {
  it.each([
    ['plain', 'k: plain\n'],
    ['with space', 'k: with space\n'],
    ['', 'k: ""\n'],
    ['true', 'k: "true"\n'],
    ['False', 'k: "False"\n'],
    ['yes', 'k: "yes"\n'],
    ['off', 'k: "off"\n'],
    ['null', 'k: "null"\n'],
    ['~', 'k: "~"\n'],
    ['123', 'k: "123"\n'],
    ['-7', 'k: "-7"\n'],
    ['1.5', 'k: "1.5"\n'],
    ['.5', 'k: ".5"\n'],
    ['1e3', 'k: "1e3"\n'],
    ['0x1F', 'k: "0x1F"\n'],
    ['0o17', 'k: "0o17"\n'],
    ['0b101', 'k: "0b101"\n'],
    ['1_000', 'k: "1_000"\n'],
    ['1:20', 'k: "1:20"\n'],
    ['.inf', 'k: ".inf"\n'],
    ['2024-01-15', 'k: "2024-01-15"\n'],
    ['2024-01-15T10:00:00Z', 'k: "2024-01-15T10:00:00Z"\n'],
    ['2024-13-45', 'k: 2024-13-45\n'],
    ['1.2.3', 'k: 1.2.3\n'],
    ['a: b', "k: 'a: b'\n"],
    ['a:b', 'k: a:b\n'],
    ['a #b', "k: 'a #b'\n"],
    ['a#b', 'k: a#b\n'],
    ['- a', "k: '- a'\n"],
    ['-a', 'k: -a\n'],
    ['@x', "k: '@x'\n"],
    ['*', "k: '*'\n"],
    ['&a', "k: '&a'\n"],
    ['!tag', "k: '!tag'\n"],
    ['%p', "k: '%p'\n"],
    ['{x}', "k: '{x}'\n"],
    ['[x]', "k: '[x]'\n"],
    ['x]', 'k: x]\n'],
    ["'q", "k: '''q'\n"],
    ["it's", "k: it's\n"],
    ['"q', `k: '"q'\n`],
    ['---', "k: '---'\n"],
    [' lead', "k: ' lead'\n"],
    ['trail ', "k: 'trail '\n"],
    ['tab\there', 'k: "tab\\there"\n'],
    ['ctl\x01', 'k: "ctl\\x01"\n'],
    ['cr\r', 'k: "cr\\r"\n'],
    ['é ü', 'k: é ü\n'],
    ['smile 😀', 'k: "smile \\U0001F600"\n'],
    ['bom\ufeff', 'k: "bom\\uFEFF"\n'],
    ['^spiffe://example\\.org/.*$', 'k: ^spiffe://example\\.org/.*$\n'],
    ['secrets/db/.*', 'k: secrets/db/.*\n'],
    ['?x', 'k: ?x\n'],
    ['? x', "k: '? x'\n"],
    ['<<', 'k: <<\n'],
    ['n', 'k: "n"\n'],
  ])('%j', (s, want) => {
    expect(str(s)).toBe(want);
  });

  it('literal blocks: chomping and indentation hints', () => {
    expect(str('a\nb')).toBe('k: |-\n    a\n    b\n');
    expect(str('a\nb\n')).toBe('k: |\n    a\n    b\n');
    expect(str('a\n\n')).toBe('k: |+\n    a\n\n');
    expect(str('a\n\nb')).toBe('k: |-\n    a\n\n    b\n');
    expect(str(' a\nb')).toBe('k: |4-\n     a\n    b\n');
    // yaml.v3 v3.0.1: a leading break ends the header line (it does not read back).
    expect(str('\nb')).toBe('k: |4-\n    b\n');
    expect(str('\n\nb\n')).toBe('k: |4\n\n    b\n');
    // Not allowed as a block: a space before a break, a trailing space.
    expect(str('a \nb')).toBe('k: "a \\nb"\n');
    expect(str('a\nb ')).toBe('k: "a\\nb "\n');
    expect(yamlMarshal(y.str('a\nb'))).toBe('|-\n    a\n    b\n');
  });

  it('canUsePlain is resolve.go', () => {
    expect(canUsePlain('hello')).toBe(true);
    expect(canUsePlain('99999999999999999999')).toBe(false);
    expect(canUsePlain('0xZZ')).toBe(true);
    expect(canUsePlain('+')).toBe(true);
  });

  it('a time.Time is plain RFC 3339 with nanoseconds', () => {
    expect(yamlMarshal(y.map([['t', y.time(parseRfc3339('2025-01-15T14:30:45.120+00:00'))]]))).toBe('t: 2025-01-15T14:30:45.12Z\n');
  });

  it('document-level scalars and keys', () => {
    expect(yamlMarshal(y.str('v'))).toBe('v\n');
    expect(yamlMarshal(y.str(''))).toBe('""\n');
    expect(yamlMarshal(y.map([['true', y.str('x')]]))).toBe('"true": x\n');
    expect(yamlMarshal(y.map([['a b', y.str('x')]]))).toBe('a b: x\n');
  });
});

describe('yaml collections', () => {
  it('top-level list and empties', () => {
    expect(yamlMarshal(y.seq([y.str('a'), y.str('b')]))).toBe('- a\n- b\n');
    expect(yamlMarshal(y.seq([]))).toBe('[]\n');
    expect(yamlMarshal(y.map([]))).toBe('{}\n');
    expect(yamlMarshal(y.map([['a', y.seq([])], ['b', y.map([])], ['c', y.null()]]))).toBe('a: []\nb: {}\nc: null\n');
  });

  it('a sequence in a mapping is indented by 4', () => {
    expect(yamlMarshal(y.map([['permissions', y.seq([y.str('read'), y.str('write')])], ['x', y.int(1)]]))).toBe(
      'permissions:\n    - read\n    - write\nx: 1\n',
    );
  });

  it('a mapping in a sequence item is indented past "- "', () => {
    expect(yamlMarshal(y.seq([y.map([['id', y.str('')], ['name', y.str('a')]]), y.map([['id', y.str('')], ['name', y.str('b')]])]))).toBe(
      '- id: ""\n  name: a\n- id: ""\n  name: b\n',
    );
  });

  it('nested mappings and int keys', () => {
    const doc = y.map([
      ['versions', y.map([[1, y.map([['version', y.int(1)], ['deletedtime', y.null()]])]])],
      ['metadata', y.map([['maxversions', y.int(10)]])],
    ]);
    expect(yamlMarshal(doc)).toBe('versions:\n    1:\n        version: 1\n        deletedtime: null\nmetadata:\n    maxversions: 10\n');
  });

  it('literal block inside a sequence item mapping', () => {
    expect(yamlMarshal(y.seq([y.map([['k', y.str('a\nb')]])]))).toBe('- k: |-\n    a\n    b\n');
  });

  it('keys longer than 128 bytes use the complex-key form', () => {
    const k = 'k'.repeat(129);
    expect(yamlMarshal(y.map([[k, y.str('v')]]))).toBe(`? ${k}\n: v\n`);
  });
});

// Outputs of yaml.v3 v3.0.1 Marshal (Debian golang-gopkg-yaml.v3-dev
// 3.0.1-3) for the same values, including its quirks.
describe('yaml.v3 specifics', () => {
  it('sorts Go map keys with its own order (digits by value)', () => {
    const keys = ['a10', 'a2', 'B', 'b', '_', '1', '10', '9', 'é', 'Z', 'a', 'ab', 'a b', 'a-1', 'a.b'];
    expect([...keys].sort(compareYamlKeys)).toEqual(['_', '1', '9', '10', 'B', 'Z', 'a', 'a b', 'a-1', 'a.b', 'a2', 'a10', 'ab', 'b', 'é']);
  });

  it('indents after U+2028/U+2029 inside single quotes', () => {
    expect(str('x\u2028y')).toBe("k: 'x\u2028    y'\n");
    expect(str('a\u2029')).toBe("k: 'a\u2029'\n");
  });

  it('escapes every character of a double-quoted value that starts with U+FEFF', () => {
    expect(str('\ufeffa1')).toBe('k: "\\uFEFF\\x61\\x31"\n');
  });

  it('writes a block collection after a complex key on the ":" line', () => {
    expect(yamlMarshal(y.map([['\r', y.seq([y.str('1:20')])]]))).toBe('? "\\r"\n:   - "1:20"\n');
  });

  it('ends a literal block that ends in U+2028 without a newline', () => {
    expect(str('a\nb\u2028')).toBe('k: |\n    a\n    b\u2028');
  });

  it('writes an indentation hint relative to the wrong column inside a sequence', () => {
    expect(yamlMarshal(y.seq([y.str(' a\nb')]))).toBe('- |4-\n   a\n  b\n');
  });
});
