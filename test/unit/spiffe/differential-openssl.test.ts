// Differential tests of the chain verifier: over generated chains (path
// length, critical extensions, name constraints, CA key usage, validity,
// cross-trust-domain, a same-name impostor CA) our verdict must equal
// `openssl verify`'s (-CAfile the bundle, -untrusted the intermediates), and
// every accepted path must pass Node's X509Certificate checkIssued/verify,
// except where a SPIFFE or Go rule makes us deliberately differ; each such
// case names its reason (docs/design.md § X.509-SVID verification).
// Needs the `openssl` CLI (.ci/run installs it when missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { X509BundleSet } from '../../../src/spiffe/bundle.js';
import { verifyX509Svid } from '../../../src/spiffe/x509svid.js';
import { KU, createTestCa, rawExtension, type CaOptions, type LeafOptions, type TestCa } from '../../helpers/testca.js';

const SLOW_MS = 120_000;
const TD = 'domain1.test';
const dir = mkdtempSync(join(tmpdir(), 'svid-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (der: Buffer) => new X509Certificate(der).toString();

function opensslVerdict(root: TestCa, intermediates: Buffer[], leafDer: Buffer): boolean {
  writeFileSync(join(dir, 'root.pem'), root.root.toString());
  writeFileSync(join(dir, 'leaf.pem'), pem(leafDer));
  const args = ['verify', '-CAfile', join(dir, 'root.pem')];
  if (intermediates.length > 0) {
    writeFileSync(join(dir, 'untrusted.pem'), intermediates.map(pem).join(''));
    args.push('-untrusted', join(dir, 'untrusted.pem'));
  }
  args.push(join(dir, 'leaf.pem'));
  return spawnSync('openssl', args, { encoding: 'utf8' }).status === 0;
}

interface Scenario {
  root?: CaOptions;
  inters?: CaOptions[];
  leafId?: string;
  leaf?: LeafOptions;
  /** Sign the leaf with a CA that has the same subject name as the root but another key. */
  impostor?: boolean;
}

interface Verdicts {
  ours: boolean;
  openssl: boolean;
  /** Node's checkIssued && verify along the path we returned (true when we refused). */
  nodeAgrees: boolean;
}

async function run(s: Scenario): Promise<Verdicts> {
  const root = await createTestCa(TD, s.root ?? {});
  let ca = root;
  for (const o of s.inters ?? []) ca = await ca.child(o);
  let signer = ca;
  if (s.impostor === true) signer = await createTestCa(TD, s.root ?? {});
  const svid = await signer.issue(s.leafId ?? `spiffe://${TD}/workload`, s.leaf ?? {});
  let ours = true;
  let nodeAgrees = true;
  try {
    const { verifiedChain } = verifyX509Svid(svid.chainDers, new X509BundleSet([root.bundle()]));
    nodeAgrees = verifiedChain.every((c, i) => i === verifiedChain.length - 1 || (c.checkIssued(verifiedChain[i + 1] as X509Certificate) && c.verify((verifiedChain[i + 1] as X509Certificate).publicKey)));
  } catch {
    ours = false;
  }
  return { ours, openssl: opensslVerdict(root, svid.chainDers.slice(1), svid.leafDer), nodeAgrees };
}

const UNKNOWN_CRITICAL = rawExtension('1.3.6.1.4.1.99999.7', true);
const future = () => new Date(Date.now() + 3600_000);
const past = () => new Date(Date.now() - 3600_000);

describe('verifyX509Svid against openssl verify and Node', () => {
  it('openssl is available', () => {
    expect(execFileSync('openssl', ['version'], { encoding: 'utf8' })).toMatch(/^OpenSSL /);
  });

  it.each<[string, Scenario]>([
    ['a good leaf under the root', {}],
    ['a good leaf under two intermediates', { inters: [{}, {}] }],
    ['root pathLen 0, one intermediate', { root: { pathLen: 0 }, inters: [{}] }],
    ['root pathLen 1, one intermediate', { root: { pathLen: 1 }, inters: [{}] }],
    ['root pathLen 1, two intermediates', { root: { pathLen: 1 }, inters: [{}, {}] }],
    ['intermediate pathLen 0 above another intermediate', { inters: [{ pathLen: 0 }, {}] }],
    ['intermediate pathLen 0 signing the leaf', { inters: [{ pathLen: 0 }] }],
    ['an unknown critical extension on the leaf', { leaf: { extraExtensions: [UNKNOWN_CRITICAL] } }],
    ['an unknown critical extension on an intermediate', { inters: [{ extraExtensions: [UNKNOWN_CRITICAL] }] }],
    ['an unknown critical extension on the root', { root: { extraExtensions: [UNKNOWN_CRITICAL] } }],
    ['an unknown non-critical extension', { leaf: { extraExtensions: [rawExtension('1.3.6.1.4.1.99999.7', false)] } }],
    ['URI constraint permitting the trust domain', { root: { nameConstraints: { permitted: [{ type: 'uri', value: TD }] } } }],
    ['URI constraint permitting another host', { root: { nameConstraints: { permitted: [{ type: 'uri', value: 'other.test' }] } } }],
    ['URI constraint ".test" (subdomains)', { root: { nameConstraints: { permitted: [{ type: 'uri', value: '.test' }] } } }],
    ['URI constraint ".domain1.test" (strict subdomains only)', { inters: [{ nameConstraints: { permitted: [{ type: 'uri', value: `.${TD}` }] } }] }],
    ['URI constraint excluding the trust domain', { inters: [{ nameConstraints: { excluded: [{ type: 'uri', value: TD }] } }] }],
    ['DNS constraint and a DNS SAN outside it', { root: { nameConstraints: { permitted: [{ type: 'dns', value: 'example.com' }] } }, leaf: { dnsNames: ['x.example.net'] } }],
    ['DNS constraint ".example.com" and the DNS SAN example.com', { root: { nameConstraints: { permitted: [{ type: 'dns', value: '.example.com' }] } }, leaf: { dnsNames: ['example.com'] } }],
    ['DNS constraint ".example.com" and a DNS SAN below it', { root: { nameConstraints: { permitted: [{ type: 'dns', value: '.example.com' }] } }, leaf: { dnsNames: ['a.example.com'] } }],
    ['DNS constraint and a DNS SAN inside it', { root: { nameConstraints: { permitted: [{ type: 'dns', value: 'example.com' }] } }, leaf: { dnsNames: ['x.example.com'] } }],
    ['an intermediate that is not a CA', { inters: [{ isCa: false }] }],
    ['an intermediate CA without keyCertSign', { inters: [{ keyUsage: KU.cRLSign }] }],
    ['an intermediate not yet valid', { inters: [{ notBefore: future() }] }],
    ['an expired leaf', { leaf: { notAfter: past() } }],
    ['a same-name impostor CA', { impostor: true }],
  ])('%s: same verdict', { timeout: SLOW_MS }, async (_what, s) => {
    const v = await run(s);
    expect(v).toEqual({ ours: v.openssl, openssl: v.openssl, nodeAgrees: true });
  });

  // Deliberate differences, each with its reason.
  it.each<[string, Scenario, string]>([
    ['URI constraint "test" (no leading dot) and host domain1.test', { root: { nameConstraints: { permitted: [{ type: 'uri', value: 'test' }] } } }, 'Go (go-spiffe) matches a dotless URI constraint as a parent domain; OpenSSL only as the exact host'],
    ['a critical directoryName constraint', { root: { nameConstraints: { permitted: [{ type: 'dirName' }] } } }, 'Go does not check directoryName constraints and so refuses them when critical'],
    ['a bundle authority that is not a CA', { root: { isCa: false } }, 'Go requires the CA flag of intermediates only; a bundle authority is trusted as given'],
  ])('%s: we accept/refuse as Go does (%s)', { timeout: SLOW_MS }, async (_what, s) => {
    const v = await run(s);
    expect(v.ours).not.toBe(v.openssl);
  });

  it.each<[string, Scenario]>([
    ['a leaf of another trust domain signed by this CA (SPIFFE: a peer is checked against its own trust domain bundle)', { leafId: 'spiffe://domain2.test/workload' }],
    ['a leaf without keyUsage (stricter than go-spiffe and OpenSSL)', { leaf: { keyUsage: null } }],
    ['a leaf with two URI SANs (SPIFFE: exactly one)', { leaf: { uris: [`spiffe://${TD}/a`, `spiffe://${TD}/b`] } }],
  ])('%s: refused by us, accepted by openssl', { timeout: SLOW_MS }, async (_what, s) => {
    expect(await run(s)).toEqual({ ours: false, openssl: true, nodeAgrees: true });
  });

  it('random chains: same verdict as openssl', { timeout: SLOW_MS }, async () => {
    const caOpts: fc.Arbitrary<CaOptions> = fc.record(
      {
        pathLen: fc.constantFrom(0, 1, 2),
        nameConstraints: fc.constantFrom<CaOptions['nameConstraints']>(
          { permitted: [{ type: 'uri', value: TD }] },
          { permitted: [{ type: 'uri', value: '.test' }] },
          { permitted: [{ type: 'uri', value: 'other.test' }] },
          { excluded: [{ type: 'uri', value: `.${TD}` }] },
          { excluded: [{ type: 'uri', value: TD }] },
          { permitted: [{ type: 'dns', value: 'example.com' }] },
          { permitted: [{ type: 'dns', value: '.example.com' }] },
          { excluded: [{ type: 'dns', value: 'a.example.com' }] },
          { permitted: [{ type: 'ip', value: '10.0.0.0/8' }] },
        ),
        isCa: fc.constant(false),
        extraExtensions: fc.constant([UNKNOWN_CRITICAL]),
        keyUsage: fc.constantFrom(KU.keyCertSign, KU.cRLSign),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      // The root stays a CA: a non-CA bundle authority is a known difference (above).
      fc.asyncProperty(caOpts.map((o) => ({ ...o, isCa: true })), fc.array(caOpts, { maxLength: 3 }), fc.subarray(['example.com', 'a.example.com', 'b.example.org']), async (root, inters, dnsNames) => {
        const v = await run({ root, inters, leaf: { dnsNames } });
        expect(v).toEqual({ ours: v.openssl, openssl: v.openssl, nodeAgrees: true });
      }),
      { numRuns: 30 },
    );
  });
});
