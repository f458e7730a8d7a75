// The dev agent's certificate authority: a self-signed ECDSA P-256 root kept in
// SPIKE_DEV_DIR (ca.crt, ca.key — PKCS#8 PEM, 0600), created once and reused,
// which issues short-lived X.509-SVIDs with the profile described
// in docs/dev-agent.md.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { createFileAtomic } from '../common/durable-file.js';
import { devPaths, ensurePrivateDir } from './paths.js';

// @peculiar/x509 types its provider with the DOM Crypto type; node's webcrypto is the same API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** SPIRE's NotBeforeCushion: leaves are valid from a little before they are issued. */
export const NOT_BEFORE_BACKDATE_MS = 10_000;
export const CA_VALIDITY_MS = 10 * 365 * 24 * 3_600_000;

export class DevCaError extends Error {
  override readonly name = 'DevCaError';
}

/** One freshly issued X.509-SVID. `keyPkcs8` is secret: zero it when done. */
export interface IssuedSvid {
  readonly spiffeId: string;
  /** The leaf certificate, DER (the chain is just the leaf: the root is in the bundle). */
  readonly certDer: Buffer;
  /** Unencrypted PKCS#8 DER private key of the leaf. */
  readonly keyPkcs8: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface DevCa {
  readonly trustDomain: string;
  /** The root certificate, DER: the trust bundle of `trustDomain`. */
  readonly certDer: Buffer;
  readonly certPem: string;
  readonly notAfter: Date;
  /** Issues a leaf SVID for `spiffeId` valid for `ttlMs` (never beyond the CA's notAfter). */
  issueSvid(spiffeId: string, ttlMs: number, now?: Date): Promise<IssuedSvid>;
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 1) & 0x7f) | 0x01; // positive and without a leading zero byte
  return b.toString('hex');
}

async function selfSignRoot(keys: CryptoKeyPair, trustDomain: string, now: Date): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=SPIKE dev CA ${trustDomain}, O=spike-dev-agent`,
    notBefore: new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

function readPrivateFile(path: string): Buffer | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!st.isFile()) throw new DevCaError(`not a regular file: ${path}`);
  if ((st.mode & 0o077) !== 0) throw new DevCaError(`${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new DevCaError(`${path} is not owned by the current user`);
  return readFileSync(path);
}

function readOptionalFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function uriSans(cert: x509.X509Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return [];
  return san.names.items.filter((n) => n.type === 'url').map((n) => n.value);
}

class LoadedDevCa implements DevCa {
  readonly certDer: Buffer;
  readonly certPem: string;
  readonly notAfter: Date;
  readonly #skiHex: string;

  constructor(
    readonly trustDomain: string,
    readonly cert: x509.X509Certificate,
    readonly signingKey: CryptoKey,
  ) {
    this.certDer = Buffer.from(cert.rawData);
    this.certPem = cert.toString('pem');
    this.notAfter = cert.notAfter;
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    if (!ski) throw new DevCaError('dev CA certificate has no subject key identifier');
    this.#skiHex = ski.keyId;
  }

  async issueSvid(spiffeId: string, ttlMs: number, now: Date = new Date()): Promise<IssuedSvid> {
    if (!(ttlMs > 0)) throw new DevCaError('SVID TTL must be positive');
    const keys = await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
    const notBefore = new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS);
    const notAfter = new Date(Math.min(now.getTime() + ttlMs, this.notAfter.getTime()));
    if (notAfter.getTime() <= now.getTime()) throw new DevCaError('the dev CA has expired; delete ca.crt and ca.key in SPIKE_DEV_DIR');
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: 'O=spike-dev-agent, CN=X509-SVID',
      issuer: this.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: SIGN_ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], false),
        new x509.AuthorityKeyIdentifierExtension(this.#skiHex, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const keyPkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    // The certificate holds whole seconds: report what it actually says.
    return { spiffeId, certDer: Buffer.from(cert.rawData), keyPkcs8, notBefore: cert.notBefore, notAfter: cert.notAfter };
  }
}

async function importSigningKey(pkcs8Der: Buffer): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', pkcs8Der, KEY_ALG, false, ['sign']);
}

/** The PKCS#8 DER inside a PEM key file; throws a secret-free error on garbage. */
function keyDerFromPem(pem: Buffer, path: string): Buffer {
  try {
    const k = createPrivateKey({ key: pem, format: 'pem' });
    if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('wrong key type');
    return k.export({ format: 'der', type: 'pkcs8' });
  } catch {
    throw new DevCaError(`${path} does not hold an ECDSA P-256 private key; delete ca.key and ca.crt to create a new dev CA`);
  }
}

/**
 * Loads the dev CA from `dir` (SPIKE_DEV_DIR), creating it on first use.
 * Refuses a CA made for another trust domain, an expired CA, a key that is not
 * private to the user, or a certificate that does not match its key.
 */
export async function loadOrCreateDevCa(dir: string, trustDomain: string, now: Date = new Date()): Promise<DevCa> {
  const paths = devPaths(dir);
  ensurePrivateDir(dir);

  let keyPem = readPrivateFile(paths.caKey);
  if (keyPem === undefined) {
    const keys = await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
    const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const pem = Buffer.from(`-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`);
    der.fill(0);
    const created = createFileAtomic(paths.caKey, pem, { mode: 0o600 });
    pem.fill(0);
    if (created) {
      // A new key: any old certificate cannot belong to it.
      try {
        unlinkSync(paths.caCert);
      } catch {
        /* none */
      }
    }
    keyPem = readPrivateFile(paths.caKey);
    if (keyPem === undefined) throw new DevCaError(`${paths.caKey} vanished while creating the dev CA`);
  }

  const keyDer = keyDerFromPem(keyPem, paths.caKey);
  keyPem.fill(0);
  const spkiDer = createPublicKey(createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  let signingKey: CryptoKey;
  try {
    signingKey = await importSigningKey(keyDer);
  } finally {
    keyDer.fill(0);
  }

  let certPem = readOptionalFile(paths.caCert);
  if (certPem === undefined) {
    // The root certificate is public: (re)create it from the key. Needs an extractable-free
    // signing key plus the public key, which CryptoKeyPair carries.
    const publicKey = await webcrypto.subtle.importKey('spki', spkiDer, KEY_ALG, true, ['verify']);
    const cert = await selfSignRoot({ privateKey: signingKey, publicKey }, trustDomain, now);
    createFileAtomic(paths.caCert, Buffer.from(cert.toString('pem') + '\n'), { mode: 0o644 });
    certPem = readOptionalFile(paths.caCert);
    if (certPem === undefined) throw new DevCaError(`${paths.caCert} vanished while creating the dev CA`);
  }

  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch {
    throw new DevCaError(`${paths.caCert} is not a PEM certificate; delete ca.crt to re-create it from ca.key`);
  }
  if (!Buffer.from(cert.publicKey.rawData).equals(spkiDer)) {
    throw new DevCaError(`${paths.caCert} does not match ${paths.caKey}; delete ca.crt to re-create it from ca.key`);
  }
  const sans = uriSans(cert);
  if (sans.length !== 1 || sans[0] !== `spiffe://${trustDomain}`) {
    throw new DevCaError(
      `the dev CA in ${dir} is for ${sans.join(', ') || 'no trust domain'}, not spiffe://${trustDomain}; use another SPIKE_DEV_DIR or delete ca.crt and ca.key`,
    );
  }
  if (cert.notAfter.getTime() <= now.getTime()) {
    throw new DevCaError(`the dev CA in ${dir} expired on ${cert.notAfter.toISOString()}; delete ca.crt and ca.key to create a new one`);
  }
  return new LoadedDevCa(trustDomain, cert, signingKey);
}
