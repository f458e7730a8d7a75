// `spike cipher encrypt` (upstream cmd/cipher encrypt.go): stream mode sends
// the input (-f or stdin) as application/octet-stream and writes the cipher
// stream; JSON mode (--plaintext <base64>) prints Nexus's JSON answer, so
// that `spike cipher decrypt --version --nonce --ciphertext` can take it
// (upstream writes only the raw ciphertext there, losing the nonce:
// docs/design.md § Cipher). Superuser only; input capped before anything is
// sent; output written only after a full answer (pilot/cipher/output.ts).
import type { Command } from 'commander';
import { cipherEncrypt, cipherEncryptStream } from '../../client/cipher.js';
import { cipherEncryptResponse } from '../../protocol/messages.js';
import { decodeStdBase64 } from '../../gocompat/base64.js';
import { cipherCallFailure } from '../cipher/failures.js';
import { ENCRYPT_AFTER, ENCRYPT_DESCRIPTION, ENCRYPT_SUMMARY } from '../cipher/help.js';
import { readCipherInput, tooLong } from '../cipher/input.js';
import { cipherLimits } from '../cipher/limits.js';
import { writeCipherOutput } from '../cipher/output.js';
import { asSuperuser } from '../nexus/calls.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps } from '../runtime.js';

export interface CipherEncryptOptions {
  file?: string;
  out?: string;
  plaintext?: string;
  algorithm?: string;
}

export async function runCipherEncrypt(deps: PilotDeps, o: CipherEncryptOptions): Promise<void> {
  const limits = cipherLimits(deps.env);
  const json = o.plaintext !== undefined && o.plaintext !== '';
  if (json && o.file !== undefined && o.file !== '') throw new CliError(ExitCode.usage, '--plaintext and --file cannot be used together (JSON mode takes the plaintext from --plaintext).');
  let input: Buffer | undefined;
  if (json) {
    input = decodeStdBase64(o.plaintext as string);
    if (input === undefined) throw new CliError(ExitCode.usage, 'Invalid --plaintext base64.');
    if (input.length > limits.plaintext) {
      input.fill(0);
      throw tooLong(limits.plaintext, 'encrypts');
    }
  } else {
    input = await readCipherInput(deps, o.file, limits.plaintext, 'encrypts');
  }
  const plaintext = input;
  try {
    const output = await asSuperuser(deps, async (client, nexus) => {
      try {
        if (!json) return await cipherEncryptStream(client, nexus, plaintext);
        const sealed = await cipherEncrypt(client, nexus, { plaintext, algorithm: o.algorithm ?? '' });
        const doc = cipherEncryptResponse.encode({ version: sealed.version, nonce: sealed.nonce, ciphertext: sealed.ciphertext, err: '' });
        return Buffer.concat([doc, Buffer.from('\n')]);
      } catch (e) {
        throw cipherCallFailure(e, 'encrypt', limits.plaintext);
      }
    });
    writeCipherOutput(deps, o.out, output);
  } finally {
    plaintext.fill(0);
  }
}

export function defineCipherEncrypt(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .summary(ENCRYPT_SUMMARY)
    .description(ENCRYPT_DESCRIPTION)
    .option('-f, --file <path>', 'Input file (default: standard input)')
    .option('-o, --out <path>', 'Output file (default: standard output); replaced atomically, mode 0600')
    .option('--plaintext <base64>', 'Base64 plaintext for JSON mode; if set, uses the JSON API and prints its JSON answer. Warning: other local users can read it in the process list (ps); prefer -f or standard input')
    .option('--algorithm <name>', 'Algorithm hint for JSON mode (sent as is; SPIKE Nexus ignores it)')
    .addHelpText('after', ENCRYPT_AFTER)
    .action(async (o: CipherEncryptOptions) => runCipherEncrypt(deps(), o));
}
