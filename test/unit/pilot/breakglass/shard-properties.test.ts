// Property tests: the shard format round-trips and no input crashes the parser.
// (The JSON parser's properties are in test/unit/gocompat/parse.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { formatShardFile, parseShard } from '../../../../src/pilot/breakglass/shard.js';
import { ONE_LINE, attempt, otherThan } from '../../../helpers/expect.js';

const nonZero32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((v) => v.some((b) => b !== 0));

describe('shard format', () => {
  it('formatShardFile → parseShard is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), nonZero32, (id, value) => {
        const s = parseShard(formatShardFile(id, value), 1000);
        expect(s.id).toBe(id);
        expect([...s.value]).toEqual([...value]);
      }),
    );
  });

  it('any input either parses or is a one-line exit-2 refusal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const parse = () => parseShard(input, 1000);
        expect(parse).not.toThrow(otherThan(CliError, { exitCode: ExitCode.usage, message: ONE_LINE }));
        expect([undefined, 32]).toContain(attempt(parse)?.value.length);
      }),
    );
  });
});
