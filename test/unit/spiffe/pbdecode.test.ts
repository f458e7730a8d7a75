// pbdecode.ts: the hand-written X509SVIDResponse decoder, checked against
// protobufjs (grpc's serializer of the same proto) and fuzzed with malformed
// input: it decodes or throws ProtobufDecodeError, nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError, decodeX509SvidResponse } from '../../../src/spiffe/pbdecode.js';
import { workloadApiService, type X509SvidResponseMessage } from '../../../src/spiffe/proto.js';

const method = workloadApiService()['FetchX509SVID'];
if (method === undefined) throw new Error('no FetchX509SVID in the service definition');
const serialize = (m: X509SvidResponseMessage): Buffer => method.responseSerialize(m);

const bytes = fc.uint8Array({ maxLength: 64 });
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const svid = fc.record(
  { spiffe_id: text, x509_svid: bytes, x509_svid_key: bytes, bundle: bytes, hint: text },
  { requiredKeys: [] },
);
const response: fc.Arbitrary<X509SvidResponseMessage> = fc.record({
  svids: fc.array(svid, { maxLength: 4 }),
  crl: fc.array(bytes, { maxLength: 3 }),
  federated_bundles: fc.dictionary(text.filter((k) => k !== '__proto__'), bytes, { maxKeys: 3 }),
});

/** proto3: an unset field and its default value are the same thing. */
function normalize(m: X509SvidResponseMessage): unknown {
  const b = (x: Uint8Array | undefined): number[] => [...(x ?? [])];
  return {
    svids: (m.svids ?? []).map((s) => ({
      spiffe_id: s.spiffe_id ?? '',
      x509_svid: b(s.x509_svid),
      x509_svid_key: b(s.x509_svid_key),
      bundle: b(s.bundle),
      hint: s.hint ?? '',
    })),
    crl: (m.crl ?? []).map(b),
    federated_bundles: Object.fromEntries(Object.entries(m.federated_bundles ?? {}).map(([k, v]) => [k, b(v)])),
  };
}

function decodesOrRefuses(buf: Uint8Array): void {
  try {
    decodeX509SvidResponse(buf);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtobufDecodeError);
    expect((e as Error).message).not.toContain('\n');
  }
}

describe('decodeX509SvidResponse', () => {
  it('decodes what protobufjs encodes', () => {
    fc.assert(
      fc.property(response, (m) => {
        expect(normalize(decodeX509SvidResponse(serialize(m)))).toEqual(normalize(m));
      }),
      { numRuns: 500 },
    );
  });

  it('skips unknown fields of every wire type, at both levels', () => {
    const unknown = Buffer.from([
      0x78, 0x96, 0x01, // field 15 varint
      0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, // field 16 fixed64
      0x8a, 0x01, 0x02, 0xaa, 0xbb, // field 17 bytes
      0x95, 0x01, 1, 2, 3, 4, // field 18 fixed32
    ]);
    const inner = Buffer.concat([Buffer.from([0x0a, 0x01, 0x61]), unknown]); // spiffe_id "a" + unknowns
    const msg = Buffer.concat([unknown, Buffer.from([0x0a, inner.length]), inner, unknown]);
    const d = decodeX509SvidResponse(msg);
    expect(d.svids?.map((s) => s.spiffe_id)).toEqual(['a']);
  });

  it('keeps the last value of a repeated singular field and of a repeated map key', () => {
    const svidBytes = Buffer.from([0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62]);
    const entry = (v: number): number[] => [0x1a, 0x08, 0x0a, 0x03, 0x74, 0x2e, 0x6f, 0x12, 0x01, v];
    const msg = Buffer.from([0x0a, svidBytes.length, ...svidBytes, ...entry(1), ...entry(2)]);
    const d = decodeX509SvidResponse(msg);
    expect(d.svids?.[0]?.spiffe_id).toBe('b');
    expect([...(d.federated_bundles?.['t.o'] ?? [])]).toEqual([2]);
  });

  it('a "__proto__" map key stays an own property', () => {
    const key = [...Buffer.from('__proto__')];
    const entryBody = [0x0a, key.length, ...key, 0x12, 0x01, 7];
    const d = decodeX509SvidResponse(Buffer.from([0x1a, entryBody.length, ...entryBody]));
    expect(Object.getPrototypeOf(d.federated_bundles)).toBe(Object.prototype);
    expect(Object.keys(d.federated_bundles ?? {})).toEqual(['__proto__']);
  });

  it.each([
    ['a truncated varint', [0x78, 0x96]],
    ['an 11-byte varint', [0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a 10th varint byte above 1', [0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]],
    ['a length past the end', [0x0a, 0x05, 0x00]],
    ['a huge length', [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['field number 0', [0x02, 0x00]],
    ['a start-group wire type', [0x7b]],
    ['an end-group wire type', [0x7c]],
    ['wire type 6', [0x7e]],
    ['svids as a varint', [0x08, 0x01]],
    ['spiffe_id as fixed32', [0x0a, 0x05, 0x0d, 1, 2, 3, 4]],
    ['invalid UTF-8 in spiffe_id', [0x0a, 0x03, 0x0a, 0x01, 0xff]],
    ['a truncated fixed64', [0x79, 1, 2, 3]],
  ])('refuses %s', (_what, b) => {
    expect(() => decodeX509SvidResponse(Buffer.from(b))).toThrow(ProtobufDecodeError);
  });

  it('fuzz: arbitrary bytes decode or are refused cleanly', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => decodesOrRefuses(b)), { numRuns: 5000 });
  });

  it('fuzz: mutated valid encodings decode or are refused cleanly', () => {
    fc.assert(
      fc.property(response, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('xor', 'truncate', 'insert'), (m, at, byte, op) => {
        const b = [...serialize(m)];
        const i = at % Math.max(1, b.length);
        if (op === 'xor' && b.length > 0) b[i] = (b[i] as number) ^ byte;
        else if (op === 'truncate') b.length = i;
        else b.splice(i, 0, byte);
        decodesOrRefuses(Buffer.from(b));
      }),
      { numRuns: 2000 },
    );
  });
});
