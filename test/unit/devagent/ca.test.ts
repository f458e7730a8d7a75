import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CA_VALIDITY_MS, DevCaError, loadOrCreateDevCa, NOT_BEFORE_BACKDATE_MS } from '../../../src/devagent/ca.js';
import { X509Bundle, X509BundleSet } from '../../../src/spiffe/bundle.js';
import { parseX509Svid, verifyX509Svid } from '../../../src/spiffe/x509svid.js';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync('/tmp/dca-'), 'dev');
});
afterEach(() => {
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

function uriSans(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
}

describe('dev CA', () => {
  it('creates a private directory, a 0600 PKCS#8 key and a root with the documented profile (docs/dev-agent.md)', async () => {
    const now = new Date();
    const ca = await loadOrCreateDevCa(dir, 'spike.ist', now);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    const keyPem = readFileSync(join(dir, 'ca.key'), 'utf8');
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const root = new x509.X509Certificate(ca.certDer);
    const bc = root.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.critical).toBe(true);
    const ku = root.getExtension(x509.KeyUsagesExtension);
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(uriSans(root)).toEqual(['spiffe://spike.ist']);
    expect(root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(root.notAfter.getTime() - now.getTime()).toBeGreaterThan(CA_VALIDITY_MS - 60_000);
    const node = new X509Certificate(ca.certDer);
    expect(node.ca).toBe(true);
    expect(node.checkIssued(node)).toBe(true);
    expect(node.verify(node.publicKey)).toBe(true);
    // The certificate belongs to the stored key.
    expect(createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(node.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('issues leaves with the documented profile that chain to the root', async () => {
    const ca = await loadOrCreateDevCa(dir, 'spike.ist');
    const now = new Date();
    const svid = await ca.issueSvid('spiffe://spike.ist/spike/nexus', 3_600_000, now);
    const leaf = new x509.X509Certificate(svid.certDer);
    const bc = leaf.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(false);
    expect(bc?.critical).toBe(true);
    const ku = leaf.getExtension(x509.KeyUsagesExtension);
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages.map(String).sort()).toEqual([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth].sort());
    expect(uriSans(leaf)).toEqual(['spiffe://spike.ist/spike/nexus']);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.items).toHaveLength(1);
    const aki = leaf.getExtension(x509.AuthorityKeyIdentifierExtension);
    expect(aki?.keyId).toBe(new x509.X509Certificate(ca.certDer).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(Math.abs(leaf.notBefore.getTime() - (now.getTime() - NOT_BEFORE_BACKDATE_MS))).toBeLessThan(1000);
    expect(Math.abs(leaf.notAfter.getTime() - (now.getTime() + 3_600_000))).toBeLessThan(1000);
    expect(svid.notAfter.getTime()).toBe(leaf.notAfter.getTime());

    // node:crypto chain check (what `openssl verify -CAfile ca.crt leaf.pem` does).
    const nodeLeaf = new X509Certificate(svid.certDer);
    const nodeRoot = new X509Certificate(ca.certDer);
    expect(nodeLeaf.checkIssued(nodeRoot)).toBe(true);
    expect(nodeLeaf.verify(nodeRoot.publicKey)).toBe(true);
    expect(nodeLeaf.ca).toBe(false);

    // PKCS#8 P-256 key matching the leaf; and src/spiffe accepts the whole thing.
    const key = createPrivateKey({ key: svid.keyPkcs8, format: 'der', type: 'pkcs8' });
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(nodeLeaf.checkPrivateKey(key)).toBe(true);
    const parsed = parseX509Svid(svid.certDer, svid.keyPkcs8, 'spiffe://spike.ist/spike/nexus');
    expect(parsed.id.toString()).toBe('spiffe://spike.ist/spike/nexus');
    const bundles = new X509BundleSet([X509Bundle.fromDer('spike.ist', ca.certDer)]);
    expect(verifyX509Svid([svid.certDer], bundles).id.toString()).toBe('spiffe://spike.ist/spike/nexus');
  });

  it('never issues a leaf that outlives the CA', async () => {
    const ca = await loadOrCreateDevCa(dir, 'spike.ist');
    const svid = await ca.issueSvid('spiffe://spike.ist/a', CA_VALIDITY_MS * 2);
    expect(svid.notAfter.getTime()).toBeLessThanOrEqual(ca.notAfter.getTime());
  });

  it('is reused across restarts (same key file, same certificate)', async () => {
    const first = await loadOrCreateDevCa(dir, 'spike.ist');
    const keyBefore = readFileSync(join(dir, 'ca.key'));
    const inoBefore = statSync(join(dir, 'ca.key')).ino;
    const second = await loadOrCreateDevCa(dir, 'spike.ist');
    expect(second.certDer.equals(first.certDer)).toBe(true);
    expect(readFileSync(join(dir, 'ca.key')).equals(keyBefore)).toBe(true);
    expect(statSync(join(dir, 'ca.key')).ino).toBe(inoBefore);
    // Leaves of the restarted CA verify against the first CA's bundle.
    const svid = await second.issueSvid('spiffe://spike.ist/x', 60_000);
    expect(new X509Certificate(svid.certDer).verify(new X509Certificate(first.certDer).publicKey)).toBe(true);
  });

  it('gives concurrent first starts the same CA', async () => {
    const [a, b] = await Promise.all([loadOrCreateDevCa(dir, 'spike.ist'), loadOrCreateDevCa(dir, 'spike.ist')]);
    expect(a.certDer.equals(b.certDer)).toBe(true);
  });

  it('re-creates a missing certificate from the existing key', async () => {
    const first = await loadOrCreateDevCa(dir, 'spike.ist');
    unlinkSync(join(dir, 'ca.crt'));
    const second = await loadOrCreateDevCa(dir, 'spike.ist');
    expect(second.certDer.equals(first.certDer)).toBe(false);
    expect(new X509Certificate(second.certDer).publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      new X509Certificate(first.certDer).publicKey.export({ format: 'der', type: 'spki' }),
    );
  });

  it('refuses a CA of another trust domain', async () => {
    await loadOrCreateDevCa(dir, 'spike.ist');
    await expect(loadOrCreateDevCa(dir, 'example.org')).rejects.toThrow(/is for spiffe:\/\/spike\.ist, not spiffe:\/\/example\.org/);
  });

  it('refuses a key readable by others, and garbage', async () => {
    await loadOrCreateDevCa(dir, 'spike.ist');
    chmodSync(join(dir, 'ca.key'), 0o644);
    await expect(loadOrCreateDevCa(dir, 'spike.ist')).rejects.toThrow(DevCaError);
    chmodSync(join(dir, 'ca.key'), 0o600);
    rmSync(join(dir, 'ca.crt'));
    await import('node:fs').then((fs) => fs.writeFileSync(join(dir, 'ca.crt'), 'not a cert'));
    await expect(loadOrCreateDevCa(dir, 'spike.ist')).rejects.toThrow(/not a PEM certificate/);
  });

  it('refuses a certificate that does not belong to the key', async () => {
    const other = join(dir, '..', 'other');
    await loadOrCreateDevCa(dir, 'spike.ist');
    await loadOrCreateDevCa(other, 'spike.ist');
    const fs = await import('node:fs');
    fs.copyFileSync(join(other, 'ca.crt'), join(dir, 'ca.crt'));
    await expect(loadOrCreateDevCa(dir, 'spike.ist')).rejects.toThrow(/does not match/);
  });
});
