import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { DerError, splitDerCertificates } from '../../../src/spiffe/der.js';
import { createTestCa } from '../../helpers/testca.js';

describe('splitDerCertificates', () => {
  it('splits short and long form lengths', () => {
    const short = Buffer.from([0x30, 0x02, 0x01, 0x02]);
    const long1 = Buffer.concat([Buffer.from([0x30, 0x81, 0x80]), Buffer.alloc(0x80, 7)]);
    const long2 = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), Buffer.alloc(0x100, 9)]);
    const parts = splitDerCertificates(Buffer.concat([short, long1, long2]));
    expect(parts).toEqual([short, long1, long2]);
  });

  it('gives [] for empty input', () => expect(splitDerCertificates(new Uint8Array())).toEqual([]));

  it('splits a real leaf + intermediate chain', async () => {
    const ca = await createTestCa('example.org');
    const inter = await ca.child();
    const svid = await inter.issue('spiffe://example.org/w');
    const parts = splitDerCertificates(svid.chainDer);
    expect(parts).toHaveLength(2);
    expect(new X509Certificate(parts[0]!).fingerprint256).toBe(new X509Certificate(svid.leafDer).fingerprint256);
    expect(new X509Certificate(parts[1]!).fingerprint256).toBe(inter.cert.fingerprint256);
  });

  it.each([
    ['wrong tag', [0x31, 0x00], /expected a SEQUENCE/],
    ['indefinite length', [0x30, 0x80, 0x00, 0x00], /indefinite/],
    ['truncated length byte', [0x30], /truncated length/],
    ['truncated long length', [0x30, 0x82, 0x01], /truncated length/],
    ['length past the end', [0x30, 0x05, 0x01], /runs past the end/],
    ['trailing garbage', [0x30, 0x00, 0xff], /byte 2: expected a SEQUENCE/],
    ['non-minimal long form', [0x30, 0x81, 0x05, 1, 2, 3, 4, 5], /non-minimal/],
    ['leading zero length byte', [0x30, 0x82, 0x00, 0x90], /non-minimal/],
    ['5-byte length', [0x30, 0x85, 1, 0, 0, 0, 0], /too long/],
  ])('rejects %s', (_name, bytes, why) => {
    expect(() => splitDerCertificates(Uint8Array.from(bytes))).toThrow(DerError);
    expect(() => splitDerCertificates(Uint8Array.from(bytes))).toThrow(why);
  });
});
