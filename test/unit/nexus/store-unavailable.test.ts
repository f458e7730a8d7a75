// The database out of reach (StoreUnavailableError, the postgres backend)
// through the app: every store call answers 503 with the route's
// `state_not_ready` body — for the superuser, and for a workload whose
// policies cannot be loaded (not 401: the database gave no answer on them) —
// and the same requests succeed once the store answers again. Any other store
// failure stays 500, a policy load failure a denial (upstream).
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, StoreUnavailableError } from '../../../src/nexus/store/index.js';
import type { SecretsStore } from '../../../src/nexus/state/store-interface.js';
import { FakeGate, IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

/** A gate whose stores fail every call with `failure()` while it returns an error. */
class FlakyGate extends FakeGate {
  failure: (() => Error) | undefined;
  override async open(key: Uint8Array): Promise<SecretsStore> {
    const inner = await super.open(key);
    const wrap =
      <A extends unknown[], T>(f: (...a: A) => Promise<T>) =>
      (...a: A): Promise<T> => {
        const fail = this.failure;
        return fail === undefined ? f(...a) : Promise.reject(fail());
      };
    const g = inner.grouped;
    return {
      kind: 'postgres',
      getSecret: wrap((p: string, v?: number) => inner.getSecret(p, v)),
      getSecretMetadata: wrap((p: string, v?: number) => inner.getSecretMetadata(p, v)),
      listSecretPaths: wrap(() => inner.listSecretPaths()),
      getPolicy: wrap((n: string) => inner.getPolicy(n)),
      listPolicies: wrap(() => inner.listPolicies()),
      grouped: {
        putSecret: wrap(g.putSecret.bind(g)),
        deleteSecretVersions: wrap(g.deleteSecretVersions.bind(g)),
        undeleteSecretVersions: wrap(g.undeleteSecretVersions.bind(g)),
        putPolicy: wrap(g.putPolicy.bind(g)),
        deletePolicy: wrap(g.deletePolicy.bind(g)),
      },
      close: () => inner.close(),
    };
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const S = '/v1/store/secrets';
const GET = `${S}?action=get`;
const POLICY = '/v1/acl/policy';
const APP = 'spiffe://spike.ist/workload/app-1';
const j = (v: unknown): string => JSON.stringify(v);
const down = (): Error => new StoreUnavailableError('PostgreSQL: connect ECONNREFUSED /tmp/x/.s.PGSQL.5432 (ECONNREFUSED)');

describe('the database out of reach', () => {
  it('503 state_not_ready for the superuser and for a policy workload; answers again once the store is back', async () => {
    const gate = new FlakyGate();
    h = await makeHarness({ gate, installed: keyOf(1) });
    expect((await h.post(S, j({ path: 'apps/db', values: { pass: 'v1' } }), IDS.superuser)).status).toBe(200);
    expect((await h.post(POLICY, j({ name: 'app', spiffeidPattern: '^spiffe://spike\\.ist/workload/.*$', pathPattern: '^apps/', permissions: ['read'] }), IDS.superuser)).status).toBe(200);

    gate.failure = down;
    const su = await h.post(GET, j({ path: 'apps/db' }), IDS.superuser);
    expect(su.status).toBe(503);
    expect(JSON.parse(su.body)).toMatchObject({ err: 'state_not_ready' });
    const put = await h.post(S, j({ path: 'apps/db', values: { pass: 'v2' } }), IDS.superuser);
    expect(put.status).toBe(503);
    expect(JSON.parse(put.body)).toMatchObject({ err: 'state_not_ready' });
    // The workload's policies were loaded before: the store call itself fails.
    expect((await h.post(GET, j({ path: 'apps/db' }), APP)).status).toBe(503);
    // A policy write, even one the database did not take, drops the loaded policies: now their load fails too, still 503, not 401.
    const other = j({ name: 'other', spiffeidPattern: '^spiffe://spike\\.ist/other/.*$', pathPattern: '^other/', permissions: ['read'] });
    expect((await h.post(POLICY, other, IDS.superuser)).status).toBe(503);
    const wl = await h.post(GET, j({ path: 'apps/db' }), APP);
    expect(wl.status).toBe(503);
    expect(JSON.parse(wl.body)).toMatchObject({ err: 'state_not_ready' });
    expect(h.logs.audits.filter((a) => a['action'] === 'secret_get').map((a) => a['outcome'])).toContain('unavailable');

    gate.failure = undefined;
    const back = await h.post(GET, j({ path: 'apps/db' }), APP);
    expect(back.status).toBe(200);
    expect(JSON.parse(back.body)).toMatchObject({ data: { pass: 'v1' } });
  });

  it('any other store failure stays 500, and a policy load failure denies (upstream)', async () => {
    const gate = new FlakyGate();
    h = await makeHarness({ gate, installed: keyOf(1) });
    expect((await h.post(S, j({ path: 'apps/db', values: { pass: 'v1' } }), IDS.superuser)).status).toBe(200);
    gate.failure = () => new StoreError('io', 'PostgreSQL: syntax error (42601)');
    expect((await h.post(GET, j({ path: 'apps/db' }), IDS.superuser)).status).toBe(500);
    expect((await h.post(GET, j({ path: 'apps/db' }), APP)).status).toBe(401);
  });
});
