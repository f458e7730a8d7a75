// X.509-SVIDs (X509-SVID.md, go-spiffe svid/x509svid): parsing our own SVID
// from the Workload API, verifying a peer's chain against the bundle of the
// peer's trust domain, and converting an SVID to the PEM Node's `tls` needs.
//
// node:crypto parses the certificate and checks signatures, issuer names and
// validity; KeyUsage bits, BasicConstraints (with pathLenConstraint), SAN
// names, NameConstraints and unknown critical extensions come from our
// strict DER reader (certext.ts), because node:crypto's
// X509Certificate.keyUsage is really the EKU list. (No @peculiar/x509 here:
// it costs a CLI ~30 ms of start-up; tests use it as an oracle.)
// The chain rules are Go crypto/x509's (what go-spiffe uses); where we are
// stricter, docs/design.md § X.509-SVID verification says so and why.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { BundleSource } from './bundle.js';
import { CertDerError, KeyUsage, readCertExtensions, type CertExtensions } from './certext.js';
import { splitDerCertificates } from './der.js';
import { parseSpiffeId, type SpiffeId } from './id.js';
import { checkNameConstraints } from './nameconstraints.js';

export class X509SvidError extends Error {
  override readonly name = 'X509SvidError';
}

export interface X509Svid {
  id: SpiffeId;
  /** node:crypto certificates, leaf first, then intermediates. */
  chain: X509Certificate[];
  chainDer: Buffer[];
  privateKey: KeyObject;
  hint: string;
  notAfter: Date;
}

/** Longest chain we follow (leaf + intermediates + root). */
const MAX_CHAIN_LENGTH = 10;

interface ParsedCert {
  node: X509Certificate;
  ext: CertExtensions;
}

function parseCert(der: Buffer, what: string): ParsedCert {
  let node: X509Certificate;
  try {
    node = new X509Certificate(der);
  } catch {
    throw new X509SvidError(`${what}: not a valid X.509 certificate`);
  }
  try {
    return { node, ext: readCertExtensions(der) };
  } catch (e) {
    const why = e instanceof CertDerError ? e.message : 'unreadable extensions';
    throw new X509SvidError(`${what}: not a valid X.509 certificate (${why})`);
  }
}

function splitChain(chainDer: Uint8Array | readonly Uint8Array[]): Buffer[] {
  let ders: Buffer[];
  try {
    ders = Array.isArray(chainDer)
      ? (chainDer as readonly Uint8Array[]).flatMap((d) => splitDerCertificates(d))
      : splitDerCertificates(chainDer as Uint8Array);
  } catch (e) {
    throw new X509SvidError(`invalid certificate chain: ${(e as Error).message}`);
  }
  if (ders.length === 0) throw new X509SvidError('invalid certificate chain: no certificates');
  if (ders.length > MAX_CHAIN_LENGTH) throw new X509SvidError(`invalid certificate chain: more than ${MAX_CHAIN_LENGTH} certificates`);
  return ders;
}

function isCa(c: ParsedCert): boolean {
  return c.ext.isCa;
}

function keyUsage(c: ParsedCert): number | undefined {
  return c.ext.keyUsage;
}

/** The SPIFFE ID of a leaf: exactly one URI SAN, a valid ID with a non-root path. */
function leafId(c: ParsedCert): SpiffeId {
  const uris = c.ext.uris;
  if (uris.length !== 1) {
    throw new X509SvidError(`certificate must have exactly one URI SAN, found ${uris.length}`);
  }
  let id: SpiffeId;
  try {
    id = parseSpiffeId(uris[0] as string);
  } catch (e) {
    throw new X509SvidError(`certificate URI SAN is not a valid SPIFFE ID: ${(e as Error).message}`);
  }
  if (id.isTrustDomainId()) throw new X509SvidError(`leaf certificate SPIFFE ID "${id}" must have a non-root path`);
  return id;
}

/** Go's Verify refuses any certificate on the path with a critical extension it does not handle. */
function checkCritical(c: ParsedCert, what: string): void {
  if (c.ext.unhandledCritical.length > 0) {
    throw new X509SvidError(`${what} has an unhandled critical extension (${c.ext.unhandledCritical.join(', ')})`);
  }
}

/** Leaf checks shared by our own SVID and peers': not a CA, digitalSignature, no keyCertSign/cRLSign. */
function checkLeaf(c: ParsedCert): SpiffeId {
  const id = leafId(c);
  checkCritical(c, `leaf certificate "${id}"`);
  if (isCa(c) || c.node.ca) throw new X509SvidError(`leaf certificate "${id}" must not be a CA`);
  const ku = keyUsage(c);
  if (ku === undefined) throw new X509SvidError(`leaf certificate "${id}" has no key usage extension`);
  if ((ku & KeyUsage.digitalSignature) === 0) {
    throw new X509SvidError(`leaf certificate "${id}" key usage must include digitalSignature`);
  }
  if ((ku & KeyUsage.keyCertSign) !== 0) throw new X509SvidError(`leaf certificate "${id}" key usage must not include keyCertSign`);
  if ((ku & KeyUsage.cRLSign) !== 0) throw new X509SvidError(`leaf certificate "${id}" key usage must not include cRLSign`);
  return id;
}

/** An intermediate / signing certificate: CA with keyCertSign. */
function checkSigning(c: ParsedCert, index: number): void {
  checkCritical(c, `certificate ${index} of the chain`);
  if (!isCa(c)) throw new X509SvidError(`certificate ${index} of the chain is not a CA`);
  const ku = keyUsage(c);
  if (ku === undefined || (ku & KeyUsage.keyCertSign) === 0) {
    throw new X509SvidError(`certificate ${index} of the chain is a CA without keyCertSign`);
  }
}

function notAfter(c: X509Certificate): Date {
  return new Date(c.validTo);
}

function checkValidity(c: X509Certificate, what: string, now: Date): void {
  const from = new Date(c.validFrom);
  const to = notAfter(c);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new X509SvidError(`${what} has an unreadable validity period`);
  if (now < from) throw new X509SvidError(`${what} is not yet valid (valid from ${from.toISOString()})`);
  if (now > to) throw new X509SvidError(`${what} has expired (valid until ${to.toISOString()})`);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** The SPIFFE ID of a leaf certificate (DER), after the leaf checks. Throws `X509SvidError`. */
export function spiffeIdFromLeafDer(der: Uint8Array): SpiffeId {
  return checkLeaf(parseCert(Buffer.from(der), 'leaf certificate'));
}

/**
 * Parses an X.509-SVID received from the Workload API (go-spiffe ParseRaw):
 * leaf checks, every later certificate a CA with keyCertSign, and the PKCS#8
 * private key matching the leaf. `expectedId` (the message's `spiffe_id`), when
 * given, must equal the leaf's ID. Does not check the chain against a bundle.
 * The caller still owns (and should zero) `keyPkcs8Der`.
 */
export function parseX509Svid(
  chainDer: Uint8Array,
  keyPkcs8Der: Uint8Array,
  expectedId?: string,
  hint = '',
): X509Svid {
  const ders = splitChain(chainDer);
  const certs = ders.map((d, i) => parseCert(d, i === 0 ? 'leaf certificate' : `certificate ${i} of the chain`));
  const leaf = certs[0] as ParsedCert;
  const id = checkLeaf(leaf);
  certs.slice(1).forEach((c, i) => checkSigning(c, i + 1));
  if (expectedId !== undefined && expectedId !== '' && !id.equals(expectedId)) {
    throw new X509SvidError(`SVID certificate holds "${id}" but the message says "${expectedId}"`);
  }
  let privateKey: KeyObject;
  try {
    // A view, not a copy: the caller zeroes its key bytes and no stray copy should remain.
    const keyView = Buffer.from(keyPkcs8Der.buffer, keyPkcs8Der.byteOffset, keyPkcs8Der.byteLength);
    privateKey = createPrivateKey({ key: keyView, format: 'der', type: 'pkcs8' });
  } catch {
    throw new X509SvidError(`SVID "${id}": private key is not valid unencrypted PKCS#8 DER`);
  }
  let matches: boolean;
  try {
    matches = leaf.node.checkPrivateKey(privateKey);
  } catch {
    matches = false;
  }
  if (!matches) throw new X509SvidError(`SVID "${id}": private key does not match the leaf certificate`);
  return {
    id,
    chain: certs.map((c) => c.node),
    chainDer: ders,
    privateKey,
    hint,
    notAfter: notAfter(leaf.node),
  };
}

export interface VerifiedX509Svid {
  id: SpiffeId;
  /** The verified path, leaf first, ending with the bundle authority. */
  verifiedChain: X509Certificate[];
}

/** Most signature checks one verification may spend (bounds the path search on hostile input). */
const MAX_SIGNATURE_CHECKS = 100;

/**
 * Verifies a peer's chain (leaf first, then whatever intermediates it sent;
 * certificates placed end to end may also be passed as one element) against
 * the bundle of the leaf ID's own trust domain (go-spiffe x509svid.Verify plus
 * the spec's leaf checks): leaf checks, then a path of signatures up to an
 * authority of that bundle on which, as in Go's crypto/x509, every
 * certificate is within its validity period and has no critical extension Go
 * would not handle, every intermediate is a CA (here also with keyCertSign),
 * every pathLenConstraint holds, and the SAN names of every certificate
 * satisfy the NameConstraints of every CA above it on the path. All paths are tried (bounded).
 */
export function verifyX509Svid(chainDer: readonly Uint8Array[], bundles: BundleSource, now: Date = new Date()): VerifiedX509Svid {
  const ders = splitChain(chainDer);
  const certs = ders.map((d, i) => parseCert(d, i === 0 ? 'peer leaf certificate' : `peer certificate ${i}`));
  const leaf = certs[0] as ParsedCert;
  const id = checkLeaf(leaf);
  const bundle = bundles.getX509BundleForTrustDomain(id.trustDomain);
  if (bundle === undefined) throw new X509SvidError(`no bundle for trust domain "${id.trustDomain}" (peer "${id}")`);

  checkValidity(leaf.node, `peer certificate "${id}"`, now);
  const authorities: ParsedCert[] = [];
  for (const a of bundle.authorities) {
    try {
      authorities.push({ node: a, ext: readCertExtensions(a.raw) });
    } catch {
      // An authority our reader refuses can anchor nothing (Go would not have parsed it).
    }
  }
  const intermediates = certs.slice(1);
  let budget = MAX_SIGNATURE_CHECKS;
  let lastError: X509SvidError | undefined;

  const signs = (child: ParsedCert, parent: ParsedCert): boolean => {
    if (budget <= 0) throw new X509SvidError(`peer certificate "${id}": chain too complex to verify`);
    budget--;
    return issuedBy(child.node, parent.node);
  };

  /** Go's isValid for a CA above `path` (path = leaf … child of `c`). */
  const caError = (c: ParsedCert, path: ParsedCert[], what: string, isRoot: boolean): string | undefined => {
    if (c.ext.unhandledCritical.length > 0) return `${what} has an unhandled critical extension (${c.ext.unhandledCritical.join(', ')})`;
    if (!isRoot) {
      if (!isCa(c)) return `${what} is not a CA`;
      const ku = keyUsage(c);
      if (ku === undefined || (ku & KeyUsage.keyCertSign) === 0) return `${what} is a CA without keyCertSign`;
    }
    try {
      checkValidity(c.node, what, now);
    } catch (e) {
      return (e as Error).message;
    }
    const below = path.length - 1;
    if (c.ext.pathLen !== undefined && below > c.ext.pathLen) {
      return `${what} allows ${c.ext.pathLen} intermediate certificate(s) below it, the path has ${below}`;
    }
    if (c.ext.nameConstraints !== undefined) {
      // As Go: the SAN names of every certificate below this CA (the leaf and the intermediates between).
      try {
        for (const below of path) checkNameConstraints(c.ext.nameConstraints, below.ext);
      } catch (e) {
        return `${what}: ${(e as Error).message}`;
      }
    }
    return undefined;
  };

  const search = (path: ParsedCert[]): ParsedCert[] | undefined => {
    const current = path[path.length - 1] as ParsedCert;
    for (const a of authorities) {
      if (path.includes(a) || !signs(current, a)) continue;
      const why = caError(a, path, `bundle authority "${a.node.subject.replace(/\n/g, ', ')}"`, true);
      if (why === undefined) return [...path, a];
      lastError = new X509SvidError(`peer certificate "${id}": ${why}`);
    }
    if (path.length >= MAX_CHAIN_LENGTH) return undefined;
    for (const c of intermediates) {
      if (path.includes(c) || !signs(current, c)) continue;
      const why = caError(c, path, `peer intermediate certificate ${certs.indexOf(c)}`, false);
      if (why !== undefined) {
        lastError = new X509SvidError(`peer certificate "${id}": ${why}`);
        continue;
      }
      const found = search([...path, c]);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const found = search([leaf]);
  if (found !== undefined) return { id, verifiedChain: found.map((c) => c.node) };
  throw lastError ?? new X509SvidError(`peer certificate "${id}" is not signed by an authority of the "${id.trustDomain}" bundle`);
}

/** PEM chain (leaf first) and PKCS#8 PEM key for Node's `tls` (which takes neither DER nor a KeyObject). */
export function svidToTlsCredentials(svid: X509Svid): { cert: string; key: string } {
  return {
    cert: svid.chain.map((c) => c.toString()).join(''),
    key: svid.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
}
