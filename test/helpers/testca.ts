// A small certificate factory for tests (model: go-spiffe internal/test/ca.go).
// ECDSA P-256 everywhere. Good SVIDs follow the profile that passes SPIFFE and
// SPIRE checks; options make deliberately bad ones.
//
//   const ca = await createTestCa('example.org');
//   const svid = await ca.issue('spiffe://example.org/workload');      // good leaf
//   await ca.issue('spiffe://example.org/w', { ca: true });            // CA as leaf
//   await ca.issue('', { uris: ['spiffe://example.org/a', 'spiffe://example.org/b'] }); // two URI SANs
//   await ca.issue('', { uris: [] });                                  // no URI SAN
//   await ca.issue(id, { notAfter: new Date(Date.now() - 1000) });     // expired
//   await ca.issue(id, { notBefore: new Date(Date.now() + 3600e3) });  // not yet valid
//   await ca.issue(id, { keyUsage: KU.digitalSignature | KU.keyCertSign }); // keyCertSign on leaf
//   const inter = await ca.child();  inter.issue(id)                   // leaf via an intermediate
//   (await createTestCa('example.org')).issue(id)                      // same TD, another CA
import 'reflect-metadata';
import { X509Certificate as NodeX509, webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  Extension as ExtensionClass,
  cryptoProvider,
  type Extension,
  type X509Certificate as AsnX509,
} from '@peculiar/x509';
import { X509Bundle } from '../../src/spiffe/bundle.js';
import type { X509SvidResponseMessage } from '../../src/spiffe/proto.js';

// No DOM lib in this project: name Node's WebCrypto types explicitly.
type CryptoKeyPair = webcrypto.CryptoKeyPair;
cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

export const KU = KeyUsageFlags;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR = 3600_000;

function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] as number) & 0x7f; // positive
  if (b[0] === 0) b[0] = 1;
  return Buffer.from(b).toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function toPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export interface LeafOptions {
  /** URI SANs, replacing `[id]` (`[]` for none, two entries for a bad SVID). */
  uris?: string[];
  dnsNames?: string[];
  /** Mark the leaf as a CA (bad). */
  ca?: boolean;
  /** KeyUsage bits; default digitalSignature. `null` leaves the extension out. */
  keyUsage?: number | null;
  /** EKU: default both serverAuth and clientAuth. */
  eku?: 'both' | 'server' | 'client' | 'none';
  notBefore?: Date;
  notAfter?: Date;
  /** Reuse a key pair (e.g. to make a key-mismatch case with another SVID's key). */
  keys?: CryptoKeyPair;
  /** Extra extensions (e.g. an unknown critical one, built with `rawExtension`). */
  extraExtensions?: Extension[];
}

/** A name in a NameConstraints subtree: `uri` (a host or `.domain`), `dns`, `ip` (CIDR like `10.0.0.0/8`), `email`, `dirName` (an empty directoryName). */
export type ConstraintName = { type: 'uri' | 'dns' | 'email'; value: string } | { type: 'ip'; value: string } | { type: 'dirName' };

export interface NameConstraintOptions {
  permitted?: ConstraintName[];
  excluded?: ConstraintName[];
  /** Default true (RFC 5280: MUST be critical). */
  critical?: boolean;
}

export function derTlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

function ipConstraint(cidr: string): Buffer {
  const [addr, bits] = cidr.split('/') as [string, string];
  const ip = addr.includes(':') ? ipv6Bytes(addr) : Buffer.from(addr.split('.').map(Number));
  const mask = Buffer.alloc(ip.length);
  for (let i = 0; i < Number(bits); i++) mask[i >> 3] = (mask[i >> 3] as number) | (0x80 >> (i & 7));
  return Buffer.concat([ip, mask]);
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function generalName(n: ConstraintName): Buffer {
  switch (n.type) {
    case 'email':
      return derTlv(0x81, Buffer.from(n.value, 'latin1'));
    case 'dns':
      return derTlv(0x82, Buffer.from(n.value, 'latin1'));
    case 'uri':
      return derTlv(0x86, Buffer.from(n.value, 'latin1'));
    case 'ip':
      return derTlv(0x87, ipConstraint(n.value));
    case 'dirName':
      return derTlv(0xa4, derTlv(0x30, Buffer.alloc(0)));
  }
}

/** A NameConstraints extension (2.5.29.30) built by hand (@peculiar/x509 has no class for it). */
export function nameConstraintsExtension(nc: NameConstraintOptions): Extension {
  const subtrees = (tag: number, names: ConstraintName[] | undefined): Buffer[] =>
    names === undefined || names.length === 0 ? [] : [derTlv(tag, Buffer.concat(names.map((n) => derTlv(0x30, generalName(n)))))];
  const body = derTlv(0x30, Buffer.concat([...subtrees(0xa0, nc.permitted), ...subtrees(0xa1, nc.excluded)]));
  return new ExtensionClass('2.5.29.30', nc.critical ?? true, body);
}

/** Any extension from its OID and DER value (e.g. an unknown critical one: `rawExtension('1.2.3.4', true)`). */
export function rawExtension(oid: string, critical: boolean, value: Buffer = Buffer.from([0x05, 0x00])): Extension {
  return new ExtensionClass(oid, critical, value);
}

export interface TestSvid {
  id: string;
  /** Leaf DER. */
  leafDer: Buffer;
  /** Leaf + intermediates as DER placed end to end (the Workload API's `x509_svid`). */
  chainDer: Buffer;
  /** The same, one Buffer per certificate. */
  chainDers: Buffer[];
  /** Unencrypted PKCS#8 DER (the Workload API's `x509_svid_key`). */
  keyPkcs8Der: Buffer;
  /** PEM chain (leaf first) and PEM key, for `tls` options. */
  certPem: string;
  keyPem: string;
  keys: CryptoKeyPair;
  notAfter: Date;
}

export interface TestCa {
  trustDomain: string;
  /** The CA certificate (root, or an intermediate from `child()`). */
  cert: NodeX509;
  certDer: Buffer;
  certPem: string;
  keys: CryptoKeyPair;
  /** Root-first list of this CA's ancestors' certificates, excluding the root (intermediates to put in chains). */
  intermediates: Buffer[];
  /** The root of this CA's hierarchy. */
  root: NodeX509;
  /** A bundle holding the root. */
  bundle(): X509Bundle;
  /** The root as DER (the Workload API's `bundle` field). */
  bundleDer(): Buffer;
  issue(id: string, opts?: LeafOptions): Promise<TestSvid>;
  /** An intermediate CA signed by this one. */
  child(opts?: CaOptions): Promise<TestCa>;
}

export interface CaOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** Add URI SAN spiffe://<td> to the CA (as SPIRE does). Default true. */
  uriSan?: boolean;
  /** BasicConstraints pathLenConstraint; default none. */
  pathLen?: number;
  /** BasicConstraints cA; default true (false makes a bad intermediate). */
  isCa?: boolean;
  /** KeyUsage bits; default keyCertSign | cRLSign. `null` leaves the extension out. */
  keyUsage?: number | null;
  nameConstraints?: NameConstraintOptions;
  extraExtensions?: Extension[];
}

async function makeCa(
  trustDomain: string,
  opts: CaOptions,
  parent: { keys: CryptoKeyPair; cert: AsnX509; chain: Buffer[]; root: NodeX509 } | undefined,
): Promise<TestCa> {
  const keys = await newKeys();
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 24 * HOUR);
  const extensions: Extension[] = [
    new BasicConstraintsExtension(opts.isCa ?? true, opts.pathLen, true),
    await SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const caKu = opts.keyUsage === undefined ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : opts.keyUsage;
  if (caKu !== null) extensions.push(new KeyUsagesExtension(caKu, true));
  if (opts.nameConstraints !== undefined) extensions.push(nameConstraintsExtension(opts.nameConstraints));
  extensions.push(...(opts.extraExtensions ?? []));
  if (opts.uriSan !== false) extensions.push(new SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }]));
  const name = `CN=Test CA ${serial().slice(0, 8)},O=${trustDomain}`;
  let asn: AsnX509;
  if (parent === undefined) {
    asn = await X509CertificateGenerator.createSelfSigned({ serialNumber: serial(), name, notBefore, notAfter, keys, signingAlgorithm: ALG, extensions });
  } else {
    extensions.push(await AuthorityKeyIdentifierExtension.create(parent.keys.publicKey));
    asn = await X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: name,
      issuer: parent.cert.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: parent.keys.privateKey,
      signingAlgorithm: ALG,
      extensions,
    });
  }
  const certDer = Buffer.from(asn.rawData);
  const cert = new NodeX509(certDer);
  const root = parent?.root ?? cert;
  const intermediates = parent === undefined ? [] : [certDer, ...parent.chain];

  const ca: TestCa = {
    trustDomain,
    cert,
    certDer,
    certPem: cert.toString(),
    keys,
    intermediates,
    root,
    bundle: () => new X509Bundle(trustDomain, [root]),
    bundleDer: () => Buffer.from(root.raw),
    async issue(id: string, lo: LeafOptions = {}): Promise<TestSvid> {
      const leafKeys = lo.keys ?? (await newKeys());
      const uris = lo.uris ?? [id];
      const names = [
        ...uris.map((u) => ({ type: 'url' as const, value: u })),
        ...(lo.dnsNames ?? []).map((d) => ({ type: 'dns' as const, value: d })),
      ];
      const ext: Extension[] = [
        new BasicConstraintsExtension(lo.ca === true, undefined, true),
        await SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
        await AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ];
      const ku = lo.keyUsage === undefined ? KeyUsageFlags.digitalSignature : lo.keyUsage;
      if (ku !== null) ext.push(new KeyUsagesExtension(ku, true));
      const eku = lo.eku ?? 'both';
      if (eku !== 'none') {
        const list =
          eku === 'both' ? [ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth] : eku === 'server' ? [ExtendedKeyUsage.serverAuth] : [ExtendedKeyUsage.clientAuth];
        ext.push(new ExtendedKeyUsageExtension(list));
      }
      if (names.length > 0) ext.push(new SubjectAlternativeNameExtension(names));
      ext.push(...(lo.extraExtensions ?? []));
      const leafNotAfter = lo.notAfter ?? new Date(Math.min(Date.now() + HOUR, notAfter.getTime()));
      const leaf = await X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=X509-SVID ${serial().slice(0, 8)},O=${trustDomain}`,
        issuer: asn.subject,
        notBefore: lo.notBefore ?? new Date(Date.now() - 10_000),
        notAfter: leafNotAfter,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        extensions: ext,
      });
      const leafDer = Buffer.from(leaf.rawData);
      const chainDers = [leafDer, ...intermediates];
      const keyPkcs8Der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      return {
        id,
        leafDer,
        chainDer: Buffer.concat(chainDers),
        chainDers,
        keyPkcs8Der,
        certPem: chainDers.map((d) => toPem(d, 'CERTIFICATE')).join(''),
        keyPem: toPem(keyPkcs8Der, 'PRIVATE KEY'),
        keys: leafKeys,
        notAfter: leafNotAfter,
      };
    },
    child: (co: CaOptions = {}) => makeCa(trustDomain, co, { keys, cert: asn, chain: intermediates, root }),
  };
  return ca;
}

/** A self-signed root CA for `trustDomain`. */
export function createTestCa(trustDomain = 'example.org', opts: CaOptions = {}): Promise<TestCa> {
  return makeCa(trustDomain, opts, undefined);
}

/** One `X509SVID` entry (fresh buffers) of an `X509SVIDResponse` for an SVID issued by `ca`. */
export function svidMessage(ca: TestCa, svid: TestSvid, hint = ''): NonNullable<X509SvidResponseMessage['svids']>[number] {
  // Copies: X509Source zeroes the key bytes of messages it has parsed.
  return { spiffe_id: svid.id, x509_svid: Buffer.from(svid.chainDer), x509_svid_key: Buffer.from(svid.keyPkcs8Der), bundle: ca.bundleDer(), hint };
}

/** A full `X509SVIDResponse` with one SVID and optional federated bundles (keyed `spiffe://td`). */
export function svidResponse(ca: TestCa, svid: TestSvid, federated: TestCa[] = []): X509SvidResponseMessage {
  return {
    svids: [svidMessage(ca, svid)],
    crl: [],
    federated_bundles: Object.fromEntries(federated.map((f) => [`spiffe://${f.trustDomain}`, f.bundleDer()])),
  };
}
