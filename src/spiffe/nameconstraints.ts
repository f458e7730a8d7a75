// NameConstraints of a CA on a verified path applied to the SAN names of each
// certificate below it (the leaf and the intermediates between),
// as Go's crypto/x509 (verify.go: matchDomainConstraint, matchURIConstraint,
// matchIPConstraint, checkNameConstraints) does: excluded subtrees first (a
// match refuses), then permitted ones (when a type has any, one must match).
// URI SANs are matched by their host (for a SPIFFE ID, the trust domain).
// rfc822Name SANs under rfc822Name constraints are refused outright (Go
// matches mailboxes; SVIDs carry none) — see docs/design.md § X.509-SVID
// verification.
import { isConstraintDomain, type CertExtensions, type NameConstraints, type NameSubtrees } from './certext.js';
import { quoteForMessage } from '../util/quote-for-message.js';

/** Labels of a domain, last first (Go's domainToReverseLabels); undefined when malformed. */
function reverseLabels(d: string): string[] | undefined {
  if (!isConstraintDomain(d)) return undefined;
  return d === '' ? [] : d.split('.').reverse();
}

/** Go's matchDomainConstraint; throws on a domain it cannot parse. */
export function matchDomainConstraint(domain: string, constraint: string): boolean {
  if (constraint === '') return true;
  const dl = reverseLabels(domain);
  if (dl === undefined) throw new Error(`cannot parse domain ${quoteForMessage(domain)}`);
  let c = constraint;
  let mustHaveSubdomains = false;
  if (c.startsWith('.')) {
    mustHaveSubdomains = true;
    c = c.slice(1);
  }
  const cl = reverseLabels(c);
  if (cl === undefined) throw new Error(`cannot parse constraint ${quoteForMessage(constraint)}`);
  if (dl.length < cl.length || (mustHaveSubdomains && dl.length === cl.length)) return false;
  return cl.every((label, i) => label.toLowerCase() === (dl[i] as string).toLowerCase());
}

function matchIp(ip: Buffer, c: { ip: Buffer; mask: Buffer }): boolean {
  if (ip.length !== c.ip.length) return false;
  for (let i = 0; i < ip.length; i++) {
    if ((((ip[i] as number) & (c.mask[i] as number)) !== ((c.ip[i] as number) & (c.mask[i] as number)))) return false;
  }
  return true;
}

function hasAny(s: NameSubtrees): boolean {
  return s.dns.length + s.uri.length + s.ip.length + s.email.length > 0;
}

function check<T, C>(name: T, permitted: C[], excluded: C[], match: (n: T, c: C) => boolean, show: string, type: string): void {
  for (const c of excluded) {
    if (match(name, c)) throw new Error(`${type} ${show} is excluded by a name constraint`);
  }
  if (permitted.length > 0 && !permitted.some((c) => match(name, c))) {
    throw new Error(`${type} ${show} is not permitted by the name constraints`);
  }
}

/** Host of a URI SAN for URI constraints (Go: empty host or an IP host cannot be matched). */
function uriHost(uri: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  let host = m?.[1] ?? '';
  host = host.slice(host.lastIndexOf('@') + 1);
  if (host.startsWith('[')) throw new Error(`URI ${quoteForMessage(uri)} has an IP host`);
  host = host.replace(/:\d*$/, '');
  if (host === '') throw new Error(`URI ${quoteForMessage(uri)} has no host to match name constraints against`);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) throw new Error(`URI ${quoteForMessage(uri)} has an IP host`);
  return host;
}

/**
 * Applies one CA's NameConstraints to one certificate's SAN names. Throws an Error
 * with a one-line reason when a name is excluded, not permitted or cannot be
 * matched.
 */
export function checkNameConstraints(nc: NameConstraints, cert: CertExtensions): void {
  const { permitted: p, excluded: e } = nc;
  if (!hasAny(p) && !hasAny(e)) return;
  for (const d of cert.dnsNames) {
    if (reverseLabels(d) === undefined) throw new Error(`cannot parse dNSName ${quoteForMessage(d)}`);
    check(d, p.dns, e.dns, matchDomainConstraint, quoteForMessage(d), 'dNSName');
  }
  for (const u of cert.uris) {
    if (p.uri.length === 0 && e.uri.length === 0) continue;
    check(uriHost(u), p.uri, e.uri, matchDomainConstraint, quoteForMessage(u), 'URI');
  }
  for (const ip of cert.ips) {
    check(ip, p.ip, e.ip, matchIp, ip.join(ip.length === 4 ? '.' : ':'), 'iPAddress');
  }
  if (cert.emails.length > 0 && (p.email.length > 0 || e.email.length > 0)) {
    throw new Error('rfc822Name SANs under rfc822Name constraints are not supported');
  }
}
