import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../../src/pilot/output/exit.js';
import { readLimited } from '../../../../src/pilot/output/io.js';

const chunks = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p)));

describe('readLimited', () => {
  it('reads every chunk to EOF', async () => {
    expect((await readLimited(chunks('ab', 'cd', ''), 10)).toString()).toBe('abcd');
    expect((await readLimited(chunks(), 10)).length).toBe(0);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    expect((await readLimited(chunks('x'.repeat(6), 'y'.repeat(4)), 10)).length).toBe(10);
    const p = readLimited(chunks('x'.repeat(6), 'y'.repeat(5)), 10);
    await expect(p).rejects.toThrow('Input too long: more than 10 bytes.');
    await expect(p).rejects.toSatisfy((e: unknown) => e instanceof CliError && e.exitCode === ExitCode.usage);
  });

  it('turns a stream error into a one-line exit-2 error', async () => {
    const s = new Readable({
      read() {
        this.destroy(Object.assign(new Error('boom'), { code: 'EIO' }));
      },
    });
    await expect(readLimited(s, 10)).rejects.toThrow('Failed to read standard input (EIO).');
  });
});
