// Fuzz: the Pilot's recovery-shard parser (`spike:<id>:<64 hex>`,
// docs/design.md § Restore input). Any input either parses into a canonical shard or is refused
// with a one-line exit-2 CliError that never repeats the hex (secret) part.
// The generators mix in control, line-breaking and bidi characters and lone
// surrogates (dangerous.ts), as text and as bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../src/pilot/output/exit.js';
import { MAX_SHARD_INPUT_BYTES, formatShardFile, parseShard } from '../../../src/pilot/breakglass/shard.js';
import { sprinkled, sprinkledBytes } from './dangerous.js';
import { RUNS, expectRefusal } from './refusal.js';

const MAX = 1000;
const HEX = '0123456789abcdefABCDEF';

/** The text after the second colon, trimmed: the part that must never be echoed. */
function secretPart(input: Uint8Array): string {
  const s = Buffer.from(input).toString('latin1').trim();
  const c1 = s.indexOf(':');
  const c2 = c1 < 0 ? -1 : s.indexOf(':', c1 + 1);
  return c2 < 0 ? '' : s.slice(c2 + 1);
}

/** Every 6-character window of the secret part (a partial echo is an echo too). */
function windows(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= s.length; i += 3) out.push(s.slice(i, i + 6));
  return out;
}

function check(input: Uint8Array): void {
  const copy = Buffer.from(input);
  try {
    const s = parseShard(input, MAX);
    expect(Number.isInteger(s.id) && s.id >= 1 && s.id <= MAX).toBe(true);
    expect(s.value.length).toBe(32);
    expect(s.value.some((b) => b !== 0)).toBe(true);
    // Accepted input is exactly the canonical form, modulo surrounding whitespace and hex case.
    expect(formatShardFile(s.id, s.value).toString('latin1')).toBe(Buffer.from(input).toString('latin1').trim().toLowerCase());
    // The value is a copy: zeroing it leaves the input alone.
    s.value.fill(0);
  } catch (e) {
    expectRefusal(e, CliError, windows(secretPart(input)));
    expect((e as CliError).exitCode).toBe(ExitCode.usage);
  }
  expect(Buffer.from(input).equals(copy)).toBe(true); // never modifies its input
}

const hexChars = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: min, maxLength: max });

/** Near-valid shards: each part drawn from good and bad alternatives. */
const shardLike = fc
  .tuple(
    fc.oneof(fc.constant('spike'), fc.constantFrom('SPIKE', 'spik', 'spike ', ' spike', ''), sprinkled(fc.string({ maxLength: 6 }))),
    fc.oneof(
      fc.integer({ min: 1, max: MAX }).map(String),
      fc.constantFrom('0', '01', '-1', '+1', '1001', '4294967297', '99999999999', '1e3', '0x1', ' 1', '１'),
      sprinkled(fc.string({ maxLength: 12 })),
      sprinkled(fc.integer({ min: 1, max: MAX }).map(String)),
    ),
    fc.oneof(hexChars(64, 64), hexChars(0, 70), sprinkled(fc.string({ minLength: 60, maxLength: 68 })), sprinkled(hexChars(64, 64)), fc.constant('0'.repeat(64))),
    fc.constantFrom('', '\n', ' \t\r\n', '\0', ':', ':00'),
    fc.constantFrom('', ' ', '\n'),
  )
  .map(([p, id, hex, tail, head]) => Buffer.from(`${head}${p}:${id}:${hex}${tail}`, 'utf8'));

/** A valid shard with a few bytes overwritten, inserted or deleted. */
const mutated = fc
  .tuple(
    fc.integer({ min: 1, max: MAX }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 }),
  )
  .map(([id, value, edits]) => {
    const bytes = [...formatShardFile(id, value)];
    for (const [at, b, op] of edits) {
      const i = at % (bytes.length + 1);
      if (op === 'set' && i < bytes.length) bytes[i] = b;
      else if (op === 'insert') bytes.splice(i, 0, b);
      else if (op === 'delete') bytes.splice(i, 1);
    }
    return Uint8Array.from(bytes);
  });

describe('fuzz: parseShard', () => {
  it('arbitrary bytes: parse or a one-line exit-2 refusal', () => {
    fc.assert(fc.property(sprinkledBytes(fc.uint8Array({ maxLength: 160 })), check), { numRuns: RUNS });
  });

  it('arbitrary Unicode text', () => {
    fc.assert(
      fc.property(sprinkled(fc.string({ unit: 'binary', maxLength: 120 })), (s) => check(Buffer.from(s, 'utf8'))),
      { numRuns: RUNS },
    );
  });

  it('near-valid shards (each part good or bad)', () => {
    fc.assert(fc.property(shardLike, check), { numRuns: RUNS });
  });

  it('mutated valid shards', () => {
    fc.assert(fc.property(mutated, check), { numRuns: RUNS });
  });

  it('oversized input is refused before parsing, without echoing it', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_SHARD_INPUT_BYTES + 1, max: MAX_SHARD_INPUT_BYTES + 64 }), fc.integer({ min: 1, max: MAX }), (n, id) => {
        const valid = formatShardFile(id, Buffer.alloc(32, 7));
        const input = Buffer.concat([valid, Buffer.alloc(n - valid.length, 0x20)]);
        check(input);
        expect(() => parseShard(input, MAX)).toThrow(/too long/);
      }),
      { numRuns: 200 },
    );
  });
});
