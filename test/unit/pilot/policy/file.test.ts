// The policy-file reader: the `yaml` package with gopkg.in/yaml.v3's rules
// (what upstream's yaml.Unmarshal into data.PolicySpec does). Expected
// values come from yaml.v3 v3.0.1: its decode_test.go vectors (block
// scalars, merges, binary, error texts) and its decode.go/resolve.go/
// scannerc.go rules (cited per case), not from this reader's output.
import { describe, expect, it } from 'vitest';
import { PolicyFileError } from '../../../../src/pilot/policy/file-types.js';
import { parsePolicyYaml } from '../../../../src/pilot/policy/file-yaml.js';

const SPEC = {
  name: 'db-read',
  spiffeidPattern: '^spiffe://example\\.org/app/.*$',
  pathPattern: '^secrets/db/.*$',
  permissions: ['read', 'list'],
};

describe('parsePolicyYaml: files yaml.v3 accepts', () => {
  it('upstream documentation example', () => {
    const text = [
      '---',
      '# Web service policy',
      'name: "web-service-policy"',
      'spiffeidPattern: "^spiffe://example\\\\.org/web-service/.*$"',
      'pathPattern: "^secrets/web-service/.*$"',
      'permissions:',
      '  - read',
      '  - write',
      '',
    ].join('\n');
    expect(parsePolicyYaml(text)).toEqual({
      name: 'web-service-policy',
      spiffeidPattern: '^spiffe://example\\.org/web-service/.*$',
      pathPattern: '^secrets/web-service/.*$',
      permissions: ['read', 'write'],
    });
  });

  it('quoted keys, block scalars, anchors and aliases, a multi-line flow list with comments, unknown keys', () => {
    const text = [
      '# db-read',
      'x-shared: &perms [',
      '  read,   # a comment inside a flow list',
      '  list',
      ']',
      'description: |',
      '  Not sent: keys other than the four are ignored.',
      '"name": \'db-read\'',
      "'spiffeidPattern': >-",
      '  ^spiffe://example\\.org/app/.*$',
      '"pathPattern": "^secrets/db/.*$"',
      'permissions: *perms',
    ].join('\n');
    expect(parsePolicyYaml(text)).toEqual(SPEC);
  });

  it('block scalars (decode_test.go literal and folded vectors)', () => {
    expect(parsePolicyYaml('name: | # Comment\n\n literal\n\n \ttext\n\n').name).toBe('\nliteral\n\n\ttext\n');
    expect(parsePolicyYaml('name: > # Comment\n\n folded\n line\n \n next\n line\n  * one\n  * two\n\n last\n line\n\n').name).toBe(
      '\nfolded line\nnext line\n * one\n * two\n\nlast line\n',
    );
    expect(parsePolicyYaml("permissions:\n- A\n- 'B\n\n  C'\n").permissions).toEqual(['A', 'B\nC']);
  });

  it('any scalar fills a string field with its text (decode.go scalar: reflect.String takes n.Value)', () => {
    const names = ['123', 'true', 'yes', 'on', 'no', '0x1F', '1e3', '2001-12-14', '.inf', '1:1', '<foo>'];
    for (const v of names) expect(parsePolicyYaml(`name: ${v}`).name, v).toBe(v);
    expect(parsePolicyYaml('permissions: [A,1,C]').permissions).toEqual(['A', '1', 'C']);
    expect(parsePolicyYaml('name: !!str 12\npathPattern: !!int 0o17\nspiffeidPattern: !custom x').name).toBe('12');
    expect(parsePolicyYaml('pathPattern: !!int 0o17\nspiffeidPattern: !custom x')).toEqual({ pathPattern: '0o17', spiffeidPattern: 'x' });
  });

  it('null leaves a field unset, empties the list, and is dropped from a list (decode.go null, sequence)', () => {
    expect(parsePolicyYaml('name: ~\nspiffeidPattern: null\npathPattern:\npermissions: Null')).toEqual({ permissions: [] });
    expect(parsePolicyYaml('permissions: [read, ~, null, "~"]').permissions).toEqual(['read', '~']);
    expect(parsePolicyYaml("name: ''").name).toBe('');
  });

  it('!!binary is base64 (decode_test.go vectors)', () => {
    expect(parsePolicyYaml('name: !!binary ZGItcmVhZA==').name).toBe('db-read');
    expect(parsePolicyYaml(`name: !!binary |\n  ${'A'.repeat(70)}\n  ==\n`).name).toBe('\0'.repeat(52));
  });

  it("double-quoted scalars use yaml.v3's escapes and folding (scannerc.go)", () => {
    expect(parsePolicyYaml('name: "it\\\'s \\u00e9\\x41\\t"').name).toBe("it's éA\t");
    expect(parsePolicyYaml('name: "a\n  b\n\n  c  \n  d"').name).toBe('a b\nc d');
    expect(parsePolicyYaml('name: "a\\\n   b"').name).toBe('ab');
  });

  it('merge keys: explicit keys win, then the sources in order (decode_test.go mergeTests)', () => {
    const base = ['left: &LEFT {pathPattern: "^left$", permissions: [read]}', 'big: &BIG {pathPattern: "^big$", name: big}'];
    expect(parsePolicyYaml([...base, 'name: n', '<<: [*BIG, *LEFT]'].join('\n'))).toEqual({ name: 'n', pathPattern: '^big$', permissions: ['read'] });
    expect(parsePolicyYaml([...base, '<<: *LEFT', 'permissions: [list]'].join('\n'))).toEqual({ pathPattern: '^left$', permissions: ['list'] });
    expect(parsePolicyYaml([...base, '!!merge "<<": [*LEFT, {name: inline}]'].join('\n'))).toEqual({ name: 'inline', pathPattern: '^left$', permissions: ['read'] });
    expect(parsePolicyYaml([...base, '!<tag:yaml.org,2002:merge> "<<": *BIG'].join('\n'))).toEqual({ name: 'big', pathPattern: '^big$' });
    expect(parsePolicyYaml([...base, '"<<": *BIG'].join('\n'))).toEqual({}); // a quoted "<<" is an ordinary (unknown) key
  });

  it('keys match exactly, case-sensitive (data.PolicySpec yaml tags; `permissions` from the field name)', () => {
    expect(parsePolicyYaml('Name: a\nspiffeIDPattern: b\npathpattern: c\nPermissions: [read]\nspiffeid_pattern: d')).toEqual({});
  });

  it('flow collections and quoted scalars over several lines, in any column (scannerc.go checks indentation only in block context)', () => {
    expect(parsePolicyYaml('permissions: [\nread,\n  list\n]\nname: "db\nread"\nx-map: {\n}\nspiffeidPattern: \'a\n\nb\'')).toEqual({
      name: 'db read',
      spiffeidPattern: 'a\nb',
      permissions: ['read', 'list'],
    });
    expect(parsePolicyYaml('x: [\n"a, b", \'[c\', # ]\n{d: "}"}]\nname: n\n')).toEqual({ name: 'n' });
  });

  it('only the first document is read; empty input is an empty policy (yaml.go unmarshal: one p.parse())', () => {
    expect(parsePolicyYaml('name: a\n---\nname: b\n---\n[')).toEqual({ name: 'a' });
    for (const empty of ['', '# only a comment\n', '---\n', '~\n', '--- null\n...\n']) expect(parsePolicyYaml(empty), empty).toEqual({});
  });

  it('encodings: BOM, CRLF, UTF-16 with a byte order mark (readerc.go)', () => {
    const text = 'name: db-read\r\npermissions:\r\n  - read\r\n';
    expect(parsePolicyYaml(`\ufeff${text}`)).toEqual({ name: 'db-read', permissions: ['read'] });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parsePolicyYaml(le)).toEqual({ name: 'db-read', permissions: ['read'] });
    expect(parsePolicyYaml(Buffer.from(le).swap16())).toEqual({ name: 'db-read', permissions: ['read'] });
  });
});

describe('parsePolicyYaml: refusals name the line', () => {
  const bomb = ['a0: &a0 {x: 1}'];
  for (let i = 1; i <= 24; i++) bomb.push(`a${i}: &a${i} {<<: [*a${i - 1}, *a${i - 1}]}`);
  bomb.push('<<: *a24');

  it.each([
    // decode.go mapping: repeated keys compare kind and text, so "name" and name are the same key
    ['name: a\nname: b', 'line 2: mapping key "name" already defined at line 1'],
    ['"name": a\npermissions: []\nname: b', 'line 3: mapping key "name" already defined at line 1'],
    ['1: a\n"1": b', 'line 2: mapping key "1" already defined at line 1'],
    ['name: x\npermissions: {a: 1, a: 2}', 'line 2: mapping key "a" already defined at line 2'],
    // decode.go mappingStruct: the same field through an alias key
    ['k: &k name\n*k : x\nname: y', 'line 3: field name already set in type data.PolicySpec'],
    // decode.go terror: type errors, all of them, with the value shortened to 7 bytes
    ['name: [a]', 'line 1: cannot unmarshal !!seq into string'],
    ['name:\n  first: a', 'line 2: cannot unmarshal !!map into string'],
    ['permissions: read', 'line 1: cannot unmarshal !!str `read` into []data.PolicyPermission'],
    ['permissions: 5', 'line 1: cannot unmarshal !!int `5` into []data.PolicyPermission'],
    ['permissions: [read, [write]]', 'line 1: cannot unmarshal !!seq into data.PolicyPermission'],
    ['- read', 'line 1: cannot unmarshal !!seq into data.PolicySpec'],
    ['just some text', 'line 1: cannot unmarshal !!str `just so...` into data.PolicySpec'],
    ['name: [a]\n\npathPattern: {b: c}', 'line 1: cannot unmarshal !!seq into string; line 3: cannot unmarshal !!map into string'],
    // resolve.go / decode.go failures (yaml.v3 gives no line; the reader adds it)
    ['\nname: !!int abc', 'line 2: cannot decode !!str `abc` as a !!int'],
    ["name: !!float 'error'", 'line 1: cannot decode !!str `error` as a !!float'],
    ['name: !!binary ==', 'line 1: !!binary value contains invalid base64 data'],
    ['name: a\npathPattern: *nope', "line 2: unknown anchor 'nope' referenced"],
    ['pathPattern: *a\nname: &a {c: 1}', "line 1: unknown anchor 'a' referenced"],
    ['name: a\n<<: [{}, x]', 'line 2: map merge requires map or sequence of maps as the value'],
    ['<<: ~', 'line 1: map merge requires map or sequence of maps as the value'],
    ['&a\nname: x\n<<: *a', "line 3: anchor 'a' value contains itself"],
    [bomb.join('\n'), 'document contains excessive aliasing'],
    // scannerc.go: `\/` is not one of yaml.v3's escapes
    ['name: a\npathPattern: "^a\\/b$"', 'line 2: found unknown escape character while parsing a quoted scalar'],
    ['name: "\\u12"', 'line 1: did not find expected hexdecimal number while parsing a quoted scalar'],
    // readerc.go: control characters
    ['name: a\npathPattern: b\x7f', 'line 2: control characters are not allowed'],
    ['name: a\x00', 'line 1: control characters are not allowed'],
  ])('%j', (text, msg) => {
    expect(() => parsePolicyYaml(text)).toThrow(PolicyFileError);
    expect(() => parsePolicyYaml(text)).toThrow(msg);
  });

  // Syntax errors: the `yaml` package's message, with its line.
  it.each([
    ['name: "abc', 1],
    ['\tname: a', 1],
    ['name: a\nb\n', 2],
    ['name: a\npermissions: [read,\n', 3],
    ['name: a\n  pathPattern: b\n', 1],
    ['name: "a\n---\nb"', 1],
    ['name: a\n!e!x b: c\n', 2],
  ])('syntax error %j: line %d', (text, line) => {
    expect(() => parsePolicyYaml(text)).toThrow(new RegExp(`^line ${line}: \\S`));
  });

  it('invalid UTF-8 (readerc.go), with its line', () => {
    const bytes = Buffer.concat([Buffer.from('name: a\npathPattern: '), Buffer.from([0xc3, 0x28])]);
    expect(() => parsePolicyYaml(bytes)).toThrow('line 2: invalid UTF-8 byte sequence');
    expect(() => parsePolicyYaml(Buffer.from([0x6e, 0x3a, 0x20, 0xed, 0xa0, 0x80]))).toThrow('line 1: invalid UTF-8 byte sequence'); // a surrogate
    expect(() => parsePolicyYaml(Buffer.from([0xff, 0xfe, 0x00, 0xdc]))).toThrow('line 1: unexpected low surrogate area');
  });
});
