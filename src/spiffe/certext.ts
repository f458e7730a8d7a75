// The three certificate extensions SPIFFE needs that node:crypto does not
// expose faithfully: KeyUsage (X509Certificate.keyUsage is really the EKU
// list), BasicConstraints and the URI entries of SubjectAlternativeName.
// A small, strict DER walker over the certificate's own bytes
// (RFC 5280 §4.1, §4.2.1.3, §4.2.1.6, §4.2.1.9): definite minimal lengths, low tag
// numbers, every element inside its parent, no trailing bytes, no repeated
// extension. Anything else is refused with CertDerError. Bounded: one pass,
// no recursion beyond the fixed depth of the structures read.

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

export interface CertExtensions {
  /** KeyUsage bits (see `KeyUsage`); undefined when the extension is absent. */
  keyUsage: number | undefined;
  keyUsageCritical: boolean;
  /** BasicConstraints cA; false when the extension is absent. */
  isCa: boolean;
  /** uniformResourceIdentifier entries of SubjectAlternativeName, in order. */
  uris: string[];
}

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;
const TAG_EXTENSIONS = 0xa3; // [3] EXPLICIT, constructed
const TAG_URI = 0x86; // [6] IMPLICIT IA5String

const OID_KEY_USAGE = '551d0f'; // 2.5.29.15
const OID_SAN = '551d11'; // 2.5.29.17
const OID_BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19

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
function readBasicConstraints(b: Uint8Array, value: Tlv): boolean {
  const seq = expectTag(readTlv(b, value.start, value.end), TAG_SEQUENCE, 'BasicConstraints');
  if (seq.end !== value.end) throw bad('BasicConstraints: trailing bytes');
  let ca = false;
  let i = 0;
  for (const t of children(b, seq, 2, 'BasicConstraints')) {
    if (i === 0 && t.tag === TAG_BOOLEAN) ca = readBoolean(b, t, 'BasicConstraints cA');
    else if (t.tag === TAG_INTEGER && t.end > t.start) {
      // pathLenConstraint: a non-negative INTEGER; its value does not matter here.
      if (((b[t.start] as number) & 0x80) !== 0) throw bad('BasicConstraints: negative pathLenConstraint');
    } else throw bad(`BasicConstraints: unexpected element 0x${t.tag.toString(16)}`);
    i++;
  }
  return ca;
}

/** GeneralNames ::= SEQUENCE OF GeneralName; returns the uniformResourceIdentifier entries. */
function readSanUris(b: Uint8Array, value: Tlv): string[] {
  const seq = expectTag(readTlv(b, value.start, value.end), TAG_SEQUENCE, 'SubjectAlternativeName');
  if (seq.end !== value.end) throw bad('SubjectAlternativeName: trailing bytes');
  const uris: string[] = [];
  for (const t of children(b, seq, MAX_NAMES, 'SubjectAlternativeName')) {
    const cls = t.tag & 0xc0;
    const num = t.tag & 0x1f;
    if (cls !== 0x80 || num > 8) throw bad(`SubjectAlternativeName: 0x${t.tag.toString(16)} is not a GeneralName`);
    if (t.tag !== TAG_URI) continue;
    for (let i = t.start; i < t.end; i++) {
      if ((b[i] as number) >= 0x80) throw bad('SubjectAlternativeName: URI is not an IA5String');
    }
    uris.push(Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('latin1'));
  }
  return uris;
}

function hex(b: Uint8Array, t: Tlv): string {
  return Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('hex');
}

/**
 * Reads KeyUsage, BasicConstraints and the SAN URIs of one DER certificate
 * (the whole buffer must be the certificate). Throws CertDerError.
 */
export function readCertExtensions(der: Uint8Array): CertExtensions {
  const out: CertExtensions = { keyUsage: undefined, keyUsageCritical: false, isCa: false, uris: [] };
  const cert = expectTag(readTlv(der, 0, der.length), TAG_SEQUENCE, 'Certificate');
  if (cert.end !== der.length) throw bad('trailing bytes after the certificate');
  const tbs = expectTag(readTlv(der, cert.start, cert.end), TAG_SEQUENCE, 'TBSCertificate');
  let extensions: Tlv | undefined;
  for (const t of children(der, tbs, 11, 'TBSCertificate')) {
    if (extensions !== undefined) throw bad('TBSCertificate: elements after the extensions');
    if (t.tag === TAG_EXTENSIONS) extensions = t;
  }
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
    if (oid === OID_KEY_USAGE) {
      out.keyUsage = readKeyUsage(der, value);
      out.keyUsageCritical = critical;
    } else if (oid === OID_BASIC_CONSTRAINTS) {
      out.isCa = readBasicConstraints(der, value);
    } else if (oid === OID_SAN) {
      out.uris = readSanUris(der, value);
    }
  }
  return out;
}
