// `spike cipher encrypt|decrypt` through the commander program (as main.ts
// parses a command line) against a scripted Nexus: upstream's request shapes
// (reqres/cipher.go as Go marshals it; application/octet-stream in stream
// mode), upstream's flag texts, the exit codes of docs/design.md § Exit
// codes, and output that is all or nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallOptions } from '../../../src/client/transport.js';
import { readLimited } from '../../../src/pilot/output/io.js';
import type { NexusAnswer, PilotDeps } from '../../../src/pilot/runtime.js';
import { ID, runProgram, type Fake } from './fakes.js';

interface Call {
  path: string;
  body: Buffer;
  contentType: string | undefined;
}

interface CipherFake extends Fake {
  bytes: Buffer[];
  sent: Call[];
}

function cipherFake(answer: (c: Call) => NexusAnswer, o: { stdin?: Buffer; env?: Record<string, string>; spiffeId?: string } = {}): CipherFake {
  const f: CipherFake = { out: [], err: [], calls: [], closed: 0, prompts: [], bytes: [], sent: [], deps: undefined as unknown as PilotDeps };
  f.deps = {
    env: o.env ?? { HOME: '/nonexistent-home' },
    io: {
      out: (t) => void f.out.push(t),
      outBytes: (b) => void f.bytes.push(Buffer.from(b)),
      err: (t) => void f.err.push(t),
      stdoutIsTty: () => false,
      stdinIsTty: () => false,
      stderrIsTty: () => false,
      readStdin: (limit) => readLimited(Readable.from([o.stdin ?? Buffer.alloc(0)]), limit),
      readLine: async () => '',
      readHidden: async () => '',
      readAnswer: async () => '',
    },
    openIdentity: async () => ({
      spiffeId: o.spiffeId ?? ID.superuser,
      connectNexus: async () => ({
        post: async (path: string, _action: string | undefined, body: Uint8Array, opts?: CallOptions) => {
          const c = { path, body: Buffer.from(body), contentType: opts?.contentType };
          f.sent.push(c);
          return answer(c);
        },
      }),
      close: async () => {
        f.closed++;
      },
    }),
  };
  return f;
}

const tmp = mkdtempSync('/tmp/cipher-cmd-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NONCE = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
const NONCE_B64 = 'AAECAwQFBgcICQoL';
const CT = Buffer.alloc(20, 0xcd);
// A fresh copy each time: the fake stdin's reader zeroes what it read, as the real one does.
const stream = (): Buffer => Buffer.concat([Buffer.of(1), NONCE, CT]);
const ok = (body: Buffer | string): NexusAnswer => ({ status: 200, body: Buffer.from(body) });

describe('spike cipher decrypt', () => {
  it('--version 1 --nonce --ciphertext reaches the command (not the program version): JSON request as Go marshals it, raw plaintext out', async () => {
    const f = cipherFake(() => ok('{"plaintext":"AP8K"}'));
    const r = await runProgram(['cipher', 'decrypt', '--version', '1', '--nonce', NONCE_B64, '--ciphertext', CT.toString('base64')], f);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(f.sent.map((c) => [c.path, c.contentType, c.body.toString()])).toEqual([
      ['/v1/cipher/decrypt', undefined, `{"version":1,"nonce":"${NONCE_B64}","ciphertext":"${CT.toString('base64')}"}`],
    ]);
    expect(Buffer.concat(f.bytes)).toEqual(Buffer.from([0, 255, 10]));
    expect(r.out).toBe('');
    // --version=1 and --algorithm as well
    const g = cipherFake(() => ok('{"plaintext":""}'));
    expect((await runProgram(['cipher', 'decrypt', `--version=1`, `--nonce=${NONCE_B64}`, '--ciphertext', '/w==', '--algorithm', 'AES-GCM'], g)).code).toBe(0);
    expect(g.sent[0]?.body.toString()).toBe(`{"version":1,"nonce":"${NONCE_B64}","ciphertext":"/w==","algorithm":"AES-GCM"}`);
  });

  it('a plaintext the output cannot take is zeroed, not left behind (non-zero exit)', async () => {
    const f = cipherFake(() => ok('plaintext!'), { stdin: stream() });
    let held: Uint8Array | undefined;
    f.deps.io.outBytes = (b) => {
      held = b;
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    };
    const r = await runProgram(['cipher', 'decrypt'], f);
    expect(r.code).not.toBe(0);
    expect(Buffer.from(held ?? Buffer.alloc(0)).toString()).toBe('\0'.repeat('plaintext!'.length));
  });

  it('upstream flag checks: --version 0-255, base64 nonce and ciphertext; exit 2 and nothing sent', async () => {
    for (const [args, line] of [
      [['--version', '256', '--nonce', NONCE_B64, '--ciphertext', '/w=='], 'Error: Invalid --version, must be 0-255.\n'],
      [['--version', 'one', '--nonce', NONCE_B64, '--ciphertext', '/w=='], 'Error: Invalid --version, must be 0-255.\n'],
      [['--nonce', NONCE_B64, '--ciphertext', '/w=='], 'Error: Invalid --version, must be 0-255.\n'],
      [['--version', '1', '--nonce', 'not base64!', '--ciphertext', '/w=='], 'Error: Invalid --nonce base64.\n'],
      [['--version', '1', '--nonce', NONCE_B64, '--ciphertext', '/w='], 'Error: Invalid --ciphertext base64.\n'],
    ] as const) {
      const f = cipherFake(() => ok('{}'));
      const r = await runProgram(['cipher', 'decrypt', ...args], f);
      expect([r.code, r.err], args.join(' ')).toEqual([2, line]);
      expect(f.sent).toEqual([]);
    }
  });

  it('stream mode from stdin: the bytes as application/octet-stream, the plaintext out', async () => {
    const f = cipherFake(() => ok(Buffer.from('plain bytes')), { stdin: stream() });
    const r = await runProgram(['cipher', 'decrypt'], f);
    expect(r.code).toBe(0);
    expect(f.sent.map((c) => [c.path, c.contentType])).toEqual([['/v1/cipher/decrypt', 'application/octet-stream']]);
    expect(f.sent[0]?.body).toEqual(stream());
    expect(Buffer.concat(f.bytes).toString()).toBe('plain bytes');
  });

  it('a ciphertext that does not open, a truncated stream, another version: exit 1, one Error line, nothing written', async () => {
    const out = join(tmp, 'keep.txt');
    writeFileSync(out, 'previous content');
    for (const [status, body, want] of [
      [400, 'decryption failed\n', /^Error: Decryption failed\. \(SPIKE Nexus could not open it: the ciphertext was changed or cut short/],
      [500, '{"plaintext":null,"err":"api_internal_error"}', /^Error: Decryption failed\. /],
      [400, 'crypto_failed_to_read_nonce\n', /^Error: Invalid request\. \(crypto_failed_to_read_nonce: the input ends before its 12-byte nonce/],
      [400, 'crypto_unsupported_version\n', /^Error: Invalid request\. \(crypto_unsupported_version: /],
      [400, '{"plaintext":null,"err":"api_bad_request"}', /^Error: Invalid request\. \(SPIKE Nexus takes cipher format version 1, a 12-byte nonce and at most 65536 bytes/],
      [401, '{"plaintext":null,"err":"access_unauthorized"}', /^Error: Unauthorized access\.\n$/],
      [503, '{"err":"state_not_ready"}', /^Error: SPIKE is not ready yet/],
    ] as const) {
      for (const args of [[], ['-o', out]]) {
        const f = cipherFake(() => ({ status, body: Buffer.from(body) }), { stdin: stream() });
        const r = await runProgram(['cipher', 'decrypt', ...args], f);
        expect(r.code, body).toBe(1);
        expect(r.err, body).toMatch(want);
        expect(r.err.split('\n').length).toBe(2);
        expect(f.bytes).toEqual([]);
        expect(readFileSync(out, 'utf8')).toBe('previous content');
      }
    }
  });

  it('-o writes the file whole (mode 0600, replacing it); -f reads a file', async () => {
    const input = join(tmp, 'in.enc');
    const out = join(tmp, 'out.txt');
    writeFileSync(input, stream());
    writeFileSync(out, 'a longer previous content that must go');
    const f = cipherFake(() => ok('the plaintext'));
    const r = await runProgram(['cipher', 'decrypt', '-f', input, '-o', out], f);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(f.sent[0]?.body).toEqual(stream());
    expect(readFileSync(out, 'utf8')).toBe('the plaintext');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('an input over the limit (SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE + 13) is refused before anything is sent: exit 2', async () => {
    const env = { HOME: '/nonexistent-home', SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE: '100' };
    const f = cipherFake(() => ok(''), { stdin: Buffer.alloc(114), env });
    const r = await runProgram(['cipher', 'decrypt'], f);
    expect([r.code, f.sent.length]).toEqual([2, 0]);
    expect(r.err).toMatch(/^Error: Input too long: more than 113 bytes/);
    const g = cipherFake(() => ok('x'), { stdin: Buffer.alloc(113), env });
    expect((await runProgram(['cipher', 'decrypt'], g)).code).toBe(0);
  });
});

describe('spike cipher encrypt', () => {
  it('stream mode from a file: application/octet-stream, the cipher stream out as bytes', async () => {
    const input = join(tmp, 'plain.bin');
    writeFileSync(input, Buffer.from([0, 1, 2, 255]));
    const f = cipherFake(() => ok(stream()));
    const r = await runProgram(['cipher', 'encrypt', '-f', input], f);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(f.sent.map((c) => [c.path, c.contentType, [...c.body]])).toEqual([['/v1/cipher/encrypt', 'application/octet-stream', [0, 1, 2, 255]]]);
    expect(Buffer.concat(f.bytes)).toEqual(stream());
  });

  it('--plaintext: the JSON request as Go marshals it, and Nexus\'s JSON answer printed (decrypt takes its fields)', async () => {
    const f = cipherFake(() => ok(`{"version":1,"nonce":"${NONCE_B64}","ciphertext":"${CT.toString('base64')}"}`));
    const r = await runProgram(['cipher', 'encrypt', '--plaintext', 'c2Vuc2l0aXZlIGRhdGE=', '--algorithm', 'aes'], f);
    expect(r.code).toBe(0);
    expect(f.sent.map((c) => [c.contentType, c.body.toString()])).toEqual([[undefined, '{"plaintext":"c2Vuc2l0aXZlIGRhdGE=","algorithm":"aes"}']]);
    expect(Buffer.concat(f.bytes).toString()).toBe(`{"version":1,"nonce":"${NONCE_B64}","ciphertext":"${CT.toString('base64')}"}\n`);
  });

  it('input errors: missing file (upstream text), bad base64, too long, --plaintext with --file: exit 2, nothing sent', async () => {
    const missing = join(tmp, 'nope');
    for (const [args, stdin, want] of [
      [['-f', missing], undefined, `Error: Input file does not exist: ${missing}\n`],
      [['--plaintext', '%%%'], undefined, 'Error: Invalid --plaintext base64.\n'],
      [['--plaintext', 'AAAA', '-f', missing], undefined, 'Error: --plaintext and --file cannot be used together (JSON mode takes the plaintext from --plaintext).\n'],
      [[], Buffer.alloc(65521), 'Error: Input too long: more than 65520 bytes (SPIKE Nexus encrypts at most 65520 bytes; SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE).\n'],
      [['-f', tmp], undefined, `Error: Cannot access input file: ${tmp} (EISDIR)\n`],
    ] as const) {
      const f = cipherFake(() => ok(stream()), stdin === undefined ? {} : { stdin });
      const r = await runProgram(['cipher', 'encrypt', ...args], f);
      expect([r.code, r.err], args.join(' ')).toEqual([2, want]);
      expect(f.sent).toEqual([]);
    }
    // exactly the limit goes through
    const f = cipherFake(() => ok(stream()), { stdin: Buffer.alloc(65520) });
    expect((await runProgram(['cipher', 'encrypt'], f)).code).toBe(0);
  });

  it('not the superuser: exit 3, nothing sent', async () => {
    const f = cipherFake(() => ok(stream()), { stdin: Buffer.from('x'), spiffeId: ID.recover });
    const r = await runProgram(['cipher', 'encrypt'], f);
    expect(r.code).toBe(3);
    expect(f.sent).toEqual([]);
  });

  it('an unwritable -o: exit 4, and no temporary file is left', async () => {
    const dir = join(tmp, 'no-such-dir');
    const f = cipherFake(() => ok(stream()), { stdin: Buffer.from('x') });
    const r = await runProgram(['cipher', 'encrypt', '-o', join(dir, 'out')], f);
    expect([r.code, r.err]).toEqual([4, `Error: Failed to write output file: ${join(dir, 'out')} (ENOENT)\n`]);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('spike cipher encrypt --help', () => {
  it('warns that --plaintext is visible in the process list and points to -f / standard input', async () => {
    const f = cipherFake(() => ok(''));
    const r = await runProgram(['cipher', 'encrypt', '--help'], f);
    const help = r.out + r.err;
    const line = /--plaintext <base64>[\s\S]*?(?=\n\s*--algorithm)/.exec(help)?.[0].replace(/\s+/g, ' ') ?? '';
    expect(line).toContain('process list (ps)');
    expect(line).toContain('prefer -f or standard input');
  });
});
