// Cases ported from go-spiffe v2 bundle/x509bundle/bundle_test.go (TestParse,
// TestParseRaw, TestFromX509Authorities); its testdata files are described by
// name (certs.pem, cert.pem, empty.pem, not-pem.pem, corrupted.pem) and built
// here. One deliberate difference: empty PEM text is an error for us (a
// bundle file that trusts nothing is a mistake), an empty bundle for
// go-spiffe's Parse — docs/design.md § X.509-SVID verification.
import { beforeAll, describe, expect, it } from 'vitest';
import { X509Bundle, X509BundleError } from '../../../src/spiffe/bundle.js';
import { createTestCa, type TestCa } from '../../helpers/testca.js';

let a: TestCa;
let b: TestCa;
beforeAll(async () => {
  a = await createTestCa('domain1.test');
  b = await createTestCa('domain1.test');
});

describe('go-spiffe x509bundle TestParse (PEM)', () => {
  it('parse multiple certificates should succeed (certs.pem)', () => {
    expect(X509Bundle.fromPem('domain1.test', a.certPem + b.certPem).authorities.map((c) => c.fingerprint256)).toEqual([a.cert.fingerprint256, b.cert.fingerprint256]);
  });
  it('parse single certificate should succeed (cert.pem)', () => {
    expect(X509Bundle.fromPem('domain1.test', a.certPem).authorities).toHaveLength(1);
  });
  it('blocks of other types are skipped, as go-spiffe pemutil does', () => {
    expect(X509Bundle.fromPem('domain1.test', `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${a.certPem}`).authorities).toHaveLength(1);
  });
  it.each([
    ['non-PEM bytes (not-pem.pem)', 'Not PEM encoded file\n', /no PEM block found/],
    ['a BEGIN line without its END', '-----BEGIN CERTIFICATE-----\nMIIB\n', /no PEM block found/],
    ['empty text (go-spiffe: an empty bundle; stricter here)', '', /no PEM block found/],
    ['a corrupted certificate (corrupted.pem)', '-----BEGIN CERTIFICATE-----\nMIIBXzCB6gIJANXCDoURTF5MMA0GCSqGSIb3DQEBCwUAMBcxFTATBgNVBAMMDFBF\n-----END CERTIFICATE-----\n', /invalid X.509 bundle/],
  ])('%s should fail', (_what, pem, why) => {
    expect(() => X509Bundle.fromPem('domain1.test', pem)).toThrow(expect.objectContaining({ name: X509BundleError.name, message: expect.stringMatching(why) }));
  });
});

describe('go-spiffe x509bundle TestParseRaw (DER)', () => {
  it('parse multiple certificates should succeed', () => {
    expect(X509Bundle.fromDer('domain1.test', Buffer.concat([a.certDer, b.certDer])).authorities).toHaveLength(2);
  });
  it('parse single certificate should succeed', () => expect(X509Bundle.fromDer('domain1.test', a.certDer).authorities).toHaveLength(1));
  it('parse should not fail if no certificate block is found (empty bytes: an empty bundle)', () => {
    expect(X509Bundle.fromDer('domain1.test', Buffer.alloc(0)).authorities).toEqual([]);
  });
  it('trailing garbage fails', () => {
    expect(() => X509Bundle.fromDer('domain1.test', Buffer.concat([a.certDer, Buffer.from([1, 2])]))).toThrow(X509BundleError);
  });
});

describe('go-spiffe x509bundle TestNew / TestFromX509Authorities', () => {
  it('a bundle keyed by a trust domain given as an ID with a path names the trust domain', () => {
    expect(new X509Bundle('spiffe://domain1.test/path', [a.cert]).trustDomain).toBe('domain1.test');
  });
});
