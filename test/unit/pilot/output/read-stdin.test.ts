// readLimitedSync (src/pilot/output/io.ts): standard input read from the
// descriptor with read(2), the rest through the stream when a read would
// block (EAGAIN), the byte limit counted over both, errors as one line.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLimitedSync } from '../../../../src/pilot/output/io.js';

/** A read(2) stand-in that returns `parts` in turn (a string: its bytes; an errno: thrown), then EOF. */
function reads(...parts: (string | { errno: string })[]): (buf: Buffer) => number {
  return (buf) => {
    const p = parts.shift();
    if (p === undefined) return 0;
    if (typeof p !== 'string') throw Object.assign(new Error(p.errno), { code: p.errno });
    return Buffer.from(p).copy(buf);
  };
}
const stream = (...parts: string[]) => () => Readable.from(parts.map((p) => Buffer.from(p)));
const noStream = (): never => {
  throw new Error('the stream must not be used');
};

describe('readLimitedSync', () => {
  it('reads to EOF with read(2) alone', async () => {
    expect((await readLimitedSync(reads('ab', 'cd'), noStream, 10)).toString()).toBe('abcd');
    expect((await readLimitedSync(reads(), noStream, 10)).length).toBe(0);
  });

  it('goes on with the stream after EAGAIN, keeping what was read', async () => {
    expect((await readLimitedSync(reads('spike:', { errno: 'EAGAIN' }), stream('1:', 'ab'), 10)).toString()).toBe('spike:1:ab');
  });

  it('counts the limit over both: exactly the limit, and one byte more refused', async () => {
    expect((await readLimitedSync(reads('x'.repeat(6), { errno: 'EAGAIN' }), stream('y'.repeat(4)), 10)).length).toBe(10);
    await expect(readLimitedSync(reads('x'.repeat(6), { errno: 'EAGAIN' }), stream('y'.repeat(5)), 10)).rejects.toThrow('Input too long: more than 10 bytes.');
    await expect(readLimitedSync(reads('x'.repeat(6), 'y'.repeat(5)), noStream, 10)).rejects.toThrow('Input too long: more than 10 bytes.');
  });

  it('retries EINTR; any other error is one line', async () => {
    expect((await readLimitedSync(reads({ errno: 'EINTR' }, 'ok'), noStream, 10)).toString()).toBe('ok');
    await expect(readLimitedSync(reads('ab', { errno: 'EIO' }), noStream, 10)).rejects.toThrow('Failed to read standard input (EIO).');
  });
});
