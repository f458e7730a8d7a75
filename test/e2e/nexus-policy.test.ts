// Policies end to end with real processes from dist/ (npm run build first):
// create/apply, get, list with filters, delete over mTLS; delegated policy
// management through a policy on spike/system/acl; the reserved rule;
// invalid policies → 400; a policy change takes effect at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePolicy, getPolicy, getSecret, listPolicies, listSecrets, putPolicy, putSecret } from '../../src/client/index.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { statusOf } from '../helpers/status.js';

const APP1 = 'spiffe://spike.ist/workload/app-1';
const APP1_RE = '^spiffe://spike\\.ist/workload/app-1$';

let stack: Stack;
let pilot: StackClient;
let app1: StackClient;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 2 });
  await stack.startAll();
  pilot = await stack.client('pilot');
  await stack.setEntry('app-1', APP1);
  app1 = await stack.client('app-1');
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});


describe('SPIKE Nexus policies over mTLS', () => {
  it('create, apply (upsert keeps createdAt), get, list with filters, delete', async () => {
    const n = stack.nexusUrl;
    await putPolicy(pilot.http, n, { name: 'readers', spiffeIdPattern: APP1_RE, pathPattern: '^apps/', permissions: ['read'] });
    await putPolicy(pilot.http, n, { name: 'writers', spiffeIdPattern: '^spiffe://spike\\.ist/workload/.*$', pathPattern: '^tmp/', permissions: ['write', 'read'] });
    const p1 = await getPolicy(pilot.http, n, 'readers');
    expect(p1).toMatchObject({ name: 'readers', spiffeIdPattern: APP1_RE, pathPattern: '^apps/', permissions: ['read'] });
    await putPolicy(pilot.http, n, { name: 'readers', spiffeIdPattern: APP1_RE, pathPattern: '^apps/', permissions: ['read', 'list'] });
    const p2 = await getPolicy(pilot.http, n, 'readers');
    expect(p2.permissions).toEqual(['read', 'list']);
    expect(p2.createdAt).toBe(p1.createdAt);
    expect(await listPolicies(pilot.http, n)).toEqual(['readers', 'writers']);
    expect(await listPolicies(pilot.http, n, { spiffeIdPattern: APP1_RE })).toEqual(['readers']);
    expect(await listPolicies(pilot.http, n, { pathPattern: '^tmp/' })).toEqual(['writers']);
    expect(await listPolicies(pilot.http, n, { pathPattern: 'tmp' })).toEqual([]);
    await deletePolicy(pilot.http, n, 'writers');
    expect(await listPolicies(pilot.http, n)).toEqual(['readers']);
    expect(await statusOf(getPolicy(pilot.http, n, 'writers'))).toBe(404);
    expect(await statusOf(deletePolicy(pilot.http, n, 'writers'))).toBe(404);
  });

  it('invalid policies → 400, nothing stored', async () => {
    const n = stack.nexusUrl;
    const bad = [
      { name: 'bad name!', spiffeIdPattern: APP1_RE, pathPattern: 'a', permissions: ['read'] },
      { name: 'p', spiffeIdPattern: '.*', pathPattern: 'a', permissions: ['read'] },
      { name: 'p', spiffeIdPattern: APP1_RE, pathPattern: '(', permissions: ['read'] },
      { name: 'p', spiffeIdPattern: APP1_RE, pathPattern: 'a', permissions: ['admin'] },
      { name: 'p', spiffeIdPattern: APP1_RE, pathPattern: 'a', permissions: [] },
      // reaches spike/system/secret only by substring
      { name: 'p', spiffeIdPattern: 'spiffe://spike\\.ist/workload/app-1', pathPattern: 'secret', permissions: ['list'] },
    ];
    for (const b of bad) expect(await statusOf(putPolicy(pilot.http, n, b)), JSON.stringify(b)).toBe(400);
    expect(await listPolicies(pilot.http, n)).toEqual(['readers']);
  });

  it('policy changes take effect at once; list on spike/system/secret and acl are delegable', async () => {
    const n = stack.nexusUrl;
    await putSecret(pilot.http, n, 'apps/x', { k: 'v' });
    expect(await getSecret(app1.http, n, 'apps/x')).toEqual({ k: 'v' });
    expect(await statusOf(listSecrets(app1.http, n))).toBe(401);
    expect(await statusOf(listPolicies(app1.http, n))).toBe(401);
    await putPolicy(pilot.http, n, { name: 'lister', spiffeIdPattern: APP1_RE, pathPattern: '^spike/system/(secret|acl)$', permissions: ['list'] });
    expect(await listSecrets(app1.http, n)).toEqual(['apps/x']);
    expect(await listPolicies(app1.http, n)).toEqual(['lister', 'readers']);
    expect(await statusOf(putPolicy(app1.http, n, { name: 'mine', spiffeIdPattern: APP1_RE, pathPattern: '^mine/', permissions: ['super'] }))).toBe(401);
    await deletePolicy(pilot.http, n, 'readers');
    expect(await statusOf(getSecret(app1.http, n, 'apps/x'))).toBe(401);
  });

  it('policies survive a Nexus restart', async () => {
    expect(await stack.stop('nexus')).toBe(0);
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('root_key_ready');
    expect(await listPolicies(pilot.http, stack.nexusUrl)).toEqual(['lister']);
    expect(await listSecrets(app1.http, stack.nexusUrl)).toEqual(['apps/x']);
  });
});
