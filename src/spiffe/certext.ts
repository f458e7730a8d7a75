// The certificate extensions SPIFFE chain verification needs that node:crypto
// does not expose faithfully: KeyUsage (X509Certificate.keyUsage is really
// the EKU list), BasicConstraints (cA and pathLenConstraint), the names of
// SubjectAlternativeName, NameConstraints, and which critical extensions we
// do not understand (Go's crypto/x509 list, see docs/design.md § X.509-SVID
// verification). A small, strict DER walker over the certificate's own bytes
// (RFC 5280 §4.1, §4.2.1.3, §4.2.1.6, §4.2.1.9, §4.2.1.10): definite minimal
// lengths, low tag numbers, every element inside its parent, no trailing
// bytes, no repeated extension, each GeneralName in the one form (primitive
// or constructed) its type has. Anything else is refused with CertDerError.
// Bounded: one pass, no recursion beyond the fixed depth of the structures read.
import { quoteForMessage } from '../util/quote-for-message.js';

export class CertDerError extends Error {
  override readonly name = 'CertDerError';
}

/** Bits of KeyUsage, numbered as RFC 5280 (bit 0 = digitalSignature) — same values as @peculiar/x509's KeyUsageFlags. */
export const KeyUsage = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

/** The name types of a NameConstraints subtree list that Go's crypto/x509 checks. */
export interface NameSubtrees {
  /** dNSName constraints (a leading '.' means strict subdomains, as Go matches them). */
  dns: string[];
  /** uniformResourceIdentifier constraints (host part; a leading '.' means strict subdomains). */
  uri: string[];
  /** iPAddress constraints: address and mask of equal length (4 or 16 bytes). */
  ip: { ip: Buffer; mask: Buffer }[];
  /** rfc822Name constraints. */
  email: string[];
}

export interface NameConstraints {
  permitted: NameSubtrees;
  excluded: NameSubtrees;
}

export interface CertExtensions {
  /** KeyUsage bits (see `KeyUsage`); undefined when the extension is absent. */
  keyUsage: number | undefined;
  keyUsageCritical: boolean;
  /** BasicConstraints cA; false when the extension is absent. */
  isCa: boolean;
  /** BasicConstraints pathLenConstraint; undefined when absent (no limit). */
  pathLen: number | undefined;
  /** uniformResourceIdentifier entries of SubjectAlternativeName, in order. */
  uris: string[];
  /** dNSName entries of SubjectAlternativeName. */
  dnsNames: string[];
  /** iPAddress entries of SubjectAlternativeName (4 or 16 bytes). */
  ips: Buffer[];
  /** rfc822Name entries of SubjectAlternativeName. */
  emails: string[];
  /** Every GeneralName of SubjectAlternativeName, whatever its type. */
  sanEntries: number;
  /** NameConstraints, when present. */
  nameConstraints: NameConstraints | undefined;
  /** Dotted OIDs of critical extensions Go's crypto/x509 would not handle. */
  unhandledCritical: string[];
}

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;
const TAG_EXTENSIONS = 0xa3; // [3] EXPLICIT, constructed
const TAG_URI = 0x86; // [6] IMPLICIT IA5String
const TAG_EMAIL = 0x81; // [1] IMPLICIT IA5String
const TAG_DNS = 0x82; // [2] IMPLICIT IA5String
const TAG_IP = 0x87; // [7] IMPLICIT OCTET STRING
const TAG_PERMITTED = 0xa0; // [0] GeneralSubtrees
const TAG_EXCLUDED = 0xa1; // [1] GeneralSubtrees

const OID_SUBJECT_KEY_ID = '551d0e'; // 2.5.29.14
const OID_KEY_USAGE = '551d0f'; // 2.5.29.15
const OID_SAN = '551d11'; // 2.5.29.17
const OID_BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19
const OID_NAME_CONSTRAINTS = '551d1e'; // 2.5.29.30
const OID_AUTHORITY_KEY_ID = '551d23'; // 2.5.29.35
const OID_AUTHORITY_INFO_ACCESS = '2b06010505070101'; // 1.3.6.1.5.5.7.1.1
/**
 * Extensions Go's crypto/x509 parser handles whatever their criticality
 * (besides the ones read here): CRL distribution points, extended key
 * usage, certificate policies. Critical policy
 * mappings / policy constraints / inhibitAnyPolicy are refused (stricter than
 * Go 1.22+, which evaluates them; no SPIFFE CA sets them).
 */
const HANDLED_ELSEWHERE = new Set(['551d1f', '551d25', '551d20']);

/** GeneralName tag numbers whose content is primitive: rfc822Name, dNSName, URI, iPAddress, registeredID. */
const PRIMITIVE_NAMES = new Set([1, 2, 6, 7, 8]);

/** Longest extension list we read (real SVIDs carry fewer than 10). */
const MAX_EXTENSIONS = 64;
/** Most GeneralNames we read in one SAN. */
const MAX_NAMES = 256;

interface Tlv {
  tag: number;
  /** Offset of the content. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

function bad(why: string): CertDerError {
  return new CertDerError(`malformed certificate DER: ${why}`);
}

/** One TLV at `off`, which must end at or before `limit`. */
function readTlv(b: Uint8Array, off: number, limit: number): Tlv {
  if (off + 2 > limit) throw bad(`truncated element at byte ${off}`);
  const tag = b[off] as number;
  if ((tag & 0x1f) === 0x1f) throw bad(`high tag number at byte ${off}`);
  const first = b[off + 1] as number;
  let p = off + 2;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw bad(`indefinite length at byte ${off}`);
    if (n > 4) throw bad(`length of ${n} bytes at byte ${off}`);
    if (p + n > limit) throw bad(`truncated length at byte ${off}`);
    if (b[p] === 0) throw bad(`non-minimal length at byte ${off}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p++] as number);
    if (len < 0x80) throw bad(`non-minimal length at byte ${off}`);
  }
  if (len > limit - p) throw bad(`element at byte ${off} runs past its parent`);
  return { tag, start: p, end: p + len };
}

function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw bad(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** The children of a constructed element, read one by one. */
function* children(b: Uint8Array, parent: Tlv, max: number, what: string): Generator<Tlv> {
  let off = parent.start;
  let n = 0;
  while (off < parent.end) {
    if (++n > max) throw bad(`${what}: more than ${max} elements`);
    const t = readTlv(b, off, parent.end);
    yield t;
    off = t.end;
  }
}

function readBoolean(b: Uint8Array, t: Tlv, what: string): boolean {
  expectTag(t, TAG_BOOLEAN, what);
  if (t.end - t.start !== 1) throw bad(`${what}: BOOLEAN of ${t.end - t.start} bytes`);
  const v = b[t.start];
  if (v === 0x00) return false;
  if (v === 0xff) return true;
  throw bad(`${what}: BOOLEAN value 0x${(v as number).toString(16)} is not DER`);
}

/** KeyUsage ::= BIT STRING (at most 9 named bits: two content bytes). */
function readKeyUsage(b: Uint8Array, value: Tlv): number {
  const bits = expectTag(readTlv(b, value.start, value.end), TAG_BIT_STRING, 'KeyUsage');
  if (bits.end !== value.end) throw bad('KeyUsage: trailing bytes');
  const len = bits.end - bits.start;
  if (len < 1 || len > 3) throw bad(`KeyUsage: BIT STRING of ${len} bytes`);
  const unused = b[bits.start] as number;
  if (unused > 7 || (len === 1 && unused !== 0)) throw bad(`KeyUsage: ${unused} unused bits`);
  if (len > 1 && ((b[bits.end - 1] as number) & ((1 << unused) - 1)) !== 0) throw bad('KeyUsage: unused bits are not zero');
  let usages = 0;
  for (let i = 1; i < len; i++) {
    const byte = b[bits.start + i] as number;
    for (let k = 0; k < 8; k++) if ((byte & (0x80 >> k)) !== 0) usages |= 1 << ((i - 1) * 8 + k);
  }
  return usages;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
function readBasicConstraints(b: Uint8Array, value: Tlv): { ca: boolean; pathLen: number | undefined } {
  const seq = expectTag(readTlv(b, value.start, value.end), TAG_SEQUENCE, 'BasicConstraints');
  if (seq.end !== value.end) throw bad('BasicConstraints: trailing bytes');
  let ca = false;
  let pathLen: number | undefined;
  let i = 0;
  for (const t of children(b, seq, 2, 'BasicConstraints')) {
    if (i === 0 && t.tag === TAG_BOOLEAN) ca = readBoolean(b, t, 'BasicConstraints cA');
    else if (t.tag === TAG_INTEGER && t.end > t.start && pathLen === undefined) {
      if (((b[t.start] as number) & 0x80) !== 0) throw bad('BasicConstraints: negative pathLenConstraint');
      const len = t.end - t.start;
      if (len > 1 && b[t.start] === 0 && ((b[t.start + 1] as number) & 0x80) === 0) throw bad('BasicConstraints: non-minimal pathLenConstraint');
      // Go refuses a pathLenConstraint that does not fit an int; 4 bytes is plenty for any chain.
      if (len > 4) throw bad('BasicConstraints: pathLenConstraint out of range');
      pathLen = 0;
      for (let k = t.start; k < t.end; k++) pathLen = pathLen * 256 + (b[k] as number);
    } else throw bad(`BasicConstraints: unexpected element 0x${t.tag.toString(16)}`);
    i++;
  }
  return { ca, pathLen };
}

/**
 * Checks that `t` is a GeneralName in its one valid form: context-specific,
 * tag 0..8, primitive for the string / address / OID types, constructed for
 * the others. A constructed [6] (which OpenSSL reads as a URI and Go skips)
 * is refused, so every parser sees the same names.
 */
function checkGeneralName(t: Tlv, what: string): void {
  const cls = t.tag & 0xc0;
  const num = t.tag & 0x1f;
  if (cls !== 0x80 || num > 8) throw bad(`${what}: 0x${t.tag.toString(16)} is not a GeneralName`);
  const constructed = (t.tag & 0x20) !== 0;
  if (constructed === PRIMITIVE_NAMES.has(num)) {
    throw bad(`${what}: GeneralName [${num}] in ${constructed ? 'constructed' : 'primitive'} form`);
  }
}

function ia5(b: Uint8Array, t: Tlv, what: string): string {
  for (let i = t.start; i < t.end; i++) {
    if ((b[i] as number) >= 0x80) throw bad(`${what} is not an IA5String`);
  }
  return Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('latin1');
}

function bytes(b: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(b.subarray(t.start, t.end));
}

interface SanNames {
  uris: string[];
  dnsNames: string[];
  ips: Buffer[];
  emails: string[];
  count: number;
}

/** GeneralNames ::= SEQUENCE OF GeneralName. */
function readSan(b: Uint8Array, value: Tlv): SanNames {
  const seq = expectTag(readTlv(b, value.start, value.end), TAG_SEQUENCE, 'SubjectAlternativeName');
  if (seq.end !== value.end) throw bad('SubjectAlternativeName: trailing bytes');
  const out: SanNames = { uris: [], dnsNames: [], ips: [], emails: [], count: 0 };
  for (const t of children(b, seq, MAX_NAMES, 'SubjectAlternativeName')) {
    checkGeneralName(t, 'SubjectAlternativeName');
    out.count++;
    if (t.tag === TAG_URI) out.uris.push(ia5(b, t, 'SubjectAlternativeName: URI'));
    else if (t.tag === TAG_DNS) out.dnsNames.push(ia5(b, t, 'SubjectAlternativeName: dNSName'));
    else if (t.tag === TAG_EMAIL) out.emails.push(ia5(b, t, 'SubjectAlternativeName: rfc822Name'));
    else if (t.tag === TAG_IP) {
      const len = t.end - t.start;
      if (len !== 4 && len !== 16) throw bad(`SubjectAlternativeName: iPAddress of ${len} bytes`);
      out.ips.push(bytes(b, t));
    }
  }
  return out;
}

/** Go's domainToReverseLabels validity: no empty label, no trailing '.', printable ASCII only. `''` is valid. */
export function isConstraintDomain(d: string): boolean {
  if (d === '') return true;
  return d.split('.').every((l) => l !== '' && /^[\x21-\x7e]+$/.test(l));
}

function isIpLiteral(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':');
}

/** A contiguous mask (ones then zeros), as Go's isValidIPMask. */
function isValidMask(m: Buffer): boolean {
  let seenZero = false;
  for (const byte of m) {
    for (let k = 7; k >= 0; k--) {
      const one = ((byte >> k) & 1) === 1;
      if (one && seenZero) return false;
      if (!one) seenZero = true;
    }
  }
  return true;
}

/** GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree; returns whether a name type Go does not check appeared. */
function readSubtrees(b: Uint8Array, list: Tlv, into: NameSubtrees, what: string): boolean {
  let unhandled = false;
  for (const sub of children(b, list, MAX_NAMES, what)) {
    expectTag(sub, TAG_SEQUENCE, `${what} GeneralSubtree`);
    const parts = [...children(b, sub, 3, `${what} GeneralSubtree`)];
    const base = parts[0];
    if (base === undefined) throw bad(`${what}: empty GeneralSubtree`);
    checkGeneralName(base, what);
    // minimum / maximum are ignored, as Go does (RFC 5280: minimum 0, no maximum).
    if (base.tag === TAG_DNS) {
      const d = ia5(b, base, `${what} dNSName`);
      const trimmed = d.startsWith('.') ? d.slice(1) : d;
      if (!isConstraintDomain(trimmed)) throw bad(`${what}: bad dNSName constraint ${quoteForMessage(d)}`);
      into.dns.push(d);
    } else if (base.tag === TAG_URI) {
      const d = ia5(b, base, `${what} URI`);
      if (isIpLiteral(d)) throw bad(`${what}: URI constraint ${quoteForMessage(d)} is an IP address`);
      if (!isConstraintDomain(d.startsWith('.') ? d.slice(1) : d)) throw bad(`${what}: bad URI constraint ${quoteForMessage(d)}`);
      into.uri.push(d);
    } else if (base.tag === TAG_IP) {
      const len = base.end - base.start;
      if (len !== 8 && len !== 32) throw bad(`${what}: iPAddress constraint of ${len} bytes`);
      const v = bytes(b, base);
      const mask = v.subarray(len / 2);
      if (!isValidMask(mask)) throw bad(`${what}: iPAddress constraint with a non-contiguous mask`);
      into.ip.push({ ip: v.subarray(0, len / 2), mask });
    } else if (base.tag === TAG_EMAIL) {
      into.email.push(ia5(b, base, `${what} rfc822Name`));
    } else {
      unhandled = true;
    }
  }
  return unhandled;
}

function emptySubtrees(): NameSubtrees {
  return { dns: [], uri: [], ip: [], email: [] };
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }. */
function readNameConstraints(b: Uint8Array, value: Tlv): { nc: NameConstraints; unhandled: boolean } {
  const seq = expectTag(readTlv(b, value.start, value.end), TAG_SEQUENCE, 'NameConstraints');
  if (seq.end !== value.end) throw bad('NameConstraints: trailing bytes');
  const nc: NameConstraints = { permitted: emptySubtrees(), excluded: emptySubtrees() };
  let unhandled = false;
  let last = -1;
  for (const t of children(b, seq, 2, 'NameConstraints')) {
    const which = t.tag === TAG_PERMITTED ? 0 : t.tag === TAG_EXCLUDED ? 1 : -1;
    if (which <= last) throw bad(`NameConstraints: unexpected element 0x${t.tag.toString(16)}`);
    last = which;
    if (t.end === t.start) throw bad('NameConstraints: empty subtree list');
    if (readSubtrees(b, t, which === 0 ? nc.permitted : nc.excluded, which === 0 ? 'NameConstraints permitted' : 'NameConstraints excluded')) unhandled = true;
  }
  return { nc, unhandled };
}

/** Dotted form of a DER OID content (for messages). */
function dottedOid(b: Uint8Array, t: Tlv): string {
  const arcs: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    const byte = b[i] as number;
    v = v * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

function hex(b: Uint8Array, t: Tlv): string {
  return Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('hex');
}

/**
 * Reads KeyUsage, BasicConstraints and the SAN URIs of one DER certificate
 * (the whole buffer must be the certificate). Throws CertDerError.
 */
export function readCertExtensions(der: Uint8Array): CertExtensions {
  const out: CertExtensions = {
    keyUsage: undefined,
    keyUsageCritical: false,
    isCa: false,
    pathLen: undefined,
    uris: [],
    dnsNames: [],
    ips: [],
    emails: [],
    sanEntries: 0,
    nameConstraints: undefined,
    unhandledCritical: [],
  };
  const cert = expectTag(readTlv(der, 0, der.length), TAG_SEQUENCE, 'Certificate');
  if (cert.end !== der.length) throw bad('trailing bytes after the certificate');
  const tbs = expectTag(readTlv(der, cert.start, cert.end), TAG_SEQUENCE, 'TBSCertificate');
  let extensions: Tlv | undefined;
  // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, signature, issuer, validity,
  //   subject, subjectPublicKeyInfo (five SEQUENCEs), [1] issuerUID OPTIONAL, [2] subjectUID OPTIONAL, [3] extensions OPTIONAL }
  const layout = [0xa0, TAG_INTEGER, TAG_SEQUENCE, TAG_SEQUENCE, TAG_SEQUENCE, TAG_SEQUENCE, TAG_SEQUENCE, 0x81, 0x82, TAG_EXTENSIONS];
  const optional = new Set([0, 7, 8, 9]);
  let at = 0;
  for (const t of children(der, tbs, 11, 'TBSCertificate')) {
    while (at < layout.length && layout[at] !== t.tag && optional.has(at)) at++;
    if (at >= layout.length || layout[at] !== t.tag) throw bad(`TBSCertificate: unexpected element 0x${t.tag.toString(16)}`);
    if (t.tag === TAG_EXTENSIONS) extensions = t;
    at++;
  }
  if (at < 7) throw bad('TBSCertificate: missing fields');
  if (extensions === undefined) return out;
  const list = expectTag(readTlv(der, extensions.start, extensions.end), TAG_SEQUENCE, 'Extensions');
  if (list.end !== extensions.end) throw bad('Extensions: trailing bytes');
  const seen = new Set<string>();
  for (const ext of children(der, list, MAX_EXTENSIONS, 'Extensions')) {
    expectTag(ext, TAG_SEQUENCE, 'Extension');
    const parts = [...children(der, ext, 3, 'Extension')];
    const oidTlv = parts[0];
    if (oidTlv === undefined) throw bad('Extension: empty');
    expectTag(oidTlv, TAG_OID, 'Extension extnID');
    if (oidTlv.end === oidTlv.start) throw bad('Extension: empty extnID');
    const oid = hex(der, oidTlv);
    if (seen.has(oid)) throw bad(`extension ${oid} appears twice`);
    seen.add(oid);
    let critical = false;
    let value: Tlv | undefined;
    if (parts.length === 3) {
      critical = readBoolean(der, parts[1] as Tlv, 'Extension critical');
      value = parts[2];
    } else {
      value = parts[1];
    }
    if (value === undefined) throw bad('Extension: no extnValue');
    expectTag(value, TAG_OCTET_STRING, 'Extension extnValue');
    let unhandled = false;
    if (oid === OID_KEY_USAGE) {
      out.keyUsage = readKeyUsage(der, value);
      out.keyUsageCritical = critical;
    } else if (oid === OID_BASIC_CONSTRAINTS) {
      const bc = readBasicConstraints(der, value);
      out.isCa = bc.ca;
      out.pathLen = bc.pathLen;
    } else if (oid === OID_SAN) {
      const san = readSan(der, value);
      out.uris = san.uris;
      out.dnsNames = san.dnsNames;
      out.ips = san.ips;
      out.emails = san.emails;
      out.sanEntries = san.count;
      // Go: a critical SAN holding none of the names it reads is unhandled.
      unhandled = san.uris.length + san.dnsNames.length + san.ips.length + san.emails.length === 0;
    } else if (oid === OID_NAME_CONSTRAINTS) {
      const r = readNameConstraints(der, value);
      out.nameConstraints = r.nc;
      unhandled = r.unhandled;
    } else if (oid === OID_SUBJECT_KEY_ID || oid === OID_AUTHORITY_KEY_ID || oid === OID_AUTHORITY_INFO_ACCESS) {
      // Go refuses these when critical (RFC 5280: MUST be non-critical).
      if (critical) throw bad(`extension ${dottedOid(der, oidTlv)} must not be critical`);
    } else if (!HANDLED_ELSEWHERE.has(oid)) {
      unhandled = true;
    }
    if (critical && unhandled) out.unhandledCritical.push(dottedOid(der, oidTlv));
  }
  return out;
}
