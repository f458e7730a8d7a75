// certext.ts, the strict DER reader of KeyUsage / BasicConstraints / SAN URIs,
// cross-checked against @peculiar/x509 (the test oracle) on generated
// certificates, plus hand-made malformed encodings and mutated certificates.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import fc from 'fast-check';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate as AsnCertificate,
  X509CertificateGenerator,
  cryptoProvider,
  type JsonGeneralName,
} from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertDerError, KeyUsage, readCertExtensions } from '../../../src/spiffe/certext.js';
import { createTestCa } from '../../helpers/testca.js';
import { ONE_LINE, attempt, otherThan } from '../../helpers/expect.js';

cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SLOW_MS = 90_000;

let keys: webcrypto.CryptoKeyPair;
beforeAll(async () => {
  keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
});

interface Spec {
  ku: { bits: number; critical: boolean } | null;
  bc: { ca: boolean; pathLen?: number; critical: boolean } | null;
  names: JsonGeneralName[] | null;
}

async function makeCert(spec: Spec): Promise<Buffer> {
  const extensions: Extension[] = [];
  if (spec.ku) extensions.push(new KeyUsagesExtension(spec.ku.bits, spec.ku.critical));
  if (spec.bc) extensions.push(new BasicConstraintsExtension(spec.bc.ca, spec.bc.pathLen, spec.bc.critical));
  if (spec.names) extensions.push(new SubjectAlternativeNameExtension(spec.names));
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=certext',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions,
  });
  return Buffer.from(cert.rawData);
}

/** What @peculiar/x509 reads from the same bytes. */
function oracle(der: Buffer): { keyUsage: number | undefined; keyUsageCritical: boolean; isCa: boolean; pathLen: number | undefined; uris: string[] } {
  const c = new AsnCertificate(der);
  const ku = c.getExtension(KeyUsagesExtension);
  const bc = c.getExtension(BasicConstraintsExtension);
  const uris = c.getExtensions(SubjectAlternativeNameExtension).flatMap((e) => e.names.items.filter((n) => n.type === 'url').map((n) => n.value));
  return { keyUsage: ku?.usages, keyUsageCritical: ku?.critical ?? false, isCa: bc?.ca ?? false, pathLen: bc?.pathLength, uris };
}

/** The fields the oracle reads. */
function pick(x: ReturnType<typeof readCertExtensions>): ReturnType<typeof oracle> {
  return { keyUsage: x.keyUsage, keyUsageCritical: x.keyUsageCritical, isCa: x.isCa, pathLen: x.pathLen, uris: x.uris };
}

const uriChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-._~/:%'.split(''));
const generalName: fc.Arbitrary<JsonGeneralName> = fc.oneof(
  fc.array(uriChars, { minLength: 1, maxLength: 40 }).map((cs) => ({ type: 'url' as const, value: `spiffe://${cs.join('')}` })),
  fc.domain().map((d) => ({ type: 'dns' as const, value: d })),
  fc.emailAddress().map((e) => ({ type: 'email' as const, value: e })),
  fc.ipV4().map((ip) => ({ type: 'ip' as const, value: ip })),
);
const spec: fc.Arbitrary<Spec> = fc.record({
  ku: fc.option(fc.record({ bits: fc.integer({ min: 1, max: 511 }), critical: fc.boolean() }), { nil: null }),
  bc: fc.option(
    fc.record({ ca: fc.boolean(), pathLen: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }), critical: fc.boolean() }),
    { nil: null },
  ),
  names: fc.option(fc.array(generalName, { minLength: 1, maxLength: 5 }), { nil: null }),
});

describe('readCertExtensions', () => {
  it('agrees with @peculiar/x509 on generated certificates', { timeout: SLOW_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const der = await makeCert(s);
        const mine = readCertExtensions(der);
        expect(pick(mine)).toEqual(oracle(der));
        expect(mine.pathLen).toBe(s.bc?.pathLen);
        expect(mine.sanEntries).toBe(s.names?.length ?? 0);
        expect(mine.unhandledCritical).toEqual([]);
        // And with what was asked for.
        expect(mine.keyUsage).toBe(s.ku?.bits);
        expect(mine.isCa).toBe(s.bc?.ca ?? false);
        expect(mine.uris).toEqual((s.names ?? []).filter((n) => n.type === 'url').map((n) => n.value));
      }),
      { numRuns: 150 },
    );
  });

  it('reads a real SVID and a real CA', async () => {
    const ca = await createTestCa('example.org');
    const svid = await ca.issue('spiffe://example.org/w');
    expect(readCertExtensions(svid.leafDer)).toMatchObject({ keyUsage: KeyUsage.digitalSignature, keyUsageCritical: true, isCa: false, uris: ['spiffe://example.org/w'], unhandledCritical: [] });
    expect(readCertExtensions(ca.certDer)).toMatchObject({
      keyUsage: KeyUsage.keyCertSign | KeyUsage.cRLSign,
      keyUsageCritical: true,
      isCa: true,
      uris: ['spiffe://example.org'],
    });
  });

  it('mutated certificates: refused with CertDerError, or read as @peculiar/x509 reads them', { timeout: SLOW_MS }, async () => {
    const der = await makeCert({ ku: { bits: 1, critical: true }, bc: { ca: false, critical: true }, names: [{ type: 'url', value: 'spiffe://a/b' }, { type: 'dns', value: 'x.y' }] });
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('xor', 'insert', 'delete', 'truncate'), (at, byte, op) => {
        const b = [...der];
        const i = at % b.length;
        if (op === 'xor') b[i] = (b[i] as number) ^ byte;
        else if (op === 'insert') b.splice(i, 0, byte);
        else if (op === 'delete') b.splice(i, 1);
        else b.length = i;
        const m = Buffer.from(b);
        expect(() => readCertExtensions(m)).not.toThrow(otherThan(CertDerError, { message: ONE_LINE }));
        const mine = attempt(() => readCertExtensions(m));
        // we are more lenient than the oracle only where the oracle is stricter about fields we do not read
        const theirs = attempt(() => oracle(m));
        const both = mine !== undefined && theirs !== undefined;
        const view = (x: { uris: unknown; isCa: unknown; keyUsage: unknown } | undefined) => (both && x ? { uris: x.uris, isCa: x.isCa, keyUsage: x.keyUsage } : 'not both read');
        expect(view(mine)).toEqual(view(theirs));
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary bytes never crash it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        expect(() => readCertExtensions(b)).not.toThrow(otherThan(CertDerError));
      }),
      { numRuns: 3000 },
    );
  });

  // Hand-made certificates: only the TBSCertificate's extensions matter here.
  const tlv = (tag: number, ...parts: number[][]): number[] => {
    const body = parts.flat();
    const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
    return [tag, ...len, ...body];
  };
  const certWith = (...exts: number[][]): Buffer =>
    Buffer.from(tlv(0x30, tlv(0x30, tlv(0x02, [1]), ...[1, 2, 3, 4, 5].map(() => tlv(0x30)), tlv(0xa3, tlv(0x30, ...exts))), tlv(0x30, tlv(0x06, [0x2a])), tlv(0x03, [0])));
  const ext = (oid: number[], value: number[], critical?: number): number[] =>
    tlv(0x30, tlv(0x06, oid), ...(critical === undefined ? [] : [tlv(0x01, [critical])]), tlv(0x04, value));
  const KU_OID = [0x55, 0x1d, 0x0f];
  const BC_OID = [0x55, 0x1d, 0x13];
  const SAN_OID = [0x55, 0x1d, 0x11];
  const NC_OID = [0x55, 0x1d, 0x1e];

  it('reads minimal hand-made encodings', () => {
    const c = certWith(ext(KU_OID, tlv(0x03, [7, 0x80]), 0xff), ext(BC_OID, tlv(0x30, tlv(0x01, [0xff]))), ext(SAN_OID, tlv(0x30, tlv(0x86, [...Buffer.from('spiffe://t/x')]))));
    expect(readCertExtensions(c)).toEqual({
      keyUsage: 1,
      keyUsageCritical: true,
      isCa: true,
      pathLen: undefined,
      uris: ['spiffe://t/x'],
      dnsNames: [],
      ips: [],
      emails: [],
      sanEntries: 1,
      nameConstraints: undefined,
      unhandledCritical: [],
    });
    // decipherOnly (bit 8) needs a second byte.
    expect(readCertExtensions(certWith(ext(KU_OID, tlv(0x03, [7, 0x00, 0x80])))).keyUsage).toBe(KeyUsage.decipherOnly);
    expect(readCertExtensions(certWith()).keyUsage).toBeUndefined();
  });

  it.each([
    ['a repeated extension', certWith(ext(KU_OID, tlv(0x03, [7, 0x80])), ext(KU_OID, tlv(0x03, [7, 0x80])))],
    ['a BOOLEAN that is not 00/ff', certWith(ext(KU_OID, tlv(0x03, [7, 0x80]), 0x01))],
    ['non-zero unused bits', certWith(ext(KU_OID, tlv(0x03, [1, 0x81])))],
    ['too many unused bits', certWith(ext(KU_OID, tlv(0x03, [8, 0x80])))],
    ['an over-long KeyUsage', certWith(ext(KU_OID, tlv(0x03, [0, 1, 2, 3])))],
    ['trailing bytes in KeyUsage', certWith(ext(KU_OID, [...tlv(0x03, [7, 0x80]), 0]))],
    ['a BasicConstraints with junk', certWith(ext(BC_OID, tlv(0x30, tlv(0x04, [1]))))],
    ['a negative pathLen', certWith(ext(BC_OID, tlv(0x30, tlv(0x01, [0xff]), tlv(0x02, [0x80]))))],
    ['a universal tag in GeneralNames', certWith(ext(SAN_OID, tlv(0x30, tlv(0x0c, [0x41]))))],
    ['a non-ASCII URI', certWith(ext(SAN_OID, tlv(0x30, tlv(0x86, [0x73, 0xc3, 0xa9]))))],
    ['an extension without a value', certWith(tlv(0x30, tlv(0x06, KU_OID)))],
    ['an indefinite length', Buffer.from([0x30, 0x80, 0x00, 0x00])],
    ['a non-minimal length', Buffer.from([0x30, 0x81, 0x03, 0x30, 0x01, 0x00])],
    ['a high tag number', Buffer.from([0x30, 0x03, 0x1f, 0x01, 0x00])],
    ['trailing bytes', Buffer.concat([certWith(), Buffer.from([0])])],
    ['a TBSCertificate with its fields out of order', Buffer.from(tlv(0x30, tlv(0x30, ...[1, 2, 3, 4, 5].map(() => tlv(0x30)), tlv(0x02, [1]))))],
    // OpenSSL reads a constructed [6] as a URI, Go skips it: refused so both see the same names.
    ['a constructed-form URI', certWith(ext(SAN_OID, tlv(0x30, tlv(0x86, [...Buffer.from('spiffe://t/a')]), tlv(0xa6, tlv(0x16, [...Buffer.from('spiffe://t/b')])))))],
    ['a constructed-form dNSName', certWith(ext(SAN_OID, tlv(0x30, tlv(0xa2, tlv(0x16, [0x61])))))],
    ['a primitive-form directoryName', certWith(ext(SAN_OID, tlv(0x30, tlv(0x84, [0x61]))))],
    ['an iPAddress of 5 bytes', certWith(ext(SAN_OID, tlv(0x30, tlv(0x87, [1, 2, 3, 4, 5]))))],
    ['a critical subjectKeyIdentifier (Go refuses it)', certWith(ext([0x55, 0x1d, 0x0e], tlv(0x04, [1]), 0xff))],
    ['a critical authorityKeyIdentifier (Go refuses it)', certWith(ext([0x55, 0x1d, 0x23], tlv(0x30), 0xff))],
    ['a critical authorityInfoAccess (Go refuses it)', certWith(ext([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01], tlv(0x30), 0xff))],
    ['a name constraint with a bad mask', certWith(ext(NC_OID, tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x87, [10, 0, 0, 0, 255, 0, 255, 0]))))))],
    ['a URI name constraint that is an IP', certWith(ext(NC_OID, tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x86, [...Buffer.from('10.0.0.1')]))))))],
    ['an empty name constraint list', certWith(ext(NC_OID, tlv(0x30, tlv(0xa0))))],
  ])('refuses %s', (_what, der) => {
    expect(() => readCertExtensions(der)).toThrow(CertDerError);
  });

  // A constraint is IA5 (bytes below 0x80), so DEL is the one raw control
  // JSON.stringify would let through: it shows as \u007f (written by hand).
  it.each([
    ['a dNSName constraint', tlv(0xa0, tlv(0x30, tlv(0x82, [0x61, 0x7f, 0x62]))), String.raw`NameConstraints permitted: bad dNSName constraint "a\u007fb"`],
    ['a URI constraint', tlv(0xa1, tlv(0x30, tlv(0x86, [0x61, 0x7f]))), String.raw`NameConstraints excluded: bad URI constraint "a\u007f"`],
    ['an IP-like URI constraint', tlv(0xa0, tlv(0x30, tlv(0x86, [0x3a, 0x7f]))), String.raw`NameConstraints permitted: URI constraint ":\u007f" is an IP address`],
  ])('quotes %s holding DEL escaped', (_what, subtrees, why) => {
    expect(() => readCertExtensions(certWith(ext(NC_OID, tlv(0x30, subtrees))))).toThrow(new CertDerError(`malformed certificate DER: ${why}`));
  });

  it('reads pathLenConstraint, every SAN entry, name constraints and unhandled critical extensions', () => {
    expect(readCertExtensions(certWith(ext(BC_OID, tlv(0x30, tlv(0x01, [0xff]), tlv(0x02, [0])), 0xff))).pathLen).toBe(0);
    expect(readCertExtensions(certWith(ext(BC_OID, tlv(0x30, tlv(0x01, [0xff]), tlv(0x02, [0x00, 0x80]))))).pathLen).toBe(128);
    const san = readCertExtensions(
      certWith(ext(SAN_OID, tlv(0x30, tlv(0x86, [0x61]), tlv(0x82, [0x62]), tlv(0x87, [1, 2, 3, 4]), tlv(0x81, [0x63]), tlv(0xa4, tlv(0x30)), tlv(0x88, [0x2a])))),
    );
    expect(san).toMatchObject({ uris: ['a'], dnsNames: ['b'], emails: ['c'], sanEntries: 6 });
    expect(san.ips).toEqual([Buffer.from([1, 2, 3, 4])]);
    const nc = readCertExtensions(
      certWith(
        ext(
          NC_OID,
          tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x86, [...Buffer.from('example.org')])), tlv(0x30, tlv(0x82, [...Buffer.from('.x.y')]))), tlv(0xa1, tlv(0x30, tlv(0x87, [10, 0, 0, 0, 255, 0, 0, 0])))),
          0xff,
        ),
      ),
    );
    expect(nc.nameConstraints?.permitted).toEqual({ dns: ['.x.y'], uri: ['example.org'], ip: [], email: [] });
    expect(nc.nameConstraints?.excluded.ip).toEqual([{ ip: Buffer.from([10, 0, 0, 0]), mask: Buffer.from([255, 0, 0, 0]) }]);
    expect(nc.unhandledCritical).toEqual([]);
    // A directoryName constraint: Go does not check those, so a critical NameConstraints holding one is unhandled.
    const dir = certWith(ext(NC_OID, tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0xa4, tlv(0x30))))), 0xff));
    expect(readCertExtensions(dir).unhandledCritical).toEqual(['2.5.29.30']);
    const dirNonCritical = certWith(ext(NC_OID, tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0xa4, tlv(0x30)))))));
    expect(readCertExtensions(dirNonCritical).unhandledCritical).toEqual([]);
    // Unknown critical extensions (and a critical SAN with only names Go does not read) are listed; non-critical ones are not.
    expect(readCertExtensions(certWith(ext([0x2a, 0x03, 0x04], tlv(0x05), 0xff), ext([0x2a, 0x03, 0x05], tlv(0x05)))).unhandledCritical).toEqual(['1.2.3.4']);
    expect(readCertExtensions(certWith(ext(SAN_OID, tlv(0x30, tlv(0x88, [0x2a])), 0xff))).unhandledCritical).toEqual(['2.5.29.17']);
    expect(readCertExtensions(certWith(ext([0x55, 0x1d, 0x24], tlv(0x30), 0xff))).unhandledCritical).toEqual(['2.5.29.36']);
    // Handled by Go whatever their criticality: EKU, CRL DP, certificate policies.
    for (const oid of [0x25, 0x1f, 0x20]) expect(readCertExtensions(certWith(ext([0x55, 0x1d, oid], tlv(0x30), 0xff))).unhandledCritical).toEqual([]);
  });
});
