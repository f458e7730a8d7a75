import { beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { X509Bundle, X509BundleSet } from '../../../src/spiffe/bundle.js';
import { X509SvidError, parseX509Svid, spiffeIdFromLeafDer, svidToTlsCredentials, verifyX509Svid } from '../../../src/spiffe/x509svid.js';
import { KU, createTestCa, rawExtension, type TestCa, type TestSvid } from '../../helpers/testca.js';

const ID = 'spiffe://example.org/workload';
let ca: TestCa;
let good: TestSvid;
let bundles: X509BundleSet;

beforeAll(async () => {
  ca = await createTestCa('example.org');
  good = await ca.issue(ID);
  bundles = new X509BundleSet([ca.bundle()]);
});

describe('parseX509Svid (own SVID from the Workload API)', () => {
  it('parses a good SVID', () => {
    const svid = parseX509Svid(good.chainDer, good.keyPkcs8Der, ID, 'h1');
    expect(svid.id.toString()).toBe(ID);
    expect(svid.hint).toBe('h1');
    expect(svid.chain).toHaveLength(1);
    expect(svid.chainDer[0]).toEqual(good.leafDer);
    expect(svid.privateKey.asymmetricKeyType).toBe('ec');
    expect(Math.abs(svid.notAfter.getTime() - good.notAfter.getTime())).toBeLessThan(1000);
  });

  it('parses a chain with an intermediate', async () => {
    const inter = await ca.child();
    const s = await inter.issue(ID);
    const svid = parseX509Svid(s.chainDer, s.keyPkcs8Der);
    expect(svid.chain).toHaveLength(2);
    expect(svid.chain[1]!.fingerprint256).toBe(inter.cert.fingerprint256);
  });

  it('rejects malformed DER', () => {
    expect(() => parseX509Svid(Buffer.from([0x30, 0x80, 0, 0]), good.keyPkcs8Der)).toThrow(/invalid certificate chain: .*indefinite/);
    expect(() => parseX509Svid(Buffer.concat([good.chainDer, Buffer.from([1])]), good.keyPkcs8Der)).toThrow(X509SvidError);
    expect(() => parseX509Svid(Buffer.from([0x30, 0x03, 1, 2, 3]), good.keyPkcs8Der)).toThrow(/not a valid X.509 certificate/);
    expect(() => parseX509Svid(new Uint8Array(), good.keyPkcs8Der)).toThrow(/no certificates/);
  });

  it('rejects a CA as leaf', async () => {
    const s = await ca.issue(ID, { ca: true, keyUsage: KU.digitalSignature });
    expect(() => parseX509Svid(s.chainDer, s.keyPkcs8Der)).toThrow(/must not be a CA/);
  });

  it('rejects two URI SANs and no URI SAN', async () => {
    const two = await ca.issue(ID, { uris: [ID, 'spiffe://example.org/other'] });
    expect(() => parseX509Svid(two.chainDer, two.keyPkcs8Der)).toThrow(/exactly one URI SAN, found 2/);
    const none = await ca.issue(ID, { uris: [], dnsNames: ['example.org'] });
    expect(() => parseX509Svid(none.chainDer, none.keyPkcs8Der)).toThrow(/exactly one URI SAN, found 0/);
  });

  it('rejects bad URI SANs', async () => {
    const root = await ca.issue('spiffe://example.org', {});
    expect(() => parseX509Svid(root.chainDer, root.keyPkcs8Der)).toThrow(/non-root path/);
    const http = await ca.issue('https://example.org/x', {});
    expect(() => parseX509Svid(http.chainDer, http.keyPkcs8Der)).toThrow(/not a valid SPIFFE ID/);
  });

  it('rejects bad key usage', async () => {
    const kcs = await ca.issue(ID, { keyUsage: KU.digitalSignature | KU.keyCertSign });
    expect(() => parseX509Svid(kcs.chainDer, kcs.keyPkcs8Der)).toThrow(/keyCertSign/);
    const crl = await ca.issue(ID, { keyUsage: KU.digitalSignature | KU.cRLSign });
    expect(() => parseX509Svid(crl.chainDer, crl.keyPkcs8Der)).toThrow(/cRLSign/);
    const noDs = await ca.issue(ID, { keyUsage: KU.keyEncipherment });
    expect(() => parseX509Svid(noDs.chainDer, noDs.keyPkcs8Der)).toThrow(/digitalSignature/);
    const none = await ca.issue(ID, { keyUsage: null });
    expect(() => parseX509Svid(none.chainDer, none.keyPkcs8Der)).toThrow(/no key usage/);
  });

  it('rejects a non-CA certificate after the leaf', async () => {
    const other = await ca.issue('spiffe://example.org/other');
    expect(() => parseX509Svid(Buffer.concat([good.leafDer, other.leafDer]), good.keyPkcs8Der)).toThrow(/certificate 1 of the chain is not a CA/);
  });

  it('rejects an unhandled critical extension on the leaf or an intermediate (peers running Go would refuse it)', async () => {
    const critical = rawExtension('1.3.6.1.4.1.99999.2', true);
    const leaf = await ca.issue(ID, { extraExtensions: [critical] });
    expect(() => parseX509Svid(leaf.chainDer, leaf.keyPkcs8Der)).toThrow(/leaf certificate "spiffe:\/\/example.org\/workload" has an unhandled critical extension \(1.3.6.1.4.1.99999.2\)/);
    const viaInter = await (await ca.child({ extraExtensions: [critical] })).issue(ID);
    expect(() => parseX509Svid(viaInter.chainDer, viaInter.keyPkcs8Der)).toThrow(/certificate 1 of the chain has an unhandled critical extension/);
  });

  it('rejects a key that does not match the leaf', async () => {
    const other = await ca.issue(ID);
    expect(() => parseX509Svid(good.chainDer, other.keyPkcs8Der)).toThrow(/does not match/);
  });

  it('rejects a key that is not PKCS#8', () => {
    const sec1 = createPrivateKey({ key: good.keyPkcs8Der, format: 'der', type: 'pkcs8' }).export({ format: 'der', type: 'sec1' });
    expect(() => parseX509Svid(good.chainDer, sec1)).toThrow(/not valid unencrypted PKCS#8/);
    expect(() => parseX509Svid(good.chainDer, Buffer.from('garbage'))).toThrow(X509SvidError);
  });

  it('rejects a message whose spiffe_id differs from the certificate', () => {
    expect(() => parseX509Svid(good.chainDer, good.keyPkcs8Der, 'spiffe://example.org/else')).toThrow(/message says/);
  });

  it('error messages hold no key material', () => {
    const bad = () => parseX509Svid(good.chainDer, Buffer.from('secret-key-bytes'));
    expect(bad).toThrow(X509SvidError);
    expect(bad).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });

  it('converts to PEM for tls', () => {
    const svid = parseX509Svid(good.chainDer, good.keyPkcs8Der);
    const { cert, key } = svidToTlsCredentials(svid);
    expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(new X509Certificate(cert).fingerprint256).toBe(new X509Certificate(good.leafDer).fingerprint256);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))).toBe(true);
  });

  it('spiffeIdFromLeafDer', () => {
    expect(spiffeIdFromLeafDer(good.leafDer).toString()).toBe(ID);
  });
});

describe('verifyX509Svid (peer chain)', () => {
  it('verifies a good chain and returns the path', () => {
    const v = verifyX509Svid([good.leafDer], bundles);
    expect(v.id.toString()).toBe(ID);
    expect(v.verifiedChain.map((c) => c.fingerprint256)).toEqual([new X509Certificate(good.leafDer).fingerprint256, ca.cert.fingerprint256]);
  });

  it('verifies through intermediates, in any order, with the root sent too', async () => {
    const i1 = await ca.child();
    const i2 = await i1.child();
    const s = await i2.issue(ID);
    expect(verifyX509Svid(s.chainDers, bundles).verifiedChain).toHaveLength(4);
    expect(verifyX509Svid([s.chainDers[0]!, s.chainDers[2]!, s.chainDers[1]!], bundles).id.toString()).toBe(ID);
    expect(verifyX509Svid([s.chainDer, ca.certDer], bundles).verifiedChain).toHaveLength(4);
    expect(() => verifyX509Svid([s.leafDer], bundles)).toThrow(/not signed by an authority/);
  });

  it('rejects a certificate from another CA of the same trust domain', async () => {
    const rogue = await createTestCa('example.org');
    const s = await rogue.issue(ID);
    expect(() => verifyX509Svid(s.chainDers, bundles)).toThrow(/not signed by an authority of the "example.org" bundle/);
    // ...even when the rogue root is sent along
    expect(() => verifyX509Svid([s.leafDer, rogue.certDer], bundles)).toThrow(/not signed by an authority/);
  });

  it('rejects a trust domain without a bundle', async () => {
    const other = await createTestCa('other.org');
    const s = await other.issue('spiffe://other.org/w');
    expect(() => verifyX509Svid(s.chainDers, bundles)).toThrow(/no bundle for trust domain "other.org"/);
  });

  it('uses the bundle of the peer ID’s own trust domain (federation)', async () => {
    const other = await createTestCa('other.org');
    const set = new X509BundleSet([ca.bundle(), other.bundle()]);
    const ok = await other.issue('spiffe://other.org/w');
    expect(verifyX509Svid(ok.chainDers, set).id.trustDomain).toBe('other.org');
    // other.org's CA signs a leaf claiming example.org: must fail even though both roots are trusted.
    const forged = await other.issue('spiffe://example.org/w');
    expect(() => verifyX509Svid(forged.chainDers, set)).toThrow(/not signed by an authority of the "example.org" bundle/);
  });

  it('rejects an empty bundle (trusts nothing)', () => {
    expect(() => verifyX509Svid([good.leafDer], new X509BundleSet([new X509Bundle('example.org', [])]))).toThrow(/not signed/);
  });

  it('rejects expired and not-yet-valid leaves', async () => {
    const expired = await ca.issue(ID, { notBefore: new Date(Date.now() - 7200e3), notAfter: new Date(Date.now() - 3600e3) });
    expect(() => verifyX509Svid(expired.chainDers, bundles)).toThrow(/has expired/);
    const future = await ca.issue(ID, { notBefore: new Date(Date.now() + 3600e3), notAfter: new Date(Date.now() + 7200e3) });
    expect(() => verifyX509Svid(future.chainDers, bundles)).toThrow(/not yet valid/);
    // and `now` is honoured
    expect(() => verifyX509Svid([good.leafDer], bundles, new Date(Date.now() + 48 * 3600e3))).toThrow(/expired/);
  });

  it('rejects an expired authority', async () => {
    const old = await createTestCa('example.org', { notBefore: new Date(Date.now() - 7200e3), notAfter: new Date(Date.now() - 10e3) });
    const s = await old.issue(ID, { notBefore: new Date(Date.now() - 3600e3), notAfter: new Date(Date.now() + 3600e3) });
    expect(() => verifyX509Svid(s.chainDers, new X509BundleSet([old.bundle()]))).toThrow(/bundle authority .* has expired/);
  });

  it('runs the leaf checks on peers too', async () => {
    const caLeaf = await ca.issue(ID, { ca: true, keyUsage: KU.digitalSignature });
    expect(() => verifyX509Svid(caLeaf.chainDers, bundles)).toThrow(/must not be a CA/);
    const two = await ca.issue(ID, { uris: [ID, 'spiffe://example.org/x'] });
    expect(() => verifyX509Svid(two.chainDers, bundles)).toThrow(/exactly one URI SAN/);
    const kcs = await ca.issue(ID, { keyUsage: KU.digitalSignature | KU.keyCertSign });
    expect(() => verifyX509Svid(kcs.chainDers, bundles)).toThrow(/keyCertSign/);
  });

  it('rejects malformed DER', () => {
    expect(() => verifyX509Svid([Buffer.from([0x30, 0x80])], bundles)).toThrow(X509SvidError);
    expect(() => verifyX509Svid([], bundles)).toThrow(/no certificates/);
  });
});

describe('X509Bundle', () => {
  it('from DER and PEM', async () => {
    const inter = await ca.child();
    const b = X509Bundle.fromDer('spiffe://example.org', Buffer.concat([ca.certDer, inter.certDer]));
    expect(b.trustDomain).toBe('example.org');
    expect(b.authorities).toHaveLength(2);
    expect(b.hasAuthority(ca.cert)).toBe(true);
    expect(X509Bundle.fromPem('example.org', b.pems().join('\n')).equals(b)).toBe(true);
    expect(b.der()).toEqual(Buffer.concat([ca.certDer, inter.certDer]));
    expect(() => X509Bundle.fromDer('example.org', Buffer.from([0x30, 0x01]))).toThrow(/invalid X.509 bundle for trust domain "example.org"/);
  });

  it('bundle set lookups accept both key forms', () => {
    const set = new X509BundleSet([ca.bundle()]);
    expect(set.getX509BundleForTrustDomain('example.org')?.equals(ca.bundle())).toBe(true);
    expect(set.getX509BundleForTrustDomain('spiffe://example.org')?.equals(ca.bundle())).toBe(true);
    expect(set.getX509BundleForTrustDomain('other.org')).toBeUndefined();
    expect(set.getX509BundleForTrustDomain('Bad TD')).toBeUndefined();
    expect(set.allPems()).toHaveLength(1);
  });
});
