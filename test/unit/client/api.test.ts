import { describe, expect, it } from 'vitest';
import { ClientError } from '../../../src/client/errors.js';
import type { SpikeHttpClient } from '../../../src/client/transport.js';
import { contributeShard, fetchShard, getSecret, recover, restore, verifyBootstrap } from '../../../src/client/api.js';

const KEEPER = new URL('https://localhost:8443');
const NEXUS = new URL('https://localhost:8553/prefix');

function stub(status: number, body: string) {
  const calls: { url: string; body: string }[] = [];
  const sent: Buffer[] = [];
  const client: SpikeHttpClient = {
    postJson: async (url, b) => {
      calls.push({ url: url.href, body: Buffer.from(b).toString() });
      sent.push(b as Buffer);
      return { status, body: Buffer.from(body) };
    },
    close: () => undefined,
  };
  return { client, calls, sent };
}

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ClientError);
  return e as ClientError;
}

const SHARD = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i));

describe('typed API', () => {
  it('contributeShard sends upstream bytes to the keeper path and zeroes the request body', async () => {
    const s = stub(200, '{}');
    await contributeShard(s.client, KEEPER, SHARD);
    expect(s.calls[0]?.url).toBe('https://localhost:8443/v1/store/contribute');
    expect(s.calls[0]?.body).toBe(`{"shard":[${[...SHARD].join(',')}]}`);
    expect(s.sent[0]?.every((b) => b === 0)).toBe(true);
    expect(SHARD[0]).toBe(255); // the caller's shard is untouched
  });

  it('non-200 answers become status errors with the body code, and never echo the body', async () => {
    const e = await rejection(contributeShard(stub(401, '{"err":"access_unauthorized"}').client, KEEPER, SHARD));
    expect(e.kind).toBe('status');
    expect(e.status).toBe(401);
    expect(e.code).toBe('access_unauthorized');
    const e2 = await rejection(fetchShard(stub(400, '{"shard":null,"Err":"api_bad_request"}').client, KEEPER));
    expect(e2.code).toBe('api_bad_request');
    const e3 = await rejection(fetchShard(stub(503, 'garbage').client, KEEPER));
    expect(e3.status).toBe(503);
    expect(e3.code).toBeUndefined();
  });

  it('fetchShard decodes the Go shape; null or garbage is a decode error', async () => {
    const got = await fetchShard(stub(200, `{"shard":[${[...SHARD].join(',')}],"Err":""}`).client, KEEPER);
    expect(got.equals(SHARD)).toBe(true);
    expect((await rejection(fetchShard(stub(200, '{"shard":null,"Err":""}').client, KEEPER))).kind).toBe('decode');
    expect((await rejection(fetchShard(stub(200, 'not json').client, KEEPER))).kind).toBe('decode');
    expect((await rejection(fetchShard(stub(200, '{"shard":[300]}').client, KEEPER))).kind).toBe('decode');
  });

  it('verifyBootstrap sends base64 and returns the hash; keeps the base path', async () => {
    const s = stub(200, '{"hash":"abc"}');
    expect(await verifyBootstrap(s.client, NEXUS, Buffer.alloc(12), Buffer.from([1, 2, 3]))).toBe('abc');
    expect(s.calls[0]?.url).toBe('https://localhost:8553/prefix/v1/bootstrap/verify');
    expect(JSON.parse(s.calls[0]?.body ?? '')).toEqual({ nonce: 'AAAAAAAAAAAAAAAA', ciphertext: 'AQID' });
    const e = await rejection(verifyBootstrap(stub(200, '{"hash":"","err":"api_internal_error"}').client, NEXUS, Buffer.alloc(12), Buffer.alloc(1)));
    expect(e.kind).toBe('status');
    expect(e.code).toBe('api_internal_error');
  });

  it('recover returns shards by id, null kept as null', async () => {
    const m = await recover(stub(200, `{"shards":{"1":[${[...SHARD].join(',')}],"2":null}}`).client, NEXUS);
    expect(m.get(1)?.equals(SHARD)).toBe(true);
    expect(m.get(2)).toBeNull();
    expect((await recover(stub(200, '{"shards":null}').client, NEXUS)).size).toBe(0);
    expect((await rejection(recover(stub(200, '{"shards":{"x":[1]}}').client, NEXUS))).kind).toBe('decode');
  });

  it('restore sends id and shard, decodes the flattened status', async () => {
    const s = stub(200, '{"collected":1,"remaining":1,"restored":false}');
    expect(await restore(s.client, NEXUS, 2, SHARD)).toEqual({ collected: 1, remaining: 1, restored: false });
    expect(s.calls[0]?.body).toBe(`{"id":2,"shard":[${[...SHARD].join(',')}]}`);
  });

  it('getSecret uses action=get and maps 404', async () => {
    const s = stub(200, '{"data":{"k":"v"}}');
    expect(await getSecret(s.client, NEXUS, 'a/b')).toEqual({ k: 'v' });
    expect(s.calls[0]?.url).toBe('https://localhost:8553/prefix/v1/store/secrets?action=get');
    const e = await rejection(getSecret(stub(404, '{"data":null,"err":"api_not_found"}').client, NEXUS, 'x'));
    expect(e.status).toBe(404);
    expect(e.code).toBe('api_not_found');
  });
});
