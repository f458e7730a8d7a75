// Every policy route (upstream SPIKE 0.8.2 semantics) through the app
// with injected peer IDs.
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const P = '/v1/acl/policy';
const GET = `${P}?action=get`;
const DEL = `${P}?action=delete`;
const LIST = `${P}?action=list`;
const SU = IDS.superuser;
const APP = 'spiffe://spike.ist/workload/app-1';
const APP_RE = '^spiffe://spike\\.ist/workload/app-1$';
const OTHER = 'spiffe://spike.ist/workload/app-2';
const LITE = 'spiffe://spike.ist/spike/workload/role/lite';
const j = (v: unknown): string => JSON.stringify(v);
const spec = (name: string, o: Partial<{ spiffeidPattern: string; pathPattern: string; permissions: unknown }> = {}) =>
  j({ name, spiffeidPattern: '^spiffe://spike\\.ist/workload/.*$', pathPattern: '^apps/', permissions: ['read'], ...o });

async function ready(now?: () => Date): Promise<Harness> {
  h = await makeHarness({ installed: keyOf(1), ...(now ? { now } : {}) });
  return h;
}

describe('policy put/get/delete/list (superuser)', () => {
  it('put → 200 {}; get → data.Policy with upstream keys; re-put keeps createdAt', async () => {
    let t = Date.parse('2026-01-02T03:04:05Z');
    await ready(() => new Date((t += 60_000)));
    const r = await h!.post(P, spec('readers', { permissions: ['read', 'list'] }), SU);
    expect(r.status).toBe(200);
    expect(r.body).toBe('{}');
    const g = await h!.post(GET, '{"id":"readers"}', SU);
    expect(g.status).toBe(200);
    expect(g.body).toBe(
      '{"id":"","name":"readers","spiffiedPattern":"^spiffe://spike\\\\.ist/workload/.*$","pathPattern":"^apps/","permissions":["read","list"],"createdAt":"2026-01-02T03:05:05Z","updatedAt":"2026-01-02T03:05:05Z"}',
    );
    await h!.post(P, spec('readers', { pathPattern: '^other/' }), SU);
    const g2 = JSON.parse((await h!.post(GET, '{"id":"readers"}', SU)).body) as Record<string, unknown>;
    expect(g2).toMatchObject({ pathPattern: '^other/', permissions: ['read'], createdAt: '2026-01-02T03:05:05Z', updatedAt: '2026-01-02T03:06:05Z' });
  });

  it('list: {"policies":[{"id":"","name":…}]}, filters by exact pattern string, [] when none', async () => {
    await ready();
    expect((await h!.post(LIST, '{}', SU)).body).toBe('{"policies":[]}');
    await h!.post(P, spec('b', { pathPattern: '^x/' }), SU);
    await h!.post(P, spec('a'), SU);
    await h!.post(P, spec('c', { spiffeidPattern: APP_RE }), SU);
    expect((await h!.post(LIST, '{}', SU)).body).toBe('{"policies":[{"id":"","name":"a"},{"id":"","name":"b"},{"id":"","name":"c"}]}');
    expect((await h!.post(LIST, j({ spiffeidPattern: APP_RE }), SU)).body).toBe('{"policies":[{"id":"","name":"c"}]}');
    expect((await h!.post(LIST, j({ pathPattern: '^x/' }), SU)).body).toBe('{"policies":[{"id":"","name":"b"}]}');
    // exact equality, not regex; spiffeidPattern wins over pathPattern
    expect((await h!.post(LIST, j({ pathPattern: 'x' }), SU)).body).toBe('{"policies":[]}');
    expect((await h!.post(LIST, j({ spiffeidPattern: APP_RE, pathPattern: '^x/' }), SU)).body).toBe('{"policies":[{"id":"","name":"c"}]}');
  });

  it('delete → 200 {}; unknown name on get/delete → 404 api_not_found (upstream: 500)', async () => {
    await ready();
    await h!.post(P, spec('p'), SU);
    expect((await h!.post(DEL, '{"id":"p"}', SU)).body).toBe('{}');
    const g = await h!.post(GET, '{"id":"p"}', SU);
    expect(g.status).toBe(404);
    expect(g.body).toBe('{"id":"","name":"","spiffiedPattern":"","pathPattern":"","permissions":null,"createdAt":"0001-01-01T00:00:00Z","updatedAt":"0001-01-01T00:00:00Z","err":"api_not_found"}');
    const d = await h!.post(DEL, '{"id":"p"}', SU);
    expect(d.status).toBe(404);
    expect(d.body).toBe('{"err":"api_not_found"}');
  });
});

describe('policy validation → 400, nothing stored', () => {
  it('refuses bad names, patterns, permissions, reserved-path reach by substring', async () => {
    await ready();
    const bad: string[] = [
      spec(''),
      spec('bad!name'),
      spec('x'.repeat(251)),
      spec('p', { spiffeidPattern: '.*' }), // must start with spiffe://
      spec('p', { spiffeidPattern: '' }),
      spec('p', { spiffeidPattern: 'spiffe://spike.ist/a b' }),
      spec('p', { pathPattern: '' }),
      spec('p', { pathPattern: 'a b' }),
      spec('p', { pathPattern: 'x'.repeat(501) }),
      spec('p', { pathPattern: '(unclosed' }), // does not compile (upstream: 500)
      spec('p', { pathPattern: 'a**' }), // nested repetition: Go's regexp refuses it
      spec('p', { spiffeidPattern: 'spiffe://(a)\\1' }), // back-reference
      spec('p', { permissions: [] }),
      spec('p', { permissions: null }),
      spec('p', { permissions: ['read', 'admin'] }),
      spec('p', { permissions: 'read' }),
      spec('p', { spiffeidPattern: 'spiffe://spike\\.ist/workload/app-1', pathPattern: 'system' }), // reaches spike/system/acl by substring
      spec('p', { spiffeidPattern: 'spiffe://spike\\.ist/workload/app-1', pathPattern: 'spike/system/secret' }), // SPIFFE pattern not anchored
      '{"name":',
      '',
    ];
    for (const b of bad) {
      const r = await h!.post(P, b, SU);
      expect(r.status, b).toBe(400);
      expect(r.body, b).toBe('{"err":"api_bad_request"}');
    }
    expect((await h!.post(LIST, '{}', SU)).body).toBe('{"policies":[]}');
    expect((await h!.post(GET, '{"id":"a/b"}', SU)).status).toBe(400);
    expect((await h!.post(DEL, '{"id":""}', SU)).status).toBe(400);
    expect((await h!.post(DEL, '{"id":1}', SU)).status).toBe(400);
    expect((await h!.post(LIST, '[]', SU)).body).toBe('{"policies":null,"err":"api_bad_request"}');
  });

  it('validation itself cannot be made to backtrack (long adversarial patterns answer at once)', async () => {
    await ready();
    // (RE2 semantics: a backtracking engine would not finish these within the test's limit)
    for (const id of [`spiffe://a${'/'.repeat(2000)}!`, `spiffe://a${'/a'.repeat(1000)}!`, `^spiffe://${'a'.repeat(2040)}`]) {
      expect((await h!.post(P, spec('p', { spiffeidPattern: id }), SU)).status).toBe(400);
    }
    expect((await h!.post(P, spec('p', { pathPattern: `${'a*'.repeat(200)}b` }), SU)).status).toBe(200);
    expect((await h!.post('/v1/store/secrets?action=get', j({ path: 'a'.repeat(500) }), 'spiffe://spike.ist/workload/x')).status).toBe(401);
  });

  it('accepts deliberate reserved-path policies (both patterns anchored)', async () => {
    await ready();
    const r = await h!.post(P, spec('acl-admin', { spiffeidPattern: APP_RE, pathPattern: '^spike/system/acl$', permissions: ['write', 'read', 'list'] }), SU);
    expect(r.status).toBe(200);
  });
});

describe('policy route authorization', () => {
  it('policies granting read/write/list on spike/system/acl (anchored) delegate policy management', async () => {
    await ready();
    await h!.post(P, spec('acl-reader', { spiffeidPattern: APP_RE, pathPattern: '^spike/system/acl$', permissions: ['read', 'list'] }), SU);
    expect((await h!.post(LIST, '{}', APP)).status).toBe(200);
    expect((await h!.post(GET, '{"id":"acl-reader"}', APP)).status).toBe(200);
    const w = await h!.post(P, spec('mine'), APP);
    expect(w.status).toBe(401);
    expect(w.body).toBe('{"err":"access_unauthorized"}');
    expect((await h!.post(DEL, '{"id":"acl-reader"}', APP)).status).toBe(401);
    for (const url of [LIST, GET]) expect((await h!.post(url, '{"id":"acl-reader"}', OTHER)).status).toBe(401);
    const g = await h!.post(GET, '{"id":"acl-reader"}', OTHER);
    expect(g.body).toContain('"err":"access_unauthorized"');

    // granting write takes effect at once (cache invalidated), and so does deleting it
    await h!.post(P, spec('acl-writer', { spiffeidPattern: APP_RE, pathPattern: '^spike/system/acl$', permissions: ['write'] }), SU);
    expect((await h!.post(P, spec('mine'), APP)).status).toBe(200);
    expect((await h!.post(DEL, '{"id":"mine"}', APP)).status).toBe(200);
    expect((await h!.post(DEL, '{"id":"acl-writer"}', SU)).status).toBe(200);
    expect((await h!.post(P, spec('mine'), APP)).status).toBe(401);
  });

  it('a broad secret policy does not reach spike/system/acl by substring', async () => {
    await ready();
    await h!.post(P, spec('broad', { spiffeidPattern: 'spiffe://spike\\.ist/workload/app-1', pathPattern: '^apps/', permissions: ['super'] }), SU);
    expect((await h!.post(LIST, '{}', APP)).status).toBe(401);
  });

  it('lite workload, other roles, missing or malformed peers → 401', async () => {
    await ready();
    await h!.post(P, spec('everyone', { spiffeidPattern: '^spiffe://.*$', pathPattern: '.*', permissions: ['super'] }), SU);
    expect((await h!.post(LIST, '{}', OTHER)).status).toBe(200);
    for (const peer of [LITE, 'spiffe://x/a b', undefined]) {
      expect((await h!.post(LIST, '{}', peer)).status, String(peer)).toBe(401);
      expect((await h!.post(P, spec('x'), peer)).status, String(peer)).toBe(401);
    }
    // without a policy, no role other than the superuser manages policies
    await h!.post(DEL, '{"id":"everyone"}', SU);
    for (const peer of [IDS.recover, IDS.restore, IDS.bootstrap, IDS.keeper, OTHER]) {
      expect((await h!.post(LIST, '{}', peer)).status, peer).toBe(401);
      expect((await h!.post(P, spec('x'), peer)).status, peer).toBe(401);
    }
  });
});
