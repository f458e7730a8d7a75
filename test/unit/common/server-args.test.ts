import { describe, expect, it } from 'vitest';
import { KEEPER_USAGE, NEXUS_USAGE, parseServerArgs } from '../../../src/common/server-args.js';

describe('parseServerArgs (spike-nexus serving, spike-keeper)', () => {
  it('no argument: serve', () => {
    expect(parseServerArgs([], NEXUS_USAGE)).toEqual({ kind: 'serve' });
  });

  it.each([['-h'], ['-help'], ['--help']])('%s alone: help', (flag) => {
    expect(parseServerArgs([flag], KEEPER_USAGE)).toEqual({ kind: 'help' });
  });

  it.each([
    [['--version'], 'unexpected argument "--version": usage: spike-keeper (serves; configured by environment variables)'],
    [['--help', 'x'], 'unexpected argument "--help": usage: spike-keeper (serves; configured by environment variables)'],
    [['stor'], 'unexpected argument "stor": usage: spike-keeper (serves; configured by environment variables)'],
    [['run'], 'unexpected argument "run": usage: spike-keeper (serves; configured by environment variables)'],
    [[''], 'unexpected argument "": usage: spike-keeper (serves; configured by environment variables)'],
    [['a\u202eb\nc'], 'unexpected argument "a\\u202eb\\nc": usage: spike-keeper (serves; configured by environment variables)'],
  ])('%j: a usage error naming the first argument, quoted', (argv, message) => {
    expect(parseServerArgs(argv, KEEPER_USAGE)).toEqual({ kind: 'error', message });
  });
});
