// The per-URL Keeper authorizer (Nexus push/recovery, Bootstrap contribute):
// a pinned URL accepts exactly its Keeper's ID; a server there presenting
// another Keeper's SVID is refused in the TLS handshake, before any request
// byte, and reported. The plain-URL form accepts any Keeper ID (upstream).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../../helpers/testca.js';
import { parseX509SvidResponse } from '../../../src/spiffe/workloadapi.js';
import { StaticX509Source } from '../../../src/spiffe/x509context.js';
import { parseSpiffeId } from '../../../src/spiffe/id.js';
import { AuthorizationError } from '../../../src/spiffe/authorizer.js';
import { ClientError } from '../../../src/client/errors.js';
import { createKeeperClients, keeperAuthorizer } from '../../../src/common/keeper-clients.js';
import { createKeeperLinks } from '../../../src/nexus/keeper-links.js';

const TD = 'spike.ist';
const ROOTS = [TD];
const K1 = `spiffe://${TD}/spike/keeper/1`;
const K2 = `spiffe://${TD}/spike/keeper/2`;

let ca: TestCa;
let nexus: StaticX509Source;
let keeper1: TestSvid;

/** A TLS server with `svid` that records every decrypted byte it receives and answers `{}`. */
interface Recorder {
  url: URL;
  bytes: () => number;
  close: () => Promise<void>;
}
const servers: Recorder[] = [];
async function recorder(svid: TestSvid): Promise<Recorder> {
  let bytes = 0;
  const server = tls.createServer({ cert: svid.certPem, key: svid.keyPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: true }, (s) => {
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const r: Recorder = {
    url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`),
    bytes: () => bytes,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
  servers.push(r);
  return r;
}

beforeAll(async () => {
  ca = await createTestCa(TD);
  nexus = new StaticX509Source(parseX509SvidResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/nexus`))));
  keeper1 = await ca.issue(K1);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('keeperAuthorizer', () => {
  it('pinned: exactly that ID, and a mismatch is reported with URL, expected and presented IDs', () => {
    const seen: unknown[] = [];
    const a = keeperAuthorizer({ url: new URL('https://k2:8543'), id: K2 }, ROOTS, (m) => seen.push(m));
    expect(() => a(parseSpiffeId(K2))).not.toThrow();
    expect(() => a(parseSpiffeId(K1))).toThrow(AuthorizationError);
    expect(() => a(parseSpiffeId(`spiffe://${TD}/spike/keeper`))).toThrow(AuthorizationError);
    expect(seen).toEqual([
      { url: 'https://k2:8543', expected: K2, presented: K1 },
      { url: 'https://k2:8543', expected: K2, presented: `spiffe://${TD}/spike/keeper` },
    ]);
  });
  it('plain URL: any Keeper ID of the keeper roots (upstream prefix rule), nothing else', () => {
    const a = keeperAuthorizer({ url: new URL('https://k2:8543'), id: undefined }, ROOTS);
    for (const id of [K1, K2, `spiffe://${TD}/spike/keeper`]) expect(() => a(parseSpiffeId(id))).not.toThrow();
    expect(() => a(parseSpiffeId(`spiffe://${TD}/spike/nexus`))).toThrow(AuthorizationError);
    expect(() => a(parseSpiffeId(`spiffe://other.td/spike/keeper/1`))).toThrow(AuthorizationError);
  });
});

describe('createKeeperClients over TLS', () => {
  it("a server with keeper-1's SVID at keeper-2's pinned URL gets no request byte; keeper-1's own URL works", async () => {
    const atK1 = await recorder(keeper1);
    const rogueAtK2 = await recorder(keeper1);
    const seen: { url: string; presented: string }[] = [];
    const clients = createKeeperClients(
      nexus,
      [
        { url: atK1.url, id: K1 },
        { url: rogueAtK2.url, id: K2 },
      ],
      ROOTS,
      5000,
      (m) => seen.push({ url: m.url, presented: m.presented }),
    );
    try {
      expect((await clients.forUrl(atK1.url).postJson(new URL('/v1/store/contribute', atK1.url), Buffer.from('{"shard":"x"}'))).status).toBe(200);
      expect(atK1.bytes()).toBeGreaterThan(0);
      const e = await clients
        .forUrl(rogueAtK2.url)
        .postJson(new URL('/v1/store/contribute', rogueAtK2.url), Buffer.from('{"shard":"secret"}'))
        .then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ClientError);
      expect((e as ClientError).kind).toBe('identity');
      expect(rogueAtK2.bytes()).toBe(0);
      expect(seen).toEqual([{ url: rogueAtK2.url.origin, presented: K1 }]);
      expect(() => clients.forUrl(new URL('https://127.0.0.1:1'))).toThrow(/no keeper configured/);
    } finally {
      clients.close();
    }
  });

  it('Nexus keeper links: push to a mismatching keeper rejects with no byte sent; the plain form accepts any keeper', async () => {
    const rogue = await recorder(keeper1);
    const pinned = createKeeperLinks(nexus, [{ url: rogue.url, id: K2 }], ROOTS, 5000);
    const plain = createKeeperLinks(nexus, [{ url: rogue.url, id: undefined }], ROOTS, 5000);
    try {
      const shard = new Uint8Array(32).fill(7);
      await expect(pinned.links[0]!.contributeShard(shard)).rejects.toMatchObject({ kind: 'identity' });
      await expect(pinned.links[0]!.fetchShard()).rejects.toMatchObject({ kind: 'identity' });
      expect(rogue.bytes()).toBe(0);
      // unpinned: the same server is a Keeper for the prefix rule and gets the request
      await plain.links[0]!.fetchShard().catch(() => undefined);
      expect(rogue.bytes()).toBeGreaterThan(0);
    } finally {
      pinned.close();
      plain.close();
    }
  });
});
