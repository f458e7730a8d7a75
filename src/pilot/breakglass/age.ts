// age encryption of recovery shards (the `age-encryption` package, X25519 and
// post-quantum hybrid recipients): one armored file per shard, decrypted in
// memory for restore and verify. Loaded with `await import()` only by the
// commands that need it. The age API takes identities as JS strings; we keep
// them only as long as the Decrypter lives and never print them.
import { CliError, ExitCode } from '../output/exit.js';

/** Encrypted shard files are ASCII-armored age files (printable, `age -d` reads them too). */
export const AGE_SUFFIX = '.age';
export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const BINARY_MAGIC = 'age-encryption.org/v1';
/** An encrypted shard file is small; anything larger is not one of ours. */
export const MAX_AGE_FILE_BYTES = 64 * 1024;

type AgeModule = typeof import('age-encryption');
let ageModule: Promise<AgeModule> | undefined;
const loadAge = (): Promise<AgeModule> => (ageModule ??= import('age-encryption'));

/** Whether `data` is an age file (armored or binary). */
export function isAgeData(data: Uint8Array): boolean {
  const head = Buffer.from(data.subarray(0, 64)).toString('latin1').trimStart();
  return head.startsWith(ARMOR_BEGIN) || head.startsWith(BINARY_MAGIC);
}

const RECIPIENT = /^age1[0-9a-z]{20,2000}$/;

/**
 * Recipients from `--recipient` values and a `--recipients-file` text (age's
 * format: one per line, `#` comments and blank lines ignored), in order.
 * Each must be an age recipient the package accepts. Exit 2 otherwise.
 */
export async function parseRecipients(flags: readonly string[], fileText?: string, fileName = 'recipients file'): Promise<string[]> {
  const out: string[] = [];
  const push = (r: string, where: string): void => {
    if (!RECIPIENT.test(r)) throw new CliError(ExitCode.usage, `Invalid age recipient ${where}: expected age1…`);
    out.push(r);
  };
  flags.forEach((r, i) => push(r.trim(), `in --recipient #${i + 1}`));
  if (fileText !== undefined) {
    fileText.split(/\r?\n/).forEach((line, i) => {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) return;
      push(t, `on line ${i + 1} of the ${fileName}`);
    });
  }
  if (out.length === 0 && fileText !== undefined) throw new CliError(ExitCode.usage, `The ${fileName} lists no recipient.`);
  const age = await loadAge();
  for (const [i, r] of out.entries()) {
    try {
      new age.Encrypter().addRecipient(r);
    } catch {
      throw new CliError(ExitCode.usage, `Invalid age recipient #${i + 1} (${r.slice(0, 12)}…): not a valid age recipient.`);
    }
  }
  return out;
}

/** Encrypts `plaintext` to `recipient`; returns the armored file as bytes. Does not zero `plaintext`. */
export async function encryptToRecipient(plaintext: Uint8Array, recipient: string): Promise<Buffer> {
  const age = await loadAge();
  const e = new age.Encrypter();
  e.addRecipient(recipient);
  const ct = await e.encrypt(plaintext);
  return Buffer.from(age.armor.encode(ct), 'ascii');
}

/**
 * The identities of an age identity file (`AGE-SECRET-KEY-1…` /
 * `AGE-SECRET-KEY-PQ-1…` lines; `#` comments and blank lines ignored).
 * Exit 2 on anything else; the key text never appears in an error.
 */
export function parseIdentityFile(text: string, fileName: string): string[] {
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(t)) {
      throw new CliError(ExitCode.usage, `Invalid age identity file ${fileName}: line ${i + 1} is not an AGE-SECRET-KEY-1… line.`);
    }
    ids.push(t);
  });
  if (ids.length === 0) throw new CliError(ExitCode.usage, `Invalid age identity file ${fileName}: no identity in it.`);
  return ids;
}

export interface ShardDecrypter {
  /** Decrypts an age file (armored or binary) into a Buffer the caller zeroes. */
  decrypt(data: Uint8Array, fileName: string): Promise<Buffer>;
}

/** A decrypter for `identities` (validated by the age package: exit 2 if one is not a key). */
export async function shardDecrypter(identities: readonly string[], identityFile: string): Promise<ShardDecrypter> {
  const age = await loadAge();
  const d = new age.Decrypter();
  for (const id of identities) {
    try {
      d.addIdentity(id);
    } catch {
      throw new CliError(ExitCode.usage, `Invalid age identity file ${identityFile}: it holds a key that is not a valid age identity.`);
    }
  }
  return {
    async decrypt(data, fileName) {
      let ct: Uint8Array;
      const text = Buffer.from(data.subarray(0, 64)).toString('latin1').trimStart();
      try {
        ct = text.startsWith(ARMOR_BEGIN) ? age.armor.decode(Buffer.from(data).toString('latin1')) : data;
      } catch {
        throw new CliError(ExitCode.usage, `Cannot decrypt ${fileName}: not a valid age file.`);
      }
      try {
        const out = await d.decrypt(ct);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      } catch (e) {
        const msg = e instanceof Error ? e.message : '';
        if (/no identity matched/i.test(msg)) {
          throw new CliError(ExitCode.usage, `Cannot decrypt ${fileName}: it is not encrypted to the identity in ${identityFile}.`);
        }
        throw new CliError(ExitCode.usage, `Cannot decrypt ${fileName}: not a valid age file or it was modified.`);
      }
    },
  };
}
