// SVIDs with a chosen lifetime, issued from the running dev agent's own CA
// (its files in the stack's SPIKE_DEV_DIR), for raw mTLS connections.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { loadOrCreateDevCa } from '../../src/devagent/ca.js';

export interface PemSvid {
  id: string;
  certPem: string;
  keyPem: string;
  caPem: string;
  /** The notAfter the certificate carries (whole seconds). */
  notAfter: Date;
}

export async function devCaSvid(devDir: string, trustDomain: string, id: string, ttlMs: number): Promise<PemSvid> {
  const ca = await loadOrCreateDevCa(devDir, trustDomain);
  const s = await ca.issueSvid(id, ttlMs);
  const cert = new X509Certificate(s.certDer);
  const keyPem = createPrivateKey({ key: s.keyPkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { id, certPem: cert.toString(), keyPem, caPem: ca.certPem, notAfter: new Date(Date.parse(cert.validTo)) };
}
