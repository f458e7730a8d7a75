// age export of shards: round trip, the wrong identity, malformed recipients
// and identity files, tampered files.
import { describe, expect, it } from 'vitest';
import * as age from 'age-encryption';
import {
  encryptToRecipient,
  isAgeData,
  parseIdentityFile,
  parseRecipients,
  shardDecrypter,
} from '../../../../src/pilot/breakglass/age.js';
import { CliError } from '../../../../src/pilot/output/exit.js';

const SHARD = Buffer.from(`spike:1:${'ab'.repeat(32)}`);

async function keypair(): Promise<{ identity: string; recipient: string }> {
  const identity = await age.generateIdentity();
  return { identity, recipient: await age.identityToRecipient(identity) };
}

async function expectCliError(p: Promise<unknown> | (() => unknown), code: number, re: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(code);
    expect((e as CliError).message).toMatch(re);
    expect((e as CliError).message).not.toMatch(/\n|AGE-SECRET-KEY-1[0-9A-Z]{4}/);
    return;
  }
  throw new Error('expected a CliError');
}

describe('age shard files', () => {
  it('round-trips a shard, armored, with no plaintext in the file', async () => {
    const k = await keypair();
    const file = await encryptToRecipient(SHARD, k.recipient);
    expect(file.toString('ascii')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(file.toString('latin1')).not.toContain('abab');
    expect(isAgeData(file)).toBe(true);
    expect(isAgeData(SHARD)).toBe(false);
    const d = await shardDecrypter(parseIdentityFile(`# created: now\n# public key: ${k.recipient}\n${k.identity}\n`, 'key.txt'), 'key.txt');
    expect((await d.decrypt(file, 'f.age')).equals(SHARD)).toBe(true);
  });

  it('refuses the wrong identity with one line naming the file (exit 2)', async () => {
    const [a, b] = [await keypair(), await keypair()];
    const file = await encryptToRecipient(SHARD, a.recipient);
    const d = await shardDecrypter([b.identity], 'bob.key');
    await expectCliError(d.decrypt(file, 'spike.recovery.1.txt.age'), 2, /^Cannot decrypt spike\.recovery\.1\.txt\.age: it is not encrypted to the identity in bob\.key\.$/);
  });

  it('refuses a modified or truncated file', async () => {
    const k = await keypair();
    const file = await encryptToRecipient(SHARD, k.recipient);
    const d = await shardDecrypter([k.identity], 'k');
    const raw = age.armor.decode(file.toString('ascii'));
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    await expectCliError(d.decrypt(raw, 'x.age'), 2, /not a valid age file or it was modified/);
    await expectCliError(d.decrypt(file.subarray(0, 60), 'y.age'), 2, /Cannot decrypt y\.age/);
  });

  it('parses recipients from flags and a recipients file, in order', async () => {
    const [a, b, c] = [await keypair(), await keypair(), await keypair()];
    expect(await parseRecipients([a.recipient], `# team\n\n${b.recipient}\n  ${c.recipient}  \n`)).toEqual([a.recipient, b.recipient, c.recipient]);
    await expectCliError(parseRecipients(['age1nope']), 2, /Invalid age recipient/);
    await expectCliError(parseRecipients([], 'ssh-ed25519 AAAA\n', 'r.txt'), 2, /line 1 of the r\.txt/);
    await expectCliError(parseRecipients([], '# nobody\n', 'r.txt'), 2, /lists no recipient/);
    const broken = a.recipient.slice(0, -1) + (a.recipient.endsWith('q') ? 'p' : 'q');
    await expectCliError(parseRecipients([broken]), 2, /not a valid age recipient/);
  });

  it('refuses identity files that hold no key, and never echoes key text', async () => {
    await expectCliError(() => parseIdentityFile('# only comments\n', 'k'), 2, /no identity/);
    await expectCliError(() => parseIdentityFile('AGE-SECRET-KEY-1abc lower\n', 'k'), 2, /line 1/);
    await expectCliError(shardDecrypter(['AGE-SECRET-KEY-1QQQQ'], 'k'), 2, /not a valid age identity/);
  });
});
