// Secrets end to end with real processes from dist/ (npm run build first):
// a workload allowed by a policy reads a secret, one denied gets 401; every
// version operation over mTLS; malformed input → 4xx while Nexus keeps
// serving; data (versions, deletions, policies) survives a Nexus crash and a
// full break-glass restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteSecret,
  getSecret,
  getSecretMetadata,
  listSecrets,
  putPolicy,
  putSecret,
  recover,
  restore,
  undeleteSecret,
} from '../../src/client/index.js';
import { urlFor } from '../../src/protocol/paths.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOf } from '../helpers/status.js';
import { RECENT_RFC3339 } from '../helpers/expect.js';

const APP1 = 'spiffe://spike.ist/workload/app-1';
const APP2 = 'spiffe://spike.ist/workload/app-2';
const LITE = 'spiffe://spike.ist/spike/workload/role/lite';

let stack: Stack;
let pilot: StackClient;
let app1: StackClient;
let app2: StackClient;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 2, env: { SPIKE_NEXUS_MAX_SECRET_VERSIONS: '4', SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s' } });
  await stack.startAll();
  pilot = await stack.client('pilot');
  await stack.setEntry('app-1', APP1);
  await stack.setEntry('app-2', APP2);
  app1 = await stack.client('app-1');
  app2 = await stack.client('app-2');
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

async function asRole(c: StackClient, workload: string, id: string): Promise<void> {
  await stack.switchIdentity(c, id, workload);
}


describe('SPIKE Nexus secrets over mTLS', () => {
  it('a workload allowed by a policy reads its secret; a denied one gets 401', async () => {
    const nexus = stack.nexusUrl;
    await putSecret(pilot.http, nexus, 'apps/one/db', { pass: 'one-secret-value' });
    await putSecret(pilot.http, nexus, 'apps/two/db', { pass: 'two-secret-value' });
    await putPolicy(pilot.http, nexus, { name: 'app-1-reads', spiffeIdPattern: `^${APP1.replace(/\./g, '\\.')}$`, pathPattern: '^apps/one/', permissions: ['read'] });
    expect(await getSecret(app1.http, nexus, 'apps/one/db')).toEqual({ pass: 'one-secret-value' });
    expect(await statusOf(getSecret(app2.http, nexus, 'apps/one/db'))).toBe(401);
    expect(await statusOf(getSecret(app1.http, nexus, 'apps/two/db'))).toBe(401);
    expect(await statusOf(putSecret(app1.http, nexus, 'apps/one/db', { pass: 'x' }))).toBe(401);
    expect(await statusOf(listSecrets(app1.http, nexus))).toBe(401);
    // a lite workload is denied even though a catch-all policy would match it
    await putPolicy(pilot.http, nexus, { name: 'lite-try', spiffeIdPattern: '^spiffe://spike\\.ist/spike/workload/.*$', pathPattern: '^apps/', permissions: ['super'] });
    await asRole(app2, 'app-2', LITE);
    expect(await statusOf(getSecret(app2.http, nexus, 'apps/two/db'))).toBe(401);
    await asRole(app2, 'app-2', APP2);
  });

  it('every version operation', async () => {
    const n = stack.nexusUrl;
    for (const v of ['1', '2', '3']) await putSecret(pilot.http, n, 'v/s', { v });
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '3' });
    expect(await getSecret(pilot.http, n, 'v/s', 1)).toEqual({ v: '1' });
    // delete current → 2 is current
    await deleteSecret(pilot.http, n, 'v/s');
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '2' });
    expect(await statusOf(getSecret(pilot.http, n, 'v/s', 3))).toBe(404);
    // delete a given version
    await deleteSecret(pilot.http, n, 'v/s', [1]);
    let m = await getSecretMetadata(pilot.http, n, 'v/s');
    expect(m.metadata).toMatchObject({ currentVersion: 2, oldestVersion: 2, maxVersions: 4 });
    expect([...m.versions.keys()]).toEqual([1, 2, 3]);
    expect(m.versions.get(1)?.deletedTime).toEqual(RECENT_RFC3339);
    expect(m.versions.get(2)?.deletedTime).toBeNull();
    expect(await statusOf(getSecretMetadata(pilot.http, n, 'v/s', 1))).toBe(404);
    // undelete a given version; undelete of a live one → 404
    await undeleteSecret(pilot.http, n, 'v/s', [3]);
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '3' });
    expect(await statusOf(undeleteSecret(pilot.http, n, 'v/s', [3]))).toBe(404);
    // everything deleted: get 404; CLI-style [0] undelete 404; SDK-style [] brings back the highest
    await deleteSecret(pilot.http, n, 'v/s', [2, 3]);
    expect(await statusOf(getSecret(pilot.http, n, 'v/s'))).toBe(404);
    expect(await statusOf(undeleteSecret(pilot.http, n, 'v/s', [0]))).toBe(404);
    await undeleteSecret(pilot.http, n, 'v/s');
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '3' });
    // pruning beyond SPIKE_NEXUS_MAX_SECRET_VERSIONS=4
    await putSecret(pilot.http, n, 'v/s', { v: '4' });
    await putSecret(pilot.http, n, 'v/s', { v: '5' });
    m = await getSecretMetadata(pilot.http, n, 'v/s');
    expect([...m.versions.keys()]).toEqual([2, 3, 4, 5]);
    expect(m.metadata.currentVersion).toBe(5);
    // list: every path, sorted, all-deleted ones included
    await putSecret(pilot.http, n, 'gone', { k: 'v' });
    await deleteSecret(pilot.http, n, 'gone');
    expect(await listSecrets(pilot.http, n)).toEqual(['apps/one/db', 'apps/two/db', 'gone', 'v/s']);
    expect(await statusOf(deleteSecret(pilot.http, n, 'nope'))).toBe(404);
  });

  it('malformed input → 4xx, and Nexus keeps serving', async () => {
    const n = stack.nexusUrl;
    const raw = async (path: string, action: string, body: string): Promise<number> =>
      (await pilot.http.postJson(urlFor(n, path, action), Buffer.from(body))).status;
    const cases: [string, string, string, number][] = [
      ['/v1/store/secrets', '', '{"path":"a b","values":{}}', 400],
      ['/v1/store/secrets', '', '{"path":"a","values":{"k":1}}', 400],
      ['/v1/store/secrets', 'get', 'not json', 400],
      ['/v1/store/secrets', 'delete', '{"path":"a","versions":"1"}', 400],
      ['/v1/store/secrets', 'undelete', '{"path":"","versions":[]}', 400],
      ['/v1/store/secrets', 'list', '', 400],
      ['/v1/store/secrets/metadata', 'get', '{"path":"a","version":"x"}', 400],
      ['/v1/store/secrets', 'destroy', '{}', 400],
      ['/v1/acl/policy', '', '{"name":"p","spiffeidPattern":"spiffe://(","pathPattern":"a","permissions":["read"]}', 400],
      ['/v1/acl/policy', '', '{"name":"p","spiffeidPattern":"spiffe://x","pathPattern":"system","permissions":["read"]}', 400],
      ['/v1/acl/policy', 'get', '{"id":"no/such"}', 400],
    ];
    for (const [p, a, b, want] of cases) expect(await raw(p, a, b), `${p}?${a} ${b}`).toBe(want);
    expect(await getSecret(pilot.http, n, 'apps/one/db')).toEqual({ pass: 'one-secret-value' });
    expect(stack.proc('nexus').running()).toBe(true);
  });

  it('secret values never reach the Nexus logs', async () => {
    const all = JSON.stringify(stack.proc('nexus').lines) + stack.proc('nexus').raw.join('\n');
    expect(all).not.toContain('one-secret-value');
    expect(all).not.toContain('two-secret-value');
  });

  it('data survives a Nexus crash (SQLite): versions, deletions, policies', async () => {
    await stack.kill('nexus');
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'keepers' });
    const n = stack.nexusUrl;
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '5' });
    const m = await getSecretMetadata(pilot.http, n, 'v/s');
    expect([...m.versions.keys()]).toEqual([2, 3, 4, 5]);
    expect(m.versions.get(2)?.deletedTime).toEqual(RECENT_RFC3339);
    expect(await statusOf(getSecret(pilot.http, n, 'gone'))).toBe(404);
    expect(await getSecret(app1.http, n, 'apps/one/db')).toEqual({ pass: 'one-secret-value' });
    expect(await statusOf(getSecret(app2.http, n, 'apps/one/db'))).toBe(401);
  });

  it('data survives a full break-glass restore', async () => {
    await asRole(pilot, 'pilot', stack.ids.recover);
    const shards = await recover(pilot.http, stack.nexusUrl);
    for (const name of ['nexus', 'keeper-1', 'keeper-2']) await stack.kill(name);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed');
    await asRole(pilot, 'pilot', stack.ids.restore);
    let last = { restored: false };
    for (const [id, s] of shards) last = await restore(pilot.http, stack.nexusUrl, id, s!);
    expect(last.restored).toBe(true);
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    await asRole(pilot, 'pilot', stack.ids.superuser);
    const n = stack.nexusUrl;
    expect(await getSecret(pilot.http, n, 'v/s')).toEqual({ v: '5' });
    expect(await getSecret(pilot.http, n, 'v/s', 4)).toEqual({ v: '4' });
    expect(await listSecrets(pilot.http, n)).toEqual(['apps/one/db', 'apps/two/db', 'gone', 'v/s']);
    expect(await getSecret(app1.http, n, 'apps/one/db')).toEqual({ pass: 'one-secret-value' });
    expect(await statusOf(getSecret(app2.http, n, 'apps/one/db'))).toBe(401);
  });
});
