// `spike cipher decrypt` (upstream cmd/cipher decrypt.go): stream mode sends
// the cipher stream (-f or stdin) as application/octet-stream; JSON mode
// (any of --version, --nonce, --ciphertext) sends those fields. Either way
// the plaintext goes to -o or stdout, only after a full answer, and is
// zeroed afterwards where it is ours to zero. Superuser only; input capped
// before anything is sent. `--version` here is the cipher format version
// (a byte; SPIKE Nexus takes 1), not `spike --version`.
import type { Command } from 'commander';
import { cipherDecrypt, cipherDecryptStream } from '../../client/cipher.js';
import { decodeStdBase64 } from '../../gocompat/base64.js';
import { cipherCallFailure } from '../cipher/failures.js';
import { DECRYPT_AFTER, DECRYPT_DESCRIPTION, DECRYPT_SUMMARY } from '../cipher/help.js';
import { readCipherInput, tooLong } from '../cipher/input.js';
import { cipherLimits } from '../cipher/limits.js';
import { writeCipherOutput } from '../cipher/output.js';
import { asSuperuser } from '../nexus/calls.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps } from '../runtime.js';

export interface CipherDecryptOptions {
  file?: string;
  out?: string;
  version?: string;
  nonce?: string;
  ciphertext?: string;
  algorithm?: string;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

/** Upstream: strconv.Atoi, then 0..255. */
function parseVersionByte(v: string | undefined): number {
  const t = v ?? '';
  if (!/^[+-]?[0-9]{1,18}$/.test(t)) throw new CliError(ExitCode.usage, 'Invalid --version, must be 0-255.');
  const n = Number(t);
  if (n < 0 || n > 255) throw new CliError(ExitCode.usage, 'Invalid --version, must be 0-255.');
  return n;
}

export async function runCipherDecrypt(deps: PilotDeps, o: CipherDecryptOptions): Promise<void> {
  const limits = cipherLimits(deps.env);
  const json = given(o.version) || given(o.nonce) || given(o.ciphertext);
  let request: { version: number; nonce: Buffer; ciphertext: Buffer } | undefined;
  let stream: Buffer | undefined;
  if (json) {
    if (given(o.file)) throw new CliError(ExitCode.usage, '--file cannot be used with --version, --nonce or --ciphertext (JSON mode takes its input from those flags).');
    const version = parseVersionByte(o.version);
    const nonce = decodeStdBase64(o.nonce ?? '');
    if (nonce === undefined) throw new CliError(ExitCode.usage, 'Invalid --nonce base64.');
    const ciphertext = decodeStdBase64(o.ciphertext ?? '');
    if (ciphertext === undefined) throw new CliError(ExitCode.usage, 'Invalid --ciphertext base64.');
    if (ciphertext.length > limits.ciphertext) throw tooLong(limits.ciphertext, 'decrypts');
    request = { version, nonce, ciphertext };
  } else {
    stream = await readCipherInput(deps, o.file, limits.stream, 'decrypts');
  }
  const plaintext = await asSuperuser(deps, async (client, nexus) => {
    try {
      if (request !== undefined) return await cipherDecrypt(client, nexus, { ...request, algorithm: o.algorithm ?? '' });
      return await cipherDecryptStream(client, nexus, stream ?? Buffer.alloc(0));
    } catch (e) {
      throw cipherCallFailure(e, 'decrypt', limits.ciphertext);
    }
  });
  try {
    writeCipherOutput(deps, o.out, plaintext);
  } catch (e) {
    plaintext.fill(0); // the write failed: the plaintext goes nowhere, so nothing keeps it
    throw e;
  }
  // Standard output may still hold the buffer (a full pipe): only a file's copy is zeroed here.
  if (given(o.out)) plaintext.fill(0);
}

export function defineCipherDecrypt(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .summary(DECRYPT_SUMMARY)
    .description(DECRYPT_DESCRIPTION)
    .option('-f, --file <path>', 'Input file with the cipher stream (default: standard input)')
    .option('-o, --out <path>', 'Output file for the plaintext (default: standard output); replaced atomically, mode 0600')
    .option('--version <byte>', 'Cipher format version byte (0-255) for JSON mode; SPIKE Nexus takes 1 (not the program version)')
    .option('--nonce <base64>', 'Nonce (base64, 12 bytes) for JSON mode')
    .option('--ciphertext <base64>', 'Ciphertext (base64, tag included) for JSON mode')
    .option('--algorithm <name>', 'Algorithm hint for JSON mode (sent as is; SPIKE Nexus ignores it)')
    .addHelpText('after', DECRYPT_AFTER)
    .action(async (o: CipherDecryptOptions) => runCipherDecrypt(deps(), o));
}
