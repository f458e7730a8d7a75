// Small codecs with vectors: GCM layout (Go Seal: ciphertext ‖ tag), field
// nonces, key-check value, and Go/go-sqlite3 time strings.
import { describe, expect, it } from 'vitest';
import { DecryptError, fieldNonce, keyCheckMatches, keyCheckValue, open, seal } from '../../../../src/nexus/store/crypto.js';
import { formatSqliteTime, parseSqliteTime } from '../../../../src/nexus/store/sqlite/time.js';

describe('AES-256-GCM (McGrew–Viega test cases 13 and 14)', () => {
  const key = Buffer.alloc(32);
  const nonce = Buffer.alloc(12);
  it('empty plaintext: output is the tag alone', () => {
    expect(seal(key, nonce, Buffer.alloc(0)).toString('hex')).toBe('530f8afbc74536b9a963b4f1c4cb738b');
  });
  it('one zero block: ciphertext then tag', () => {
    const sealed = seal(key, nonce, Buffer.alloc(16));
    expect(sealed.toString('hex')).toBe('cea7403d4d606b6e074ec5d3baf39d18' + 'd0d1c8a799996bf0265b98b5d48ab919');
    expect(open(key, nonce, sealed)).toEqual(Buffer.alloc(16));
  });
  it('refuses tampering, wrong keys and short inputs with DecryptError', () => {
    const sealed = seal(key, nonce, Buffer.from('hello'));
    const tampered = Buffer.from(sealed);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(() => open(key, nonce, tampered)).toThrow(DecryptError);
    expect(() => open(Buffer.alloc(32, 1), nonce, sealed)).toThrow(DecryptError);
    expect(() => open(key, nonce, sealed.subarray(0, 10))).toThrow(DecryptError);
    expect(() => open(key, Buffer.alloc(11), sealed)).toThrow(DecryptError);
  });
});

describe('fieldNonce', () => {
  it('XORs the base nonce with the 12-byte ASCII salt', () => {
    expect(fieldNonce(Buffer.alloc(12), 'current_ver_')).toEqual(Buffer.from('current_ver_'));
    expect(fieldNonce(Buffer.alloc(12, 0xff), 'max_versions')).toEqual(Buffer.from('max_versions').map((b) => b ^ 0xff));
  });
});

describe('key-check value', () => {
  it('is deterministic per key, 32 bytes, and distinguishes keys', () => {
    const a = keyCheckValue(Buffer.alloc(32, 1));
    expect(a.length).toBe(32);
    expect(keyCheckValue(Buffer.alloc(32, 1))).toEqual(a);
    expect(keyCheckMatches(Buffer.alloc(32, 1), a)).toBe(true);
    expect(keyCheckMatches(Buffer.alloc(32, 2), a)).toBe(false);
    expect(keyCheckMatches(Buffer.alloc(32, 1), a.subarray(0, 31))).toBe(false);
  });
});

describe('SQLite time strings', () => {
  it("formats Go's 2006-01-02 15:04:05.999999999-07:00 in UTC", () => {
    expect(formatSqliteTime(new Date('2026-03-04T05:06:07Z'))).toBe('2026-03-04 05:06:07+00:00');
    expect(formatSqliteTime(new Date('2026-03-04T05:06:07.120Z'))).toBe('2026-03-04 05:06:07.12+00:00');
    expect(formatSqliteTime(new Date('2026-03-04T05:06:07.001Z'))).toBe('2026-03-04 05:06:07.001+00:00');
  });
  it.each([
    ['2026-03-04 05:06:07+00:00', '2026-03-04T05:06:07.000Z'],
    ['2026-03-04 05:06:07.123456789-07:00', '2026-03-04T12:06:07.123Z'],
    ['2026-03-04T05:06:07Z', '2026-03-04T05:06:07.000Z'],
    ['2026-03-04 05:06:07.5+05:30', '2026-03-03T23:36:07.500Z'],
    ['2026-03-04 05:06:07', '2026-03-04T05:06:07.000Z'],
  ])('parses %s', (text, iso) => {
    expect(parseSqliteTime(text)?.toISOString()).toBe(iso);
  });
  it('round-trips and accepts Unix seconds; refuses garbage', () => {
    const d = new Date('2030-12-31T23:59:59.999Z');
    expect(parseSqliteTime(formatSqliteTime(d))).toEqual(d);
    expect(parseSqliteTime(1700000000)).toEqual(new Date(1700000000 * 1000));
    expect(parseSqliteTime('yesterday')).toBeUndefined();
    expect(parseSqliteTime(null)).toBeUndefined();
  });
});
