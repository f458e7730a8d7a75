// Splits DER certificates placed end to end (the Workload API's `x509_svid`
// and `bundle` fields). Node's X509Certificate silently parses only the first
// certificate of a concatenation, so we walk the outer SEQUENCE headers here.

export class DerError extends Error {
  override readonly name = 'DerError';
}

const SEQUENCE = 0x30;

/**
 * Returns one Buffer (a copy) per top-level DER SEQUENCE. Throws `DerError`
 * on anything else: another tag, indefinite or non-minimal length, a length
 * running past the end, or trailing bytes. An empty input gives `[]`.
 */
export function splitDerCertificates(buf: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    const start = off;
    if (buf[off] !== SEQUENCE) {
      throw new DerError(`malformed DER at byte ${start}: expected a SEQUENCE (0x30), got 0x${(buf[off] ?? 0).toString(16).padStart(2, '0')}`);
    }
    off++;
    if (off >= buf.length) throw new DerError(`malformed DER at byte ${start}: truncated length`);
    const first = buf[off++] as number;
    let len: number;
    if (first < 0x80) {
      len = first;
    } else if (first === 0x80) {
      throw new DerError(`malformed DER at byte ${start}: indefinite length is not DER`);
    } else {
      const n = first & 0x7f;
      if (n > 4) throw new DerError(`malformed DER at byte ${start}: length of ${n} bytes is too long`);
      if (off + n > buf.length) throw new DerError(`malformed DER at byte ${start}: truncated length`);
      if (buf[off] === 0) throw new DerError(`malformed DER at byte ${start}: non-minimal length`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (buf[off++] as number);
      if (len < 0x80) throw new DerError(`malformed DER at byte ${start}: non-minimal length`);
    }
    if (len > buf.length - off) {
      throw new DerError(`malformed DER at byte ${start}: element of ${len} bytes runs past the end`);
    }
    off += len;
    out.push(Buffer.from(buf.subarray(start, off)));
  }
  return out;
}
