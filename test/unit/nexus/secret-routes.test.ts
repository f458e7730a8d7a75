// Every secret route (upstream SPIKE 0.8.2 semantics) through the app
// with injected peer IDs: exact bodies and status codes, versioning,
// authorization by superuser / policy / lite workload.
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const S = '/v1/store/secrets';
const GET = `${S}?action=get`;
const DEL = `${S}?action=delete`;
const UNDEL = `${S}?action=undelete`;
const LIST = `${S}?action=list`;
const META = '/v1/store/secrets/metadata?action=get';
const POLICY = '/v1/acl/policy';
const SU = IDS.superuser;
const APP = 'spiffe://spike.ist/workload/app-1';
const OTHER = 'spiffe://spike.ist/workload/app-2';
const LITE = 'spiffe://spike.ist/spike/workload/role/lite';

async function ready(o: Parameters<typeof makeHarness>[0] = {}): Promise<Harness> {
  h = await makeHarness({ installed: keyOf(1), ...o });
  return h;
}

const j = (v: unknown): string => JSON.stringify(v);

async function put(path: string, values: Record<string, string>): Promise<void> {
  const r = await h!.post(S, j({ path, values }), SU);
  expect(r.status).toBe(200);
  expect(r.body).toBe('{}');
}
const get = (path: string, version?: number, peer = SU) => h!.post(GET, j(version === undefined ? { path } : { path, version }), peer);

async function policy(name: string, spiffeidPattern: string, pathPattern: string, permissions: string[]): Promise<void> {
  const r = await h!.post(POLICY, j({ name, spiffeidPattern, pathPattern, permissions }), SU);
  expect(r.body).toBe('{}');
}

describe('versioning over the API (upstream rules)', () => {
  it('put makes versions; get reads current and by number; 404 body for missing', async () => {
    await ready();
    await put('app/db', { pass: 'v1' });
    await put('app/db', { pass: 'v2', user: 'u' });
    expect((await get('app/db')).body).toBe('{"data":{"pass":"v2","user":"u"}}');
    expect((await get('app/db', 1)).body).toBe('{"data":{"pass":"v1"}}');
    expect((await get('app/db', 0)).body).toBe('{"data":{"pass":"v2","user":"u"}}');
    for (const [p, v] of [['nope', undefined], ['app/db', 3], ['app/db', -1]] as const) {
      const r = await get(p, v);
      expect(r.status).toBe(404);
      expect(r.body).toBe('{"data":null,"err":"api_not_found"}');
    }
  });

  it('delete current → previous becomes current; delete specific; re-delete is fine; unknown versions ignored', async () => {
    await ready();
    for (const v of ['1', '2', '3']) await put('s', { v });
    expect((await h!.post(DEL, j({ path: 's', versions: [] }), SU)).body).toBe('{}');
    expect((await get('s')).body).toBe('{"data":{"v":"2"}}');
    expect((await get('s', 3)).status).toBe(404);
    expect((await h!.post(DEL, j({ path: 's', versions: [1, 99] }), SU)).status).toBe(200);
    expect((await get('s', 1)).status).toBe(404);
    expect((await get('s')).body).toBe('{"data":{"v":"2"}}');
    expect((await h!.post(DEL, j({ path: 's', versions: [1] }), SU)).status).toBe(200);
    // null versions = current
    expect((await h!.post(DEL, j({ path: 's', versions: null }), SU)).status).toBe(200);
    const all = await get('s');
    expect(all.status).toBe(404);
    // missing path → 404 {}-shaped error
    const r = await h!.post(DEL, j({ path: 'nope', versions: [0] }), SU);
    expect(r.status).toBe(404);
    expect(r.body).toBe('{"err":"api_not_found"}');
  });

  it('undelete: listed versions, [] with nothing live → highest deleted, [0] with nothing live → 404', async () => {
    await ready();
    for (const v of ['1', '2', '3']) await put('s', { v });
    await h!.post(DEL, j({ path: 's', versions: [1, 2, 3] }), SU);
    expect((await get('s')).status).toBe(404);
    // the CLI default [0] when no version is live: nothing to undelete → 404
    const zero = await h!.post(UNDEL, j({ path: 's', versions: [0] }), SU);
    expect(zero.status).toBe(404);
    expect(zero.body).toBe('{"err":"api_not_found"}');
    // the SDK default [] → the highest deleted version
    expect((await h!.post(UNDEL, j({ path: 's', versions: [] }), SU)).body).toBe('{}');
    expect((await get('s')).body).toBe('{"data":{"v":"3"}}');
    expect((await h!.post(UNDEL, j({ path: 's', versions: [1] }), SU)).status).toBe(200);
    expect((await get('s', 1)).body).toBe('{"data":{"v":"1"}}');
    expect((await get('s')).body).toBe('{"data":{"v":"3"}}');
    // undeleting a live version undeletes nothing → 404
    expect((await h!.post(UNDEL, j({ path: 's', versions: [3] }), SU)).status).toBe(404);
    expect((await h!.post(UNDEL, j({ path: 'nope', versions: [] }), SU)).status).toBe(404);
  });

  it('a put after deleting the current version gets a new number (no overwrite of the deleted one)', async () => {
    await ready();
    await put('s', { v: '1' });
    await put('s', { v: '2' });
    await h!.post(DEL, j({ path: 's', versions: [2] }), SU);
    await put('s', { v: '3' });
    expect((await get('s')).body).toBe('{"data":{"v":"3"}}');
    expect((await h!.post(UNDEL, j({ path: 's', versions: [2] }), SU)).status).toBe(200);
    expect((await get('s', 2)).body).toBe('{"data":{"v":"2"}}');
  });

  it('SPIKE_NEXUS_MAX_SECRET_VERSIONS prunes the oldest versions', async () => {
    await ready({ maxVersions: 3 });
    for (let i = 1; i <= 5; i++) await put('s', { v: String(i) });
    expect((await get('s', 1)).status).toBe(404);
    expect((await get('s', 2)).status).toBe(404);
    expect((await get('s', 3)).body).toBe('{"data":{"v":"3"}}');
    const m = JSON.parse((await h!.post(META, j({ path: 's' }), SU)).body) as { versions: Record<string, unknown>; metadata: Record<string, number> };
    expect(Object.keys(m.versions)).toEqual(['3', '4', '5']);
    expect(m.metadata).toMatchObject({ currentVersion: 5, oldestVersion: 3, maxVersions: 3 });
  });

  it('metadata get: exact upstream shape, real version numbers, deleted versions included', async () => {
    let t = Date.parse('2026-07-25T20:37:48.123Z');
    await ready({ now: () => new Date((t += 1000)) });
    await put('s', { v: '1' });
    await put('s', { v: '2' });
    await h!.post(DEL, j({ path: 's', versions: [1] }), SU);
    const r = await h!.post(META, j({ path: 's' }), SU);
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      '{"versions":{' +
        '"1":{"createdTime":"2026-07-25T20:37:49.123Z","version":1,"deletedTime":"2026-07-25T20:37:51.123Z"},' +
        '"2":{"createdTime":"2026-07-25T20:37:50.123Z","version":2,"deletedTime":null}},' +
        '"metadata":{"currentVersion":2,"oldestVersion":2,"createdTime":"2026-07-25T20:37:49.123Z","updatedTime":"2026-07-25T20:37:50.123Z","maxVersions":10}}',
    );
    // the requested version must be readable
    const deleted = await h!.post(META, j({ path: 's', version: 1 }), SU);
    expect(deleted.status).toBe(404);
    expect(deleted.body).toBe('{"metadata":{"currentVersion":0,"oldestVersion":0,"createdTime":"0001-01-01T00:00:00Z","updatedTime":"0001-01-01T00:00:00Z","maxVersions":0},"err":"api_not_found"}');
    expect((await h!.post(META, j({ path: 'nope' }), SU)).status).toBe(404);
  });

  it('list: every path, sorted, deleted ones included; [] when none; fields ignored', async () => {
    await ready();
    expect((await h!.post(LIST, '{}', SU)).body).toBe('{"keys":[]}');
    await put('b', { k: 'v' });
    await put('a/x', { k: 'v' });
    await put('B', { k: 'v' });
    await h!.post(DEL, j({ path: 'b' }), SU);
    const r = await h!.post(LIST, '{"path":"ignored"}', SU);
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"keys":["B","a/x","b"]}');
  });
});

describe('malformed input → upstream 4xx bodies, nothing changes', () => {
  it('each route answers its own BadRequest() body', async () => {
    await ready();
    await put('a', { k: 'v' });
    const cases: [string, string, string][] = [
      [S, '{"path":"a b","values":{}}', '{"err":"api_bad_request"}'],
      [S, '{"path":"a","values":{"k!":"v"}}', '{"err":"api_bad_request"}'],
      [GET, '{"path":""}', '{"data":null,"err":"api_bad_request"}'],
      [GET, '{"path":"a","version":"1"}', '{"data":null,"err":"api_bad_request"}'],
      [GET, '{"path":"a","version":1.5}', '{"data":null,"err":"api_bad_request"}'],
      [DEL, '{"path":"a","versions":"1"}', '{"err":"api_bad_request"}'],
      [DEL, '{"path":"a","versions":[1.0]}', '{"err":"api_bad_request"}'],
      [DEL, `{"path":"${'x'.repeat(501)}"}`, '{"err":"api_bad_request"}'],
      [UNDEL, '{"path":"a%","versions":[]}', '{"err":"api_bad_request"}'],
      [UNDEL, 'nope', '{"err":"api_bad_request"}'],
      [LIST, '', '{"keys":null,"err":"api_bad_request"}'],
      [LIST, '[1]', '{"keys":null,"err":"api_bad_request"}'],
      [META, '{"path":"a b"}', '{"metadata":{"currentVersion":0,"oldestVersion":0,"createdTime":"0001-01-01T00:00:00Z","updatedTime":"0001-01-01T00:00:00Z","maxVersions":0},"err":"api_bad_request"}'],
      [META, '{"path":', '{"metadata":{"currentVersion":0,"oldestVersion":0,"createdTime":"0001-01-01T00:00:00Z","updatedTime":"0001-01-01T00:00:00Z","maxVersions":0},"err":"api_bad_request"}'],
    ];
    for (const [url, body, want] of cases) {
      const r = await h!.post(url, body, SU);
      expect(r.status, `${url} ${body}`).toBe(400);
      expect(r.body, `${url} ${body}`).toBe(want);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect((await get('a')).body).toBe('{"data":{"k":"v"}}');
    expect((await h!.post(LIST, '{}', SU)).body).toBe('{"keys":["a"]}');
  });

  it('a caller with no permission at all is refused before its body is parsed (401 even when malformed; docs/design.md § Limits)', async () => {
    await ready();
    expect((await h!.post(DEL, '{', OTHER)).status).toBe(401);
    expect((await h!.post(DEL, '{"path":"a b"}', OTHER)).status).toBe(401);
    // a caller that may hold a permission: parsing still comes before authorization, as upstream
    expect((await h!.post(DEL, '{', IDS.superuser)).status).toBe(400);
  });
});

describe('authorization per route', () => {
  it('a policy allows its workload exactly what it grants; another workload gets 401', async () => {
    await ready();
    await put('apps/one/db', { pass: 'p1' });
    await put('apps/two/db', { pass: 'p2' });
    await policy('app-1-read', '^spiffe://spike\\.ist/workload/app-1$', '^apps/one/', ['read']);
    expect((await get('apps/one/db', undefined, APP)).body).toBe('{"data":{"pass":"p1"}}');
    expect((await h!.post(META, j({ path: 'apps/one/db' }), APP)).status).toBe(200);
    // denied: other path, other workload, other permissions
    const denied = [
      await get('apps/two/db', undefined, APP),
      await get('apps/one/db', undefined, OTHER),
      await h!.post(S, j({ path: 'apps/one/db', values: { x: 'y' } }), APP),
      await h!.post(DEL, j({ path: 'apps/one/db' }), APP),
      await h!.post(UNDEL, j({ path: 'apps/one/db' }), APP),
      await h!.post(LIST, '{}', APP),
    ];
    expect(denied.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(denied[0]?.body).toBe('{"data":null,"err":"access_unauthorized"}');
    expect(denied[2]?.body).toBe('{"err":"access_unauthorized"}');
    expect(denied[5]?.body).toBe('{"keys":null,"err":"access_unauthorized"}');
    expect((await get('apps/one/db')).body).toBe('{"data":{"pass":"p1"}}');
  });

  it('write grants put, delete and undelete; super grants everything', async () => {
    await ready();
    await policy('w', '^spiffe://spike\\.ist/workload/app-1$', '^apps/one/', ['write']);
    await policy('s', 'spiffe://spike\\.ist/workload/app-2$', '^apps/two/', ['super']);
    expect((await h!.post(S, j({ path: 'apps/one/db', values: { k: 'v' } }), APP)).status).toBe(200);
    expect((await h!.post(DEL, j({ path: 'apps/one/db' }), APP)).status).toBe(200);
    expect((await h!.post(UNDEL, j({ path: 'apps/one/db' }), APP)).status).toBe(200);
    expect((await get('apps/one/db', undefined, APP)).status).toBe(401);
    expect((await h!.post(S, j({ path: 'apps/two/x', values: { k: 'v' } }), OTHER)).status).toBe(200);
    expect((await get('apps/two/x', undefined, OTHER)).body).toBe('{"data":{"k":"v"}}');
  });

  it('list needs `list` on spike/system/secret through a precise policy (reserved rule)', async () => {
    await ready();
    await put('a', { k: 'v' });
    await policy('precise', `^${APP.replace(/\./g, '\\.')}$`, '^spike/system/secret$', ['list']);
    expect((await h!.post(LIST, '{}', APP)).body).toBe('{"keys":["a"]}');
    expect((await h!.post(LIST, '{}', OTHER)).status).toBe(401);
    // `list` on the reserved path grants no read of secrets
    expect((await get('a', undefined, APP)).status).toBe(401);
  });

  it('a lite workload is denied even when a policy would match; malformed peer IDs and no peer get 401', async () => {
    await ready();
    await put('a', { k: 'v' });
    await policy('all', '^spiffe://spike\\.ist/.*$', '.*', ['super']);
    expect((await get('a', undefined, OTHER)).status).toBe(200);
    for (const peer of [LITE, `${LITE}/x`, 'spiffe://spike.ist/a b', 'not-a-spiffe-id', undefined]) {
      expect((await h!.post(GET, '{"path":"a"}', peer)).status, String(peer)).toBe(401);
      expect((await h!.post(LIST, '{}', peer)).status, String(peer)).toBe(401);
    }
  });

  it('role IDs other than the superuser have no secret access', async () => {
    await ready();
    for (const id of [IDS.recover, IDS.restore, IDS.bootstrap, IDS.keeper, IDS.nexus]) {
      expect((await h!.post(S, '{"path":"a","values":{"k":"v"}}', id)).status).toBe(401);
      expect((await h!.post(META, '{"path":"a"}', id)).status).toBe(401);
    }
  });

  it('secret values never reach the logs', async () => {
    await ready();
    await put('a', { k: 'very-secret-value' });
    await get('a');
    await h!.post(META, j({ path: 'a' }), SU);
    const logs = JSON.stringify([...h!.logs.lines, ...h!.logs.audits]);
    expect(logs).not.toContain('very-secret-value');
    expect(h!.logs.audits.some((a) => a.msg === 'secret_get' || a.action === 'secret_get' || JSON.stringify(a).includes('secret_get'))).toBe(true);
  });
});
