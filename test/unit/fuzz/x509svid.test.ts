// Fuzz: the SVID verifier and parser. Peer chains (arbitrary bytes, and good
// SVIDs with bytes flipped, cut, inserted or certificates shuffled) are either
// verified — and then still name the original, trusted ID — or refused with a
// one-line X509SvidError. The private key is never echoed. SAN URIs mix in
// control, line-breaking and bidi characters (dangerous.ts), raw in the
// certificate, as a hostile CA could write them.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { X509BundleSet } from '../../../src/spiffe/bundle.js';
import { X509SvidError, parseX509Svid, spiffeIdFromLeafDer, verifyX509Svid } from '../../../src/spiffe/x509svid.js';
import { createTestCa, derTlv, rawExtension, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { sprinkled } from './dangerous.js';
import { RUNS, expectRefusal } from './refusal.js';

/** Certificate parsing and ECDSA checks: a few seconds per property here, more on a loaded CI machine. */
const SLOW_MS = 90_000;
const ID = 'spiffe://example.org/spike/nexus';
const ID2 = 'spiffe://example.org/spike/keeper';

let ca: TestCa;
let bundles: X509BundleSet;
let direct: TestSvid;
let viaIntermediate: TestSvid;
let other: TestSvid;
const now = new Date();

beforeAll(async () => {
  ca = await createTestCa('example.org');
  const inter = await ca.child();
  const stranger = await createTestCa('example.org');
  direct = await ca.issue(ID);
  viaIntermediate = await inter.issue(ID2);
  other = await stranger.issue(ID);
  bundles = new X509BundleSet([ca.bundle()]);
});

interface Edit {
  at: number;
  byte: number;
  op: 'xor' | 'insert' | 'delete' | 'truncate';
}
const edits = fc.array(
  fc.record({ at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }), op: fc.constantFrom<Edit['op']>('xor', 'xor', 'insert', 'delete', 'truncate') }),
  { minLength: 1, maxLength: 3 },
);

function mutate(der: Buffer, es: readonly Edit[]): Buffer {
  const b = [...der];
  for (const e of es) {
    const i = e.at % Math.max(1, b.length);
    if (e.op === 'xor' && b.length > 0) b[i] = (b[i] as number) ^ e.byte;
    else if (e.op === 'insert') b.splice(i, 0, e.byte);
    else if (e.op === 'delete') b.splice(i, 1);
    else if (e.op === 'truncate') b.length = i;
  }
  return Buffer.from(b);
}

function checkVerify(chain: Buffer[], expectedIds: readonly string[]): void {
  let r;
  try {
    r = verifyX509Svid(chain, bundles, now);
  } catch (e) {
    expectRefusal(e, X509SvidError);
    return;
  }
  // Whatever got through must be one of the IDs the CA really issued.
  expect(expectedIds).toContain(r.id.toString());
  expect(r.verifiedChain.at(-1)?.fingerprint256).toBe(ca.root.fingerprint256);
}

describe('fuzz: verifyX509Svid', () => {
  it('arbitrary bytes as a chain', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 3 }), (parts) => {
        checkVerify(parts.map((p) => Buffer.from(p)), []);
      }),
      { numRuns: RUNS },
    );
  });

  it('DER-looking garbage (SEQUENCE headers with random content)', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 120 }), (body) => {
        const len = body.length;
        const hdr = len < 0x80 ? [0x30, len] : [0x30, 0x81, len];
        checkVerify([Buffer.from([...hdr, ...body])], []);
      }),
      { numRuns: RUNS },
    );
  });

  it('good SVIDs with mutated leaf bytes', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(edits, fc.boolean(), (es, useIntermediate) => {
        const svid = useIntermediate ? viaIntermediate : direct;
        const [leaf, ...rest] = svid.chainDers as [Buffer, ...Buffer[]];
        checkVerify([mutate(leaf, es), ...rest], [svid.id]);
      }),
      { numRuns: RUNS },
    );
  });

  it('good chains with a mutated intermediate, concatenated, or reordered', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(edits, fc.constantFrom('mutate-inter', 'concat', 'reverse', 'dup', 'stranger'), (es, how) => {
        const [leaf, inter] = viaIntermediate.chainDers as [Buffer, Buffer];
        const chain =
          how === 'mutate-inter'
            ? [leaf, mutate(inter, es)]
            : how === 'concat'
              ? [mutate(Buffer.concat([leaf, inter]), es)]
              : how === 'reverse'
                ? [inter, leaf]
                : how === 'dup'
                  ? [leaf, inter, inter, leaf]
                  : [mutate(other.leafDer, es)];
        checkVerify(chain, how === 'stranger' || how === 'reverse' ? [] : [viaIntermediate.id]);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaf ID extraction on mutated leaves', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(edits, (es) => {
        try {
          const id = spiffeIdFromLeafDer(mutate(direct.leafDer, es));
          expect(typeof id.toString()).toBe('string');
        } catch (e) {
          expectRefusal(e, X509SvidError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: parseX509Svid', () => {
  it('mutated chain or key: parsed with the matching key, or refused without echoing the key', { timeout: SLOW_MS }, () => {
    fc.assert(
      fc.property(edits, fc.constantFrom('chain', 'key', 'both', 'swap-key'), (es, what) => {
        const chain = what === 'chain' || what === 'both' ? mutate(direct.chainDer, es) : Buffer.from(direct.chainDer);
        const key =
          what === 'swap-key' ? Buffer.from(other.keyPkcs8Der) : what === 'key' || what === 'both' ? mutate(direct.keyPkcs8Der, es) : Buffer.from(direct.keyPkcs8Der);
        const keyHex = key.toString('hex');
        const keyB64 = key.toString('base64');
        try {
          const svid = parseX509Svid(chain, key, ID);
          expect(svid.id.toString()).toBe(ID);
          expect(svid.chain[0]?.checkPrivateKey(svid.privateKey)).toBe(true);
        } catch (e) {
          expectRefusal(e, X509SvidError, [keyHex.slice(-64), keyB64.slice(-40)]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: SAN entries in every encoding form', () => {
  /** One GeneralName: a type number 0..8 (URIs more often), primitive or constructed, with a value fit for its type. */
  const name = fc.record({
    num: fc.constantFrom(6, 6, 6, 6, 0, 1, 2, 3, 4, 5, 7, 8),
    constructed: fc.boolean(),
    path: sprinkled(fc.constantFrom('a', 'b', 'admin')),
  });
  const encode = (n: { num: number; constructed: boolean; path: string }): Buffer => {
    const value =
      n.num === 7 ? Buffer.from([10, 0, 0, 1]) : n.num === 2 ? Buffer.from(`${n.path}.example.org`) : n.num === 1 ? Buffer.from(`${n.path}@example.org`) : Buffer.from(`spiffe://example.org/${n.path}`);
    return n.constructed ? derTlv(0xa0 | n.num, derTlv(n.num === 7 ? 0x04 : 0x16, value)) : derTlv(0x80 | n.num, value);
  };

  it('a leaf is accepted only when OpenSSL also reads exactly one URI SAN, the one we return', { timeout: SLOW_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 4 }), async (names) => {
        const san = derTlv(0x30, Buffer.concat(names.map(encode)));
        const svid = await ca.issue(ID, { uris: [], extraExtensions: [rawExtension('2.5.29.17', false, san)] });
        let id: string | undefined;
        try {
          id = verifyX509Svid(svid.chainDers, bundles, now).id.toString();
        } catch (e) {
          expectRefusal(e, X509SvidError);
        }
        if (id === undefined) return;
        const text = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: new X509Certificate(svid.leafDer).toString(), encoding: 'utf8' }).stdout;
        expect(text.match(/URI:[^,\n]*/g)).toEqual([`URI:${id}`]);
      }),
      { numRuns: 80 },
    );
  });
});
