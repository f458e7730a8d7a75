// Property: every single-line scalar the yaml.v3-style emitter writes reads
// back as the same string through the policy-file parser (which implements
// YAML's plain, single- and double-quoted scalars), and never breaks the line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicyYaml } from '../../../src/pilot/policyfile.js';
import { y, yamlMarshal } from '../../../src/pilot/yaml.js';

const tricky = fc.constantFrom('true', 'no', '0x1F', '1:20', '2024-01-15', '- a', 'a: b', 'a #b', "'", '"', '\\', '\t', '\r', '\u0085', '\ufeff', '😀', ' ', '#', '~', '');

describe('yaml scalar round trip', () => {
  it('emit → parse gives the string back (single-line styles)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), tricky), { maxLength: 4 }).map((p) => p.join('')), (s) => {
        fc.pre(!/[\n\u2028\u2029]/.test(s));
        const text = yamlMarshal(y.map([['name', y.str(s)]]));
        expect(text.endsWith('\n')).toBe(true);
        expect(text.slice(0, -1)).not.toMatch(/[\n]/);
        expect(parsePolicyYaml(text).name ?? '').toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
