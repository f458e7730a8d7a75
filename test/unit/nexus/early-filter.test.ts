// The early filter (src/nexus/auth/early-filter.ts) against the guards'
// verdicts, over roles × routes × policy sets × backends:
//   - whenever it refuses, the route itself refuses every well-formed body
//     with the same status and body (it never refuses what a guard allows);
//   - whenever it lets a caller through, some well-formed body is not
//     refused with 401 by the route (it refuses everyone who can have no
//     permission on the route — on these samples).
// The routes run for real (guards + handlers) on a memory store.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { NexusState } from '../../../src/nexus/state/nexus-state.js';
import { RestoreCollector } from '../../../src/nexus/restore/collector.js';
import { RotationEngine } from '../../../src/nexus/rotation/engine.js';
import { RateLimiter } from '../../../src/nexus/restore/rate-limit.js';
import { buildRoutes } from '../../../src/nexus/routes/index.js';
import { PolicyIndex } from '../../../src/nexus/auth/policy-index.js';
import { createEarlyFilter } from '../../../src/nexus/auth/early-filter.js';
import type { NexusBackend } from '../../../src/nexus/config.js';
import type { NexusRouteName } from '../../../src/protocol/paths.js';
import { FakeGate, IDS, TD, captureLogger, keyOf, makeHarness } from './fixtures.js';

const APP1 = `spiffe://${TD}/workload/app-1`;
const APP2 = `spiffe://${TD}/workload/app-2`;
const LITE = `spiffe://${TD}/spike/workload/role/lite`;
const PEERS: (string | undefined)[] = [
  IDS.superuser,
  `${IDS.superuser}/alice`,
  IDS.recover,
  IDS.restore,
  IDS.bootstrap,
  IDS.nexus,
  IDS.keeper,
  LITE,
  APP1,
  APP2,
  `spiffe://other.td/spike/pilot/role/superuser`,
  'spiffe://spike.ist/bad id',
  'not-an-id',
  undefined,
];

interface PolicySpec {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[];
}
const pol = (name: string, spiffeidPattern: string, pathPattern: string, permissions: string[]): PolicySpec => ({ name, spiffeidPattern, pathPattern, permissions });

/** Each set is installed by the superuser through the policy route before the checks. */
const POLICY_SETS: { name: string; policies: PolicySpec[] }[] = [
  { name: 'none', policies: [] },
  { name: 'app-1 reads apps/', policies: [pol('r', '^spiffe://spike\\.ist/workload/app-1$', '^apps/', ['read'])] },
  { name: 'app-1 writes apps/', policies: [pol('w', 'spiffe://spike\\.ist/workload/app-1', '^apps/', ['write'])] },
  { name: 'every workload lists secrets', policies: [pol('l', '^spiffe://spike\\.ist/workload/.*$', '^spike/system/secret$', ['list'])] },
  { name: 'app-1 super on the ACL', policies: [pol('s', '^spiffe://spike\\.ist/workload/app-1$', '^spike/system/acl$', ['super'])] },
  { name: 'app-2 read+list on ACL', policies: [pol('a', '^spiffe://spike\\.ist/workload/app-2$', '^spike/system/acl$', ['read', 'list'])] },
  { name: 'catch-all ID, read other/', policies: [pol('c', 'spiffe://.*', '^other/', ['read'])] },
  { name: 'lite matched by a policy', policies: [pol('lite', 'spiffe://spike\\.ist/spike/workload/role/lite', '^apps/', ['super'])] },
  { name: 'execute only', policies: [pol('x', 'spiffe://spike\\.ist/workload/app-1', '^apps/', ['execute'])] },
];

const j = (v: unknown): string => JSON.stringify(v);
const PATHS = ['apps/one/db', 'other/x', 'spike/system/acl'];

/** Well-formed bodies per route (valid JSON of the route's request), chosen not to change the policy set. */
function bodies(route: NexusRouteName): string[] {
  switch (route) {
    case 'secretGet':
    case 'secretMetadataGet':
      return PATHS.map((path) => j({ path }));
    case 'secretPut':
      return PATHS.map((path) => j({ path, values: { k: 'v' } }));
    case 'secretDelete':
    case 'secretUndelete':
      return PATHS.map((path) => j({ path, versions: [] }));
    case 'secretList':
    case 'policyList':
    case 'operatorRecover':
    case 'operatorRestoreReset':
    case 'operatorStatus':
      return ['{}'];
    case 'policyPut':
      return [j({ name: 'bad name!', spiffeidPattern: '^x$', pathPattern: '^y$', permissions: ['read'] })];
    case 'policyGet':
    case 'policyDelete':
      return [j({ id: 'no-such-policy' })];
    case 'operatorRestore':
      return [j({ id: 0, shard: Array.from({ length: 32 }, () => 1) })];
    case 'bootstrapVerify':
      return [j({ nonce: randomBytes(12).toString('base64'), ciphertext: randomBytes(48).toString('base64') })];
    default:
      return ['{}'];
  }
}

async function setup(backend: NexusBackend, policies: PolicySpec[]) {
  const logs = captureLogger();
  const gate = new FakeGate();
  const state = new NexusState({ gate, log: logs.log });
  if (backend === 'memory') await state.openKeyless();
  else await state.install(keyOf(7), 'keepers');
  const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
  const index = new PolicyIndex(logs.log);
  const routes = buildRoutes({
    state,
    backend,
    roots,
    shamir: { threshold: 2, shares: 3, maxShareCount: 1000 },
    log: logs.log,
    collector: new RestoreCollector(2, 15 * 60_000),
    restoreLimiter: new RateLimiter({ capacity: 1_000_000, refillMs: 1000 }),
    maxCiphertextSize: 65536,
    policies: index,
    rotation: new RotationEngine({ host: state, threshold: 2, shares: 3, log: logs.log, retryMaxMs: 50 }),
  });
  for (const p of policies) {
    const r = await routes.get('policyPut')!.handle({ body: Buffer.from(j(p)), peerId: IDS.superuser });
    expect(r.status, `policy ${p.name}`).toBe(200);
  }
  const filter = createEarlyFilter({ roots, backend, policies: index, state, log: logs.log });
  return { routes, filter, audits: logs.audits, close: () => state.close() };
}

describe('early filter ≡ guards', () => {
  for (const backend of ['sqlite', 'memory', 'lite'] as const) {
    for (const set of POLICY_SETS) {
      it(`${backend}, policies: ${set.name}`, async () => {
        const { routes, filter, audits, close } = await setup(backend, set.policies);
        let refused = 0;
        let passed = 0;
        const violations: string[] = [];
        try {
          for (const [name, route] of routes) {
            for (const peer of PEERS) {
              const early = await filter.check(name, peer);
              const outcomes = [];
              const auditMark = audits.length;
              for (const b of bodies(name)) {
                const r = await route.handle({ body: Buffer.from(b), peerId: peer });
                outcomes.push({ status: r.status, body: Buffer.from(r.body).toString() });
              }
              const where = `${name} as ${String(peer)}`;
              if (early !== undefined) {
                refused++;
                const want = { status: early.status, body: early.body.toString() };
                for (const o of outcomes) if (o.status !== want.status || o.body !== want.body) violations.push(`${where}: refused early with ${j(want)}, the route answers ${j(o)}`);
                // the early refusal is audited with the guard's own event and outcome
                const guardAudits = audits.slice(auditMark).map((a) => ({ event: a.action, outcome: a.outcome }));
                const ea = early.audit;
                if (ea !== undefined && !guardAudits.some((a) => a.event === ea.event && a.outcome === ea.outcome)) {
                  violations.push(`${where}: early audit ${j(ea)}, the guard audits ${j(guardAudits)}`);
                }
                if (early.status === 401 && early.audit === undefined) violations.push(`${where}: a 401 without an audit event`);
              } else {
                passed++;
                if (!outcomes.some((o) => o.status !== 401)) violations.push(`${where}: let through, but every sample is refused with 401 (${j(outcomes)})`);
              }
            }
          }
        } finally {
          await close();
        }
        expect(violations).toEqual([]);
        // the table exercises both verdicts
        expect(refused).toBeGreaterThan(0);
        expect(passed).toBeGreaterThan(0);
      });
    }
  }

  it('the verdict follows policy changes (cache invalidated on put and delete)', async () => {
    const { routes, filter, close } = await setup('sqlite', []);
    try {
      expect((await filter.check('secretGet', APP1))?.status).toBe(401);
      const p = pol('r', '^spiffe://spike\\.ist/workload/app-1$', '^apps/', ['read']);
      expect((await routes.get('policyPut')!.handle({ body: Buffer.from(j(p)), peerId: IDS.superuser })).status).toBe(200);
      expect(await filter.check('secretGet', APP1)).toBeUndefined();
      expect((await filter.check('secretPut', APP1))?.status).toBe(401);
      expect((await routes.get('policyDelete')!.handle({ body: Buffer.from(j({ id: 'r' })), peerId: IDS.superuser })).status).toBe(200);
      expect((await filter.check('secretGet', APP1))?.status).toBe(401);
    } finally {
      await close();
    }
  });
});

describe('early filter while the policies load from the store', () => {
  it('answers synchronously once they are loaded, with a promise while they load', async () => {
    const { routes, filter, close } = await setup('sqlite', [pol('r', '^spiffe://spike\\.ist/workload/app-1$', '^apps/', ['read'])]);
    try {
      // The last policy put dropped the compiled policies: this check has to load them.
      const loading = filter.check('secretGet', APP2);
      expect(loading).toBeInstanceOf(Promise);
      expect((await loading)?.status).toBe(401);
      const loaded = filter.check('secretGet', APP1);
      expect(loaded).not.toBeInstanceOf(Promise);
      expect(loaded).toBeUndefined();
      expect(routes.size).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });

  it('over HTTP, right after a policy write, a caller with no permission is still refused before its body is read', async () => {
    const h = await makeHarness({ installed: keyOf(5) });
    try {
      const p = pol('r', '^spiffe://spike\\.ist/workload/app-1$', '^apps/', ['read']);
      expect((await h.post('/v1/acl/policy', j(p), IDS.superuser)).status).toBe(200);
      const r = await h.post('/v1/store/secrets?action=get', j({ path: 'apps/db' }), APP2);
      expect(r.status).toBe(401);
      expect(h.logs.audits.filter((a) => a.action === 'secret_get' && a['early'] === true)).toHaveLength(1);
      // the caller the policy names passes the filter and is answered by the route (no such secret)
      expect((await h.post('/v1/store/secrets?action=get', j({ path: 'apps/db' }), APP1)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
