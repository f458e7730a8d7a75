// goIndent against json.Indent (test/fixtures/gocompat.json); goMarshalIndent
// is goEncode followed by goIndent, as Go's MarshalIndent is Marshal + Indent.
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/gocompat/json/errors.js';
import { goIndent, goMarshalIndent } from '../../../src/gocompat/json/indent.js';
import { fixture, outcome } from './fixture.js';

describe('goIndent = json.Indent', () => {
  it.each(fixture.indent.map((c) => [JSON.stringify(c.src), JSON.stringify(c.prefix), JSON.stringify(c.indent), c] as const))(
    '%s prefix %s indent %s',
    (_src, _p, _i, c) => {
      expect(outcome(() => goIndent(c.src, c.prefix, c.indent))).toEqual(c.ok ? { value: c.out } : { thrown: DecodeError.name });
    },
  );
});

describe('goMarshalIndent', () => {
  it('indents what the writer marshals', () => {
    const text = goMarshalIndent((w) => w.object([['a', (x) => x.array(['x'], (y, v) => y.string(v))], ['b', (x) => x.array([], () => {})]]), '', '  ');
    expect(text).toBe('{\n  "a": [\n    "x"\n  ],\n  "b": []\n}');
  });
});
