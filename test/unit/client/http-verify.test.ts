// The SPIKE client (createSpikeHttpClient) gives Node no CA and verifies the
// server itself once the handshake is done: against a real TLS server that
// counts the application bytes it receives, a server whose SVID fails
// verification gets zero bytes and the call fails with kind `identity`; a
// good server (leaf alone or leaf + intermediate) answers.
import 'reflect-metadata';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tls from 'node:tls';
import { webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SubjectAlternativeNameExtension, X509CertificateGenerator, KeyUsagesExtension, KeyUsageFlags, BasicConstraintsExtension } from '@peculiar/x509';
import { createTestCa, svidResponse, type TestCa } from '../../helpers/testca.js';
import { createSpikeHttpClient } from '../../../src/client/http.js';
import type { SpikeHttpClient } from '../../../src/client/transport.js';
import { ClientError } from '../../../src/client/errors.js';
import { authorizeId, authorizeIf, type Authorizer } from '../../../src/spiffe/authorizer.js';
import { mtlsClientCredentials } from '../../../src/spiffe/tlsconfig.js';
import { parseX509SvidResponse, StaticX509Source } from '../../../src/spiffe/x509context.js';

const TD = 'spike.ist';
const NEXUS = `spiffe://${TD}/spike/nexus`;
const PILOT = `spiffe://${TD}/spike/pilot/role/superuser`;
const HOUR = 3600_000;

let ca: TestCa;
let otherTd: TestCa;

beforeAll(async () => {
  ca = await createTestCa(TD);
  otherTd = await createTestCa('other.org');
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TLS server presenting `certPem`: counts every application byte received, answers one HTTP 200 per request. */
async function countingServer(certPem: string, keyPem: string, keepAlive = false): Promise<{ url: URL; bytes: () => number; closed: () => number }> {
  let bytes = 0;
  let closed = 0;
  const server = tls.createServer({ cert: certPem, key: keyPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
  const sockets = new Set<tls.TLSSocket>();
  server.on('connection', (raw: import('node:net').Socket) => raw.on('close', () => closed++));
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let seen = '';
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n{}')) {
        seen = '';
        s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n{"ok":true}`);
        if (!keepAlive) s.end();
      }
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { url: new URL(`https://127.0.0.1:${port}/v1/store/secrets?action=get`), bytes: () => bytes, closed: () => closed };
}

/** The Pilot's client: its SVID from `ca`, bundles of `ca` (and `federated`), Nexus's ID pinned. */
async function pilotClient(federated: TestCa[] = [], serverAuthorizer: Authorizer = authorizeId(NEXUS)): Promise<SpikeHttpClient> {
  const source = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(PILOT), federated)));
  const c = createSpikeHttpClient({ source, serverAuthorizer, timeoutMs: 5000 });
  cleanups.push(() => c.close());
  return c;
}

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** A self-signed leaf carrying Nexus's ID (not a CA, not from any bundle). */
async function selfSignedNexus(): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'O=SPIKE',
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + HOUR),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new SubjectAlternativeNameExtension([{ type: 'url', value: NEXUS }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem'), keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n` };
}

async function callOnce(c: SpikeHttpClient, url: URL): Promise<{ ok: true; body: string } | { ok: false; error: ClientError }> {
  try {
    const res = await c.postJson(url, Buffer.from('{}'));
    return { ok: true, body: res.body.toString() };
  } catch (e) {
    if (!(e instanceof ClientError)) throw e;
    return { ok: false, error: e };
  }
}

describe('createSpikeHttpClient verifies Nexus itself, before any request byte', () => {
  const bad: [string, () => Promise<{ certPem: string; keyPem: string }>, RegExp][] = [
    ['another trust domain', () => otherTd.issue('spiffe://other.org/spike/nexus'), /bundle|trust domain/i],
    ['a federated trust domain signing for ours', () => otherTd.issue(NEXUS), /not signed by an authority of the "spike.ist" bundle/],
    ['an expired SVID', () => ca.issue(NEXUS, { notBefore: new Date(Date.now() - 2 * HOUR), notAfter: new Date(Date.now() - HOUR) }), /expired|not valid|validity/i],
    ['a wrong ID', () => ca.issue(`spiffe://${TD}/spike/keeper/1`), /unauthorized SPIFFE ID/],
    ['a self-signed leaf', () => selfSignedNexus(), /not signed by an authority|self-signed|issuer/i],
    [
      'a leaf whose intermediate is missing',
      async () => {
        const inter = await ca.child();
        const svid = await inter.issue(NEXUS);
        return { certPem: pem(svid.leafDer), keyPem: svid.keyPem };
      },
      /not signed by an authority|issuer/i,
    ],
  ];

  it.each(bad)('refuses %s: zero application bytes, kind identity', async (name, make, why) => {
    const federated = name.startsWith('a federated') ? [otherTd] : [];
    const server = await make();
    const s = await countingServer(server.certPem, server.keyPem);
    const c = await pilotClient(federated);
    const r = await callOnce(c, s.url);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('identity');
    expect(r.error.maybeSent).toBe(false);
    expect(r.error.message).toMatch(why);
    await vi.waitFor(() => expect(s.closed()).toBe(1)); // the connection is over on the server's side too
    expect(s.bytes()).toBe(0);
  });

  it.each([
    ['a leaf from the bundle', async () => ca.issue(NEXUS)],
    ['a leaf + intermediate (Node reports the intermediate it was sent, with no CA given)', async () => (await ca.child()).issue(NEXUS)],
  ])('accepts %s', async (_name, make) => {
    const svid = await make();
    const s = await countingServer(svid.certPem, svid.keyPem);
    const c = await pilotClient();
    const r = await callOnce(c, s.url);
    expect(r).toEqual({ ok: true, body: '{"ok":true}' });
    expect(s.bytes()).toBeGreaterThan(0);
  });
});

describe('a pooled connection', () => {
  it('is checked again before reuse: refused, nothing more is sent on it', async () => {
    const svid = await ca.issue(NEXUS);
    const s = await countingServer(svid.certPem, svid.keyPem, true);
    let allowed = true;
    let checks = 0;
    const c = await pilotClient([], (id) => {
      checks++;
      authorizeIf(() => allowed, 'allowed')(id);
    });
    expect(await callOnce(c, s.url)).toEqual({ ok: true, body: '{"ok":true}' });
    expect(await callOnce(c, s.url)).toEqual({ ok: true, body: '{"ok":true}' });
    expect(checks).toBe(2); // one connection (the URL is a secret get: pooled), checked at connect and at reuse
    const sent = s.bytes();
    allowed = false;
    const r = await callOnce(c, s.url);
    expect(r.ok ? 'ok' : r.error.kind).toBe('identity');
    await vi.waitFor(() => expect(s.closed()).toBe(1));
    expect(s.bytes()).toBe(sent);
  });
});

describe('a connection whose handshake never completes', () => {
  it('is closed when the call gives up (connect deadline): nothing left connecting', async () => {
    const net = await import('node:net');
    let open = 0;
    let accepted = 0;
    const server = net.createServer((sock) => {
      accepted++;
      open++;
      sock.on('close', () => open--);
      sock.on('error', () => {});
      sock.resume(); // reads (so the client's close is seen), never answers
    }); // accepts, never speaks TLS
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const source = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(PILOT))));
    const c = createSpikeHttpClient({ source, serverAuthorizer: authorizeId(NEXUS), timeoutMs: 5000, connectTimeoutMs: 150 });
    cleanups.push(() => c.close());
    const r = await callOnce(c, new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/store/secret?action=put`));
    expect(r.ok ? 'ok' : [r.error.kind, r.error.maybeSent]).toEqual(['transport', false]);
    expect(accepted).toBe(1);
    await vi.waitFor(() => expect(open).toBe(0));
  });
});

describe('mtlsClientCredentials', () => {
  it('carry an empty CA list, rejectUnauthorized false and no session', async () => {
    const source = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(PILOT))));
    const o = mtlsClientCredentials(source);
    expect(o.ca).toEqual([]);
    expect(o.rejectUnauthorized).toBe(false);
    expect('session' in o && o.session === undefined).toBe(true);
  });
});
