import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { formatShardFile, MAX_SHARD_INPUT_BYTES, parseShard, trimAsciiSpace } from '../../../../src/pilot/breakglass/shard.js';

const HEX = '0123456789abcdef'.repeat(4);
const VALUE = Buffer.from(HEX, 'hex');

function refusal(input: string | Buffer): CliError {
  try {
    parseShard(typeof input === 'string' ? Buffer.from(input, 'latin1') : input, 1000);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error('accepted');
}

describe('parseShard', () => {
  it('accepts a canonical shard', () => {
    const s = parseShard(Buffer.from(`spike:1:${HEX}`), 1000);
    expect(s.id).toBe(1);
    expect(s.value.equals(VALUE)).toBe(true);
  });

  it('accepts upper-case hex, surrounding whitespace and the largest id', () => {
    expect(parseShard(Buffer.from(`spike:2:${HEX.toUpperCase()}`), 1000).value.equals(VALUE)).toBe(true);
    expect(parseShard(Buffer.from(` \t\r\nspike:3:${HEX}\r\n \n`), 1000).id).toBe(3);
    expect(parseShard(Buffer.from(`spike:1000:${HEX}`), 1000).id).toBe(1000);
  });

  const table: [string, string, string][] = [
    ['empty', '', 'No recovery shard provided.'],
    ['only whitespace', ' \n\t ', 'No recovery shard provided.'],
    ['no prefix', `1:${HEX}`, 'Invalid shard format.'],
    ['no colons', HEX, 'Invalid shard format.'],
    ['wrong prefix', `spoke:1:${HEX}`, 'Invalid shard format.'],
    ['upper-case prefix', `SPIKE:1:${HEX}`, 'Invalid shard format.'],
    ['63 hex chars', `spike:1:${HEX.slice(1)}`, 'Invalid hex shard length: 63 (expected 64).'],
    ['65 hex chars', `spike:1:${HEX}0`, 'Invalid hex shard length: 65 (expected 64).'],
    ['space inside', `spike:1: ${HEX.slice(1)}`, 'Failed to decode recovery shard.'],
    ['non-hex', `spike:1:${HEX.slice(0, 63)}g`, 'Failed to decode recovery shard.'],
    ['extra colon', `spike:1:2:${HEX.slice(2)}`, 'Failed to decode recovery shard.'],
    ['id 0', `spike:0:${HEX}`, 'Invalid shard index: 0'],
    ['id -1', `spike:-1:${HEX}`, 'Invalid shard index: -1'],
    ['id 1001', `spike:1001:${HEX}`, 'Invalid shard index: 1001'],
    ['id with leading space', `spike: 1:${HEX}`, 'Invalid shard index:  1'],
    ['id 0x1', `spike:0x1:${HEX}`, 'Invalid shard index: 0x1'],
    ['id +1', `spike:+1:${HEX}`, 'Invalid shard index: +1'],
    ['id 01', `spike:01:${HEX}`, 'Invalid shard index: 01'],
    ['empty id', `spike::${HEX}`, 'Invalid shard index: '],
    ['huge id', `spike:99999999999999999999:${HEX}`, 'Invalid shard index: 99999999999999999999'],
    ['all-zero value', `spike:1:${'0'.repeat(64)}`, 'Invalid shard: the value is all zeros.'],
  ];
  for (const [name, input, message] of table) {
    it(`refuses ${name} with exit 2`, () => {
      const e = refusal(input);
      expect(e.exitCode).toBe(ExitCode.usage);
      expect(e.message).toBe(message);
    });
  }

  it('never echoes the hex part in an error', () => {
    for (const input of [`spike:x:${HEX}`, `spike:1:${HEX}zz`, `spike:1:${HEX.slice(0, 63)}g`, `spike:0:${HEX}`]) {
      expect(refusal(input).message).not.toContain(HEX.slice(0, 16));
    }
  });

  it('refuses input over 4096 bytes', () => {
    const big = Buffer.alloc(MAX_SHARD_INPUT_BYTES + 1, 0x20);
    Buffer.from(`spike:1:${HEX}`).copy(big, 0);
    expect(refusal(big).message).toBe('Input too long: more than 4096 bytes.');
    // exactly 4096 bytes (padded with whitespace) is fine
    expect(parseShard(big.subarray(0, MAX_SHARD_INPUT_BYTES), 1000).id).toBe(1);
  });

  it('honours a smaller max share count', () => {
    expect(() => parseShard(Buffer.from(`spike:4:${HEX}`), 3)).toThrow('Invalid shard index: 4');
  });

  it('does not modify its input', () => {
    const input = Buffer.from(` spike:1:${HEX} `);
    const copy = Buffer.from(input);
    parseShard(input, 1000);
    expect(input.equals(copy)).toBe(true);
  });
});

describe('trimAsciiSpace', () => {
  it('trims both ends without copying', () => {
    const b = Buffer.from('\r\n a b \t');
    expect(Buffer.from(trimAsciiSpace(b)).toString()).toBe('a b');
    expect(trimAsciiSpace(Buffer.from('   ')).length).toBe(0);
  });
});

describe('formatShardFile', () => {
  it('is byte-exact: spike:<id>:<64 lowercase hex>, no newline', () => {
    const value = Buffer.from(HEX.toUpperCase(), 'hex');
    expect(formatShardFile(7, value).toString('latin1')).toBe(`spike:7:${HEX}`);
    expect(formatShardFile(1, Buffer.alloc(32, 0xff)).toString()).toBe(`spike:1:${'f'.repeat(64)}`);
  });

  it('round-trips through parseShard', () => {
    const s = parseShard(formatShardFile(12, VALUE), 1000);
    expect(s.id).toBe(12);
    expect(s.value.equals(VALUE)).toBe(true);
  });

  it('refuses a value that is not 32 bytes', () => {
    expect(() => formatShardFile(1, Buffer.alloc(31))).toThrow(RangeError);
  });
});
