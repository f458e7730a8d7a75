// The policy-file subset parser: what upstream's documented files use, and a
// clear refusal (with the line) for everything else.
import { describe, expect, it } from 'vitest';
import { parsePolicyYaml, PolicyFileError } from '../../../src/pilot/policyfile.js';
import { formatHumanTime, formatRfc3339, formatRfc3339Nano, isZeroTime } from '../../../src/pilot/gotime.js';
import { parseSingleVersion, parseVersionList } from '../../../src/pilot/versions.js';

describe('parsePolicyYaml', () => {
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

  it('plain, single-quoted, flow lists, comments, CRLF', () => {
    expect(parsePolicyYaml("name: a b # c\r\nspiffeidPattern: '^spiffe://x/it''s$'\r\npathPattern: a#b\r\npermissions: [read, 'list']\r\n")).toEqual({
      name: 'a b',
      spiffeidPattern: "^spiffe://x/it's$",
      pathPattern: 'a#b',
      permissions: ['read', 'list'],
    });
    expect(parsePolicyYaml('permissions:\n- super\n')).toEqual({ permissions: ['super'] });
    expect(parsePolicyYaml('name:\n')).toEqual({});
    expect(parsePolicyYaml('name: "\\u00e9\\x41"')).toEqual({ name: 'éA' });
  });

  it.each([
    ['name: a\nname: b', 'line 2: mapping key "name" already defined'],
    ['nmae: a', 'line 1: unknown key "nmae" (expected name, spiffeidPattern, pathPattern, permissions)'],
    ['- read', 'line 1: a list item must belong to `permissions:`'],
    ['name: |\n  x', 'line 1: block scalars (| and >) are not supported'],
    ['name: "abc', 'line 1: unterminated quoted string'],
    ['name: a: b', 'line 1: nested mappings are not supported'],
    ['  name: a', 'line 1: unexpected indentation (nested mappings are not supported)'],
    ['permissions: read', 'line 1: permissions must be a list'],
    ['permissions:\n  - read\n    - write', 'line 3: list items must be indented alike'],
    ['name: &x a', 'line 1: unsupported YAML construct: &x a'],
    ['name: "a\\q"', 'line 1: invalid escape \\q'],
    ['\tname: a', 'line 1: tabs are not allowed for indentation'],
    ['name: a\n---\nname: b', 'line 2: only one YAML document is supported'],
    ['just text', 'line 1: expected `key: value`'],
  ])('%j is refused', (text, msg) => {
    expect(() => parsePolicyYaml(text)).toThrow(PolicyFileError);
    expect(() => parsePolicyYaml(text)).toThrow(msg);
  });
});

describe('versions', () => {
  it('lists', () => {
    expect(parseVersionList('')).toEqual([0]);
    expect(parseVersionList('1, 2 ,3')).toEqual([1, 2, 3]);
    expect(() => parseVersionList('1,a')).toThrow('Invalid version number: a');
    expect(() => parseVersionList('-3')).toThrow('Negative version number: -3');
  });
  it('single', () => {
    expect(parseSingleVersion('7')).toBe(7);
    expect(() => parseSingleVersion('-1')).toThrow(/Invalid version number: -1/);
  });
});

describe('Go time formats', () => {
  it('RFC 3339 (nano), human MST form, zero', () => {
    expect(formatRfc3339Nano('2025-01-15T14:30:45.120000000Z')).toBe('2025-01-15T14:30:45.12Z');
    expect(formatRfc3339Nano('2025-01-15T14:30:45.000Z')).toBe('2025-01-15T14:30:45Z');
    expect(formatRfc3339Nano('2025-01-15T14:30:45+00:00')).toBe('2025-01-15T14:30:45Z');
    expect(formatRfc3339('2025-01-15T14:30:45.9-07:00')).toBe('2025-01-15T14:30:45-07:00');
    expect(formatHumanTime('2025-01-15T14:30:45.9Z')).toBe('2025-01-15 14:30:45 UTC');
    expect(formatHumanTime('2025-01-15T14:30:45-07:30')).toBe('2025-01-15 14:30:45 -0730');
    expect(isZeroTime('0001-01-01T00:00:00Z')).toBe(true);
    expect(isZeroTime('0001-01-01T00:00:01Z')).toBe(false);
  });
});
