// The bootstrap verify oracle, replayed on a real stack (dist/: `npm run build`
// first): after a normal bootstrap (our Bootstrap's probe is still answered)
// and a secret put, a client holding the bootstrap SVID and a copy of
// spike.db sends the stored secret's nonce+ciphertext to
// /v1/bootstrap/verify. Upstream's Nexus answers SHA-256 of the secret's
// plaintext (an offline guessing target); ours refuses with no hash
// (docs/design.md § Bootstrap). Even a genuine probe sealed with the live
// root key (rebuilt here from the Keepers' shards) is refused once the store
// is bootstrapped.
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchShard, getSecret, putSecret } from '../../src/client/index.js';
import { encodeBootstrapVerifyRequest } from '../../src/protocol/messages.js';
import { PATH_BOOTSTRAP_VERIFY, urlFor } from '../../src/protocol/paths.js';
import { recoverSecret } from '../../src/shamir/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';

const REFUSED = '{"hash":"","err":"api_bad_request"}';

let stack: Stack;
let pilot: StackClient;
let boot: StackClient;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3 });
  await stack.startAll(); // throws unless spike-bootstrap exited 0: its probe was answered
  pilot = await stack.client('pilot');
  boot = await stack.client('bootstrap');
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

async function verify(nonce: Uint8Array, ciphertext: Uint8Array): Promise<{ status: number; body: string }> {
  const res = await boot.http.postJson(urlFor(stack.nexusUrl, PATH_BOOTSTRAP_VERIFY), encodeBootstrapVerifyRequest(nonce, ciphertext));
  return { status: res.status, body: res.body.toString('utf8') };
}

describe('bootstrap verify is not a decryption oracle', () => {
  it('Bootstrap\'s own probe was answered once (Nexus audit: ok)', () => {
    const outcomes = stack.proc('nexus').events('bootstrap_verify').map((l) => l['outcome']);
    expect(outcomes).toContain('ok');
  });

  it('refuses, with no hash, a stored secret\'s nonce+ciphertext read from spike.db by a caller with the bootstrap SVID', async () => {
    await putSecret(pilot.http, stack.nexusUrl, 'apps/db', { password: 'hunter2' });
    const db = new Database(join(stack.nexusDataDir, 'data', 'spike.db'), { readonly: true, fileMustExist: true });
    let row: { nonce: Buffer; encrypted_data: Buffer } | undefined;
    try {
      row = db.prepare('SELECT nonce, encrypted_data FROM secrets WHERE path = ? AND version = 1').get('apps/db') as typeof row;
    } finally {
      db.close();
    }
    if (row === undefined) throw new Error('the secret is not in spike.db');
    expect(row.nonce.length).toBe(12);
    const mark = stack.proc('nexus').mark();
    const r = await verify(row.nonce, row.encrypted_data);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
    const audit = await stack.proc('nexus').waitForEvent('bootstrap_verify', { after: mark });
    expect(audit['outcome']).toBe('refused');
    // Nexus still serves the secret
    expect((await getSecret(pilot.http, stack.nexusUrl, 'apps/db'))['password']).toBe('hunter2');
  });

  it('refuses even a genuine probe sealed with the live root key once the store is bootstrapped', async () => {
    // the live root key, rebuilt from two Keepers' shards (as Nexus does)
    const asNexus = await stack.client('nexus', stack.ids.keeper);
    const shards = await Promise.all(stack.keeperUrls.slice(0, 2).map((u) => fetchShard(asNexus.http, u)));
    const key = recoverSecret(shards.map((value, i) => ({ id: i + 1, value })), 2);
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    const plain = Buffer.from(randomBytes(32).toString('hex'), 'ascii');
    const ciphertext = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    key.fill(0);
    const r = await verify(nonce, ciphertext);
    expect(r.status).toBe(400);
    expect(r.body).toBe(REFUSED);
  });
});
