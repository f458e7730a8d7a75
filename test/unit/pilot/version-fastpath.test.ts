// main.ts answers a lone `--version` / `-V` itself (before commander loads)
// with `${pkg.version}\n`: that must be exactly what commander prints.
import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };
import { buildProgram } from '../../../src/pilot/program.js';

describe('spike --version fast path (main.ts)', () => {
  it.each(['--version', '-V'])('%s: commander prints the same text', async (flag) => {
    let out = '';
    const program = await buildProgram(
      () => {
        throw new Error('--version must not need dependencies');
      },
      { out: (s) => (out += s), err: () => undefined },
    );
    await expect(program.parseAsync(['node', 'spike', flag])).rejects.toMatchObject({ code: 'commander.version' });
    expect(out).toBe(`${pkg.version}\n`);
  });
});
