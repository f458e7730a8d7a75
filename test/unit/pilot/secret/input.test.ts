// Local checks of `spike secret` input. Expected values: upstream's
// validPath (app/spike/internal/cmd/secret: `^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$`,
// message `Invalid secret path: <path>`) and strconv.Atoi's syntax for versions.
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { checkSecretPath, parseSingleVersion, parseVersionList } from '../../../../src/pilot/secret/input.js';

describe('checkSecretPath (upstream validPath)', () => {
  it('accepts every character of the class', () => {
    for (const p of ['secrets/db/creds', 'a.b_c-d', '(x)?+*|', '[y]{z}', 'back\\slash', '/leading', 'A9']) expect(() => checkSecretPath(p)).not.toThrow();
  });

  it('refuses anything else with exit 2, unprintable characters shown as ?', () => {
    for (const [p, shown] of [
      ['', ''],
      ['a b', 'a b'],
      ['a:b', 'a:b'],
      ['a@b', 'a@b'],
      ['a^b$', 'a^b$'],
      ['caf\u00e9', 'caf?'],
      ['a\nb', 'a?b'],
    ] as const) {
      let e: unknown;
      try {
        checkSecretPath(p);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(CliError);
      expect([(e as CliError).exitCode, (e as CliError).message]).toEqual([ExitCode.usage, `Invalid secret path: ${shown}`]);
    }
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
