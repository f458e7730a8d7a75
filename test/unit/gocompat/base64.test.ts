// src/gocompat/base64.ts against Go's encoding/base64 StdEncoding.DecodeString:
// the pairs are RFC 4648 § 10's test vectors (as in Go's base64_test.go), the
// refusals inputs Go's decoder answers with a CorruptInputError.
import { describe, expect, it } from 'vitest';
import { decodeStdBase64 } from '../../../src/gocompat/base64.js';

describe('decodeStdBase64 (Go StdEncoding)', () => {
  it('decodes RFC 4648 vectors', () => {
    for (const [plain, b64] of [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ] as const) {
      expect(decodeStdBase64(b64)?.toString('latin1')).toBe(plain);
    }
    expect([...decodeStdBase64('+/+/')!]).toEqual([0xfb, 0xff, 0xbf]);
  });

  it('skips \\r and \\n anywhere, as Go does', () => {
    expect(decodeStdBase64('Zm9v\r\nYmFy')?.toString()).toBe('foobar');
    expect(decodeStdBase64('Z\ng=\r=')?.toString()).toBe('f');
  });

  it('refuses what Go refuses: missing or misplaced padding, other alphabets, spaces', () => {
    for (const bad of ['Zg', 'Zg=', 'Zm8', 'Z', 'Z===', '=', '====', 'Zg==Zg==', 'Zm9v=', '-_-_', 'Zm9v YmFy', ' Zg==', 'Zg==\t', 'Zm9v\u00e9']) {
      expect(decodeStdBase64(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('gives a Buffer of its own (not a slice of the shared pool)', () => {
    const b = decodeStdBase64('Zm9vYmFy')!;
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(6);
  });
});
