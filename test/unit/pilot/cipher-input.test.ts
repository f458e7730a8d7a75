// The input of `spike cipher` (src/pilot/cipher/input.ts): a file read with
// the Pilot's bounded read loop (output/io.ts readToLimit) or standard input;
// over the limit is recognised by its type (InputTooLongError), not by its
// text, and reported with the cipher limit's own text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCipherInput, readFileLimited } from '../../../src/pilot/cipher/input.js';
import { CliError, ExitCode } from '../../../src/pilot/output/exit.js';
import { InputTooLongError } from '../../../src/pilot/output/io.js';
import type { PilotDeps } from '../../../src/pilot/runtime.js';

const tmp = mkdtempSync('/tmp/cipher-input-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOO_LONG_5 = 'Input too long: more than 5 bytes (SPIKE Nexus encrypts at most 5 bytes; SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE).';

function stdinFails(e: Error): PilotDeps {
  return { env: {}, io: { readStdin: () => Promise.reject(e) } } as unknown as PilotDeps;
}

async function failure(p: Promise<unknown>): Promise<CliError> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

describe('cipher input', () => {
  it('a file: read whole across several reads, at most the limit', async () => {
    const big = Buffer.alloc(150_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const path = join(tmp, 'big');
    writeFileSync(path, big);
    expect(readFileLimited(path, 150_000).equals(big)).toBe(true);
    const e = await failure(readCipherInput(stdinFails(new Error('unused')), path, 149_999, 'encrypts'));
    expect([e.exitCode, e.message]).toEqual([ExitCode.usage, TOO_LONG_5.replaceAll('5 bytes', '149999 bytes')]);
    expect(e).toBeInstanceOf(InputTooLongError);
  });

  it('standard input over the limit is known by its type, whatever its text', async () => {
    const e = await failure(readCipherInput(stdinFails(new InputTooLongError(5, 'stdin: more than 5 bytes')), undefined, 5, 'encrypts'));
    expect([e.exitCode, e.message]).toEqual([ExitCode.usage, TOO_LONG_5]);
  });

  it('another error passes unchanged, even one whose text starts the same way', async () => {
    const other = new CliError(ExitCode.usage, 'Input too long ago: the terminal went away.');
    expect(await failure(readCipherInput(stdinFails(other), undefined, 5, 'encrypts'))).toBe(other);
  });
});
