// /v1/cipher/encrypt and /v1/cipher/decrypt through the Nexus app, against
// upstream's shapes (spike-sdk-go reqres/cipher.go, net/cipher.go,
// net/crypto.go, net/dispatch.go; spike route/cipher/*). Ciphertexts are
// checked, and made, with node:crypto as Go's AES-256-GCM Seal makes them
// (12-byte nonce, tag appended, no associated data) under the installed root
// key — never with our own cipher code.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, PEER_HEADER, TD, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ENC = '/v1/cipher/encrypt';
const DEC = '/v1/cipher/decrypt';
const LITE = `spiffe://${TD}/spike/workload/role/lite`;
const LITE_INSTANCE = `${LITE}/instance-7`;
const APP = `spiffe://${TD}/workload/app`;

// Upstream's error bodies: the zero response struct with `err` (no omitempty on the data fields).
const ENC_UNAUTHORIZED = '{"version":0,"nonce":null,"ciphertext":null,"err":"access_unauthorized"}';
const ENC_BAD = '{"version":0,"nonce":null,"ciphertext":null,"err":"api_bad_request"}';
const DEC_UNAUTHORIZED = '{"plaintext":null,"err":"access_unauthorized"}';
const DEC_BAD = '{"plaintext":null,"err":"api_bad_request"}';
const DEC_INTERNAL = '{"plaintext":null,"err":"api_internal_error"}';

function goSeal(key: Uint8Array, plain: Buffer, nonce = randomBytes(12)): { nonce: Buffer; ciphertext: Buffer } {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return { nonce, ciphertext: Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]) };
}
function goOpen(key: Uint8Array, nonce: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

interface Answer {
  status: number;
  body: Buffer;
  type: string | undefined;
  headers: Record<string, unknown>;
}
async function post(path: string, body: Buffer | string, peer: string | undefined, contentType: string | undefined): Promise<Answer> {
  if (h === undefined) throw new Error('no harness');
  const res = await h.app.inject({
    method: 'POST',
    url: path,
    payload: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { ...(peer ? { [PEER_HEADER]: peer } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
  });
  const type = res.headers['content-type'];
  return { status: res.statusCode, body: res.rawPayload, type: typeof type === 'string' ? type : undefined, headers: res.headers };
}
const json = (path: string, body: unknown, peer?: string): Promise<Answer> => post(path, typeof body === 'string' ? body : JSON.stringify(body), peer, 'application/json');
const stream = (path: string, body: Buffer, peer?: string): Promise<Answer> => post(path, body, peer, 'application/octet-stream');
const text = (a: Answer): string => a.body.toString('utf8');

describe('cipher routes, JSON mode', () => {
  it('encrypt answers {"version":1,"nonce","ciphertext"} that AES-256-GCM under the root key opens', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const plain = Buffer.from('hello from a Go client');
    const r = await json(ENC, { plaintext: plain.toString('base64'), algorithm: 'AES-GCM' }, IDS.superuser);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    const got = JSON.parse(text(r)) as Record<string, unknown>;
    expect(Object.keys(got)).toEqual(['version', 'nonce', 'ciphertext']);
    expect(got['version']).toBe(1);
    const nonce = Buffer.from(got['nonce'] as string, 'base64');
    const ct = Buffer.from(got['ciphertext'] as string, 'base64');
    expect(nonce.length).toBe(12);
    expect(ct.length).toBe(plain.length + 16);
    expect(goOpen(key, nonce, ct)).toEqual(plain);
    // a fresh nonce every call
    const again = JSON.parse(text(await json(ENC, { plaintext: plain.toString('base64') }, IDS.superuser))) as { nonce: string };
    expect(again.nonce).not.toBe(got['nonce']);
  });

  it('decrypt opens what Go sealed with the root key → {"plaintext":b64}', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const plain = Buffer.from([0, 1, 2, 255, 10, 13]);
    const s = goSeal(key, plain);
    const r = await json(DEC, { version: 1, nonce: s.nonce.toString('base64'), ciphertext: s.ciphertext.toString('base64'), algorithm: 'x' }, IDS.superuser);
    expect([r.status, text(r)]).toEqual([200, `{"plaintext":"${plain.toString('base64')}"}`]);
  });

  it('an empty plaintext (absent or null) encrypts and decrypts to an empty plaintext, as Go nil/empty slices', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const r = JSON.parse(text(await json(ENC, '{}', IDS.superuser))) as { nonce: string; ciphertext: string };
    expect(Buffer.from(r.ciphertext, 'base64').length).toBe(16);
    const d = await json(DEC, { version: 1, nonce: r.nonce, ciphertext: r.ciphertext }, IDS.superuser);
    // Go marshals an empty (non-nil) []byte as ""
    expect([d.status, text(d)]).toEqual([200, '{"plaintext":""}']);
  });

  it('a wrong version, nonce size or oversized ciphertext → 400 with the BadRequest body', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const s = goSeal(key, Buffer.from('x'));
    const n = s.nonce.toString('base64');
    const c = s.ciphertext.toString('base64');
    for (const body of [
      { version: 2, nonce: n, ciphertext: c },
      { version: 0, nonce: n, ciphertext: c },
      { nonce: n, ciphertext: c },
      { version: 1, nonce: randomBytes(11).toString('base64'), ciphertext: c },
      { version: 1, nonce: null, ciphertext: c },
      { version: 1, nonce: n, ciphertext: randomBytes(65537).toString('base64') },
    ]) {
      const r = await json(DEC, body, IDS.superuser);
      expect([r.status, text(r)], JSON.stringify(body).slice(0, 80)).toEqual([400, DEC_BAD]);
    }
    // the cap itself is allowed through to decryption (which fails: random bytes)
    const atCap = await json(DEC, { version: 1, nonce: n, ciphertext: randomBytes(65536).toString('base64') }, IDS.superuser);
    expect([atCap.status, text(atCap)]).toEqual([500, DEC_INTERNAL]);
  });

  it('malformed JSON or a version past a byte → 400 BadRequest body', async () => {
    h = await makeHarness({ installed: keyOf(3) });
    for (const body of ['{', '[]', '{"plaintext":"not base64!"}', '{"plaintext":5}']) {
      const r = await json(ENC, body, IDS.superuser);
      expect([r.status, text(r)], body).toEqual([400, ENC_BAD]);
    }
    for (const body of ['{"version":256,"nonce":null,"ciphertext":null}', '{"version":-1}', '{"version":"1"}', 'x']) {
      const r = await json(DEC, body, IDS.superuser);
      expect([r.status, text(r)], body).toEqual([400, DEC_BAD]);
    }
  });

  it('a tampered ciphertext, a wrong key or a cut tag → 500 with the Internal body (upstream DecryptDataJSON)', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const s = goSeal(key, Buffer.from('secret text'));
    const tampered = Buffer.from(s.ciphertext);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const other = goSeal(keyOf(4), Buffer.from('secret text'));
    for (const [nonce, ct] of [
      [s.nonce, tampered],
      [other.nonce, other.ciphertext],
      [s.nonce, s.ciphertext.subarray(0, s.ciphertext.length - 1)],
      [s.nonce, Buffer.alloc(0)],
    ] as const) {
      const r = await json(DEC, { version: 1, nonce: nonce.toString('base64'), ciphertext: ct.toString('base64') }, IDS.superuser);
      expect([r.status, text(r)]).toEqual([500, DEC_INTERNAL]);
    }
    expect(JSON.stringify(h.logs.lines)).not.toContain('secret text');
  });

  it('plaintext cap: the ciphertext cap less the 16-byte tag, so that anything encrypted also decrypts', async () => {
    const key = keyOf(3);
    h = await makeHarness({ installed: key });
    const max = Buffer.alloc(65536 - 16, 7);
    const ok = await json(ENC, { plaintext: max.toString('base64') }, IDS.superuser);
    expect(ok.status).toBe(200);
    const sealed = JSON.parse(text(ok)) as { version: number; nonce: string; ciphertext: string };
    expect(Buffer.from(sealed.ciphertext, 'base64').length).toBe(65536);
    const back = await json(DEC, sealed, IDS.superuser);
    expect(back.status).toBe(200);
    expect(Buffer.from((JSON.parse(text(back)) as { plaintext: string }).plaintext, 'base64')).toEqual(max);
    const over = await json(ENC, { plaintext: Buffer.alloc(65536 - 15).toString('base64') }, IDS.superuser);
    expect([over.status, text(over)]).toEqual([400, ENC_BAD]);
  });
});

describe('cipher routes, stream mode (Content-Type: application/octet-stream)', () => {
  it('encrypt answers 0x01 ‖ nonce ‖ ciphertext (octet-stream) that AES-256-GCM under the root key opens; decrypt gives the bytes back', async () => {
    const key = keyOf(9);
    h = await makeHarness({ installed: key });
    const plain = randomBytes(5000);
    const r = await stream(ENC, plain, IDS.superuser);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/octet-stream');
    expect(r.body[0]).toBe(1);
    expect(r.body.length).toBe(1 + 12 + plain.length + 16);
    expect(goOpen(key, r.body.subarray(1, 13), r.body.subarray(13))).toEqual(plain);
    const d = await stream(DEC, r.body, IDS.superuser);
    expect([d.status, d.type]).toEqual([200, 'application/octet-stream']);
    expect(d.body).toEqual(plain);
  });

  it('decrypt opens a stream Go built (0x01 ‖ nonce ‖ Seal output)', async () => {
    const key = keyOf(9);
    h = await makeHarness({ installed: key });
    const s = goSeal(key, Buffer.from('from upstream'));
    const d = await stream(DEC, Buffer.concat([Buffer.of(1), s.nonce, s.ciphertext]), IDS.superuser);
    expect([d.status, text(d)]).toEqual([200, 'from upstream']);
  });

  it('an empty body encrypts to 29 bytes and decrypts to an empty answer', async () => {
    h = await makeHarness({ installed: keyOf(9) });
    const r = await stream(ENC, Buffer.alloc(0), IDS.superuser);
    expect([r.status, r.body.length]).toEqual([200, 29]);
    const d = await stream(DEC, r.body, IDS.superuser);
    expect([d.status, d.body.length]).toEqual([200, 0]);
  });

  it('truncated streams, another version, tampering: Go http.Error texts (400 text/plain)', async () => {
    const key = keyOf(9);
    h = await makeHarness({ installed: key });
    const s = goSeal(key, Buffer.from('abc'));
    const whole = Buffer.concat([Buffer.of(1), s.nonce, s.ciphertext]);
    const tampered = Buffer.from(whole);
    tampered[whole.length - 1] = (tampered[whole.length - 1] ?? 0) ^ 0x80;
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'crypto_failed_to_read_version\n'],
      [Buffer.of(2, ...s.nonce, ...s.ciphertext), 'crypto_unsupported_version\n'],
      [Buffer.of(0), 'crypto_unsupported_version\n'],
      [whole.subarray(0, 1), 'crypto_failed_to_read_nonce\n'],
      [whole.subarray(0, 12), 'crypto_failed_to_read_nonce\n'],
      [whole.subarray(0, 13), 'decryption failed\n'],
      [whole.subarray(0, whole.length - 1), 'decryption failed\n'],
      [tampered, 'decryption failed\n'],
    ];
    for (const [body, want] of cases) {
      const r = await stream(DEC, body, IDS.superuser);
      expect([r.status, r.type, r.headers['x-content-type-options'], text(r)], `${body.length} bytes`).toEqual([400, 'text/plain; charset=utf-8', 'nosniff', want]);
    }
  });

  it('a stream ciphertext over the cap → 400 BadRequest JSON body; a plaintext over the cap too', async () => {
    h = await makeHarness({ installed: keyOf(9) });
    const big = Buffer.concat([Buffer.of(1), randomBytes(12), randomBytes(65537)]);
    const r = await stream(DEC, big, IDS.superuser);
    expect([r.status, r.type, text(r)]).toEqual([400, 'application/json', DEC_BAD]);
    const e = await stream(ENC, Buffer.alloc(65536 - 15), IDS.superuser);
    expect([e.status, text(e)]).toEqual([400, ENC_BAD]);
  });

  it('only the exact Content-Type selects stream mode (Go compares the header as sent)', async () => {
    h = await makeHarness({ installed: keyOf(9) });
    const r = await post(ENC, Buffer.from('raw bytes'), IDS.superuser, 'application/octet-stream; charset=binary');
    expect([r.status, text(r)]).toEqual([400, ENC_BAD]);
  });
});

describe('cipher routes: who may call', () => {
  it('the superuser and lite workloads (the base ID and below it) may; other roles and unknown workloads get 401', async () => {
    const key = keyOf(5);
    h = await makeHarness({ installed: key });
    const s = goSeal(key, Buffer.from('p'));
    const dec = { version: 1, nonce: s.nonce.toString('base64'), ciphertext: s.ciphertext.toString('base64') };
    for (const who of [IDS.superuser, LITE, LITE_INSTANCE]) {
      expect((await json(ENC, { plaintext: 'cA==' }, who)).status, who).toBe(200);
      expect((await json(DEC, dec, who)).status, who).toBe(200);
      expect((await stream(ENC, Buffer.from('p'), who)).status, who).toBe(200);
    }
    for (const who of [IDS.recover, IDS.restore, IDS.bootstrap, IDS.nexus, APP, `${LITE}x`, `spiffe://other.td/spike/workload/role/lite`, undefined]) {
      const e = await json(ENC, { plaintext: 'cA==' }, who);
      expect([e.status, text(e)], String(who)).toEqual([401, ENC_UNAUTHORIZED]);
      const d = await json(DEC, dec, who);
      expect([d.status, text(d)], String(who)).toEqual([401, DEC_UNAUTHORIZED]);
      const ds = await stream(DEC, Buffer.concat([Buffer.of(1), s.nonce, s.ciphertext]), who);
      expect([ds.status, ds.type, text(ds)], String(who)).toEqual([401, 'application/json', DEC_UNAUTHORIZED]);
    }
    expect(h.logs.audits.some((a) => a.action === 'cipher_decrypt' && a['outcome'] === 'unauthorized')).toBe(true);
  });

  it('a workload with a policy granting execute on spike/system/cipher/exec may; read/write on it, or execute elsewhere, may not', async () => {
    const key = keyOf(5);
    h = await makeHarness({ installed: key });
    const put = async (name: string, pathPattern: string, permissions: string[]): Promise<void> => {
      const r = await json('/v1/acl/policy', { name, spiffeidPattern: '^spiffe://spike\\.ist/workload/app$', pathPattern, permissions }, IDS.superuser);
      expect(r.status).toBe(200);
    };
    await put('rw', '^spike/system/cipher/exec$', ['read', 'write']);
    await put('elsewhere', '^apps/.*$', ['execute']);
    expect((await json(ENC, { plaintext: 'cA==' }, APP)).status).toBe(401);
    await put('cipher', '^spike/system/cipher/exec$', ['execute']);
    expect((await json(ENC, { plaintext: 'cA==' }, APP)).status).toBe(200);
    const s = goSeal(key, Buffer.from('q'));
    expect((await stream(DEC, Buffer.concat([Buffer.of(1), s.nonce, s.ciphertext]), APP)).body.toString()).toBe('q');
  });

  it('a caller with no possible access gets 401 before its body is read (docs/design.md § Limits), malformed or not', async () => {
    h = await makeHarness({ installed: keyOf(5) });
    // upstream's encrypt would parse first and answer 400 here; the early filter answers 401 with connection: close
    const e = await json(ENC, '{', IDS.recover);
    expect([text(e), e.headers['connection']]).toEqual([ENC_UNAUTHORIZED, 'close']);
    expect(text(await json(DEC, '{', IDS.recover))).toBe(DEC_UNAUTHORIZED);
    expect(text(await stream(DEC, Buffer.alloc(0), IDS.recover))).toBe(DEC_UNAUTHORIZED);
  });
});

describe('cipher routes: backends and keys', () => {
  it('lite backend: served, with the root key', async () => {
    const key = keyOf(6);
    h = await makeHarness({ backend: 'lite', installed: key });
    const r = await stream(ENC, Buffer.from('lite data'), LITE);
    expect(r.status).toBe(200);
    expect(goOpen(key, r.body.subarray(1, 13), r.body.subarray(13)).toString()).toBe('lite data');
  });

  it('memory backend: a key of the process (no root key), the same for encrypt and decrypt', async () => {
    h = await makeHarness({ backend: 'memory' });
    const r = await stream(ENC, Buffer.from('mem'), IDS.superuser);
    expect(r.status).toBe(200);
    expect(text(await stream(DEC, r.body, IDS.superuser))).toBe('mem');
    // not the all-zero key or a fixed one
    expect(() => goOpen(new Uint8Array(32), r.body.subarray(1, 13), r.body.subarray(13))).toThrow();
  });

  it('before the root key is known: 503 state_not_ready (the app gate), nothing opened', async () => {
    h = await makeHarness({});
    const r = await json(ENC, { plaintext: 'cA==' }, IDS.superuser);
    expect([r.status, text(r)]).toEqual([503, '{"err":"state_not_ready"}']);
  });

  it('a ciphertext made under another root key does not open (wrong key version): JSON 500, stream 400 "decryption failed"', async () => {
    h = await makeHarness({ installed: keyOf(7) });
    const s = goSeal(keyOf(8), Buffer.from('old'));
    expect(text(await json(DEC, { version: 1, nonce: s.nonce.toString('base64'), ciphertext: s.ciphertext.toString('base64') }, IDS.superuser))).toBe(DEC_INTERNAL);
    expect(text(await stream(DEC, Buffer.concat([Buffer.of(1), s.nonce, s.ciphertext]), IDS.superuser))).toBe('decryption failed\n');
  });
});
