// X.509 bundles: the CA certificates (authorities) of one trust domain, and a
// set of bundles keyed by trust domain name. Bundles authenticate X.509-SVIDs
// only; they are never general TLS roots.
import { X509Certificate } from 'node:crypto';
import { splitDerCertificates } from './der.js';
import { parseTrustDomain } from './id.js';

export class X509BundleError extends Error {
  override readonly name = 'X509BundleError';
}

export class X509Bundle {
  readonly trustDomain: string;
  readonly authorities: readonly X509Certificate[];
  readonly #fingerprints: ReadonlySet<string>;

  /** `trustDomain` may be `td` or `spiffe://td`; an empty list is legal and trusts nothing. */
  constructor(trustDomain: string, authorities: readonly X509Certificate[]) {
    this.trustDomain = parseTrustDomain(trustDomain);
    this.authorities = [...authorities];
    this.#fingerprints = new Set(this.authorities.map((c) => c.fingerprint256));
  }

  /** Parses DER certificates placed end to end (the Workload API's bundle bytes). */
  static fromDer(trustDomain: string, der: Uint8Array): X509Bundle {
    const td = parseTrustDomain(trustDomain);
    let certs: X509Certificate[];
    try {
      certs = splitDerCertificates(der).map((d) => new X509Certificate(d));
    } catch (e) {
      throw new X509BundleError(`invalid X.509 bundle for trust domain "${td}": ${(e as Error).message}`);
    }
    return new X509Bundle(td, certs);
  }

  /**
   * Parses PEM text holding certificates (as go-spiffe x509bundle.Parse: blocks
   * of other types are skipped; text with no PEM block at all is an error, and
   * so is empty text, where go-spiffe returns an empty bundle).
   */
  static fromPem(trustDomain: string, pem: string): X509Bundle {
    const td = parseTrustDomain(trustDomain);
    if (!/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/.test(pem)) {
      throw new X509BundleError(`invalid X.509 bundle for trust domain "${td}": no PEM block found`);
    }
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    try {
      return new X509Bundle(td, blocks.map((b) => new X509Certificate(b)));
    } catch (e) {
      throw new X509BundleError(`invalid X.509 bundle for trust domain "${td}": ${(e as Error).message}`);
    }
  }

  /** True when `cert` is one of this bundle's authorities (same SHA-256 fingerprint). */
  hasAuthority(cert: X509Certificate): boolean {
    return this.#fingerprints.has(cert.fingerprint256);
  }

  /** The authorities as PEM strings (what Node's `tls` `ca` option wants). */
  pems(): string[] {
    return this.authorities.map((c) => c.toString());
  }

  /** The authorities as DER placed end to end (what the Workload API sends). */
  der(): Buffer {
    return Buffer.concat(this.authorities.map((c) => c.raw));
  }

  equals(o: X509Bundle): boolean {
    return (
      this.trustDomain === o.trustDomain &&
      this.authorities.length === o.authorities.length &&
      this.authorities.every((c) => o.hasAuthority(c))
    );
  }
}

/** Anything that can hand out the bundle of a trust domain. */
export interface BundleSource {
  getX509BundleForTrustDomain(td: string): X509Bundle | undefined;
}

/** Bundles keyed by trust domain name (accepts `td` or `spiffe://td` in lookups). */
export class X509BundleSet implements BundleSource {
  readonly #bundles = new Map<string, X509Bundle>();

  constructor(bundles: Iterable<X509Bundle> = []) {
    for (const b of bundles) this.#bundles.set(b.trustDomain, b);
  }

  /** Adds or replaces the bundle of its trust domain. */
  set(bundle: X509Bundle): void {
    this.#bundles.set(bundle.trustDomain, bundle);
  }

  has(td: string): boolean {
    return this.getX509BundleForTrustDomain(td) !== undefined;
  }

  getX509BundleForTrustDomain(td: string): X509Bundle | undefined {
    let name: string;
    try {
      name = parseTrustDomain(td);
    } catch {
      return undefined;
    }
    return this.#bundles.get(name);
  }

  bundles(): X509Bundle[] {
    return [...this.#bundles.values()];
  }

  trustDomains(): string[] {
    return [...this.#bundles.keys()];
  }

  /** Every authority of every bundle as PEM (for Node's flat `ca` store; see tlsconfig for the per-domain check). */
  allPems(): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const b of this.#bundles.values()) {
      for (const c of b.authorities) {
        if (seen.has(c.fingerprint256)) continue;
        seen.add(c.fingerprint256);
        out.push(c.toString());
      }
    }
    return out;
  }

  get size(): number {
    return this.#bundles.size;
  }
}
