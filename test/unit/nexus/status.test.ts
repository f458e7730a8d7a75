// /v1/operator/status (spike-ts only): who may ask, what it answers, and that
// it never carries a value.
import { afterEach, describe, expect, it } from 'vitest';
import { rootKeyFingerprint } from '../../../src/shamir/index.js';
import { statusRoute, type RestoreProgress, type StatusDeps } from '../../../src/nexus/routes/operator/status.js';
import { captureLogger, IDS, keyOf, makeHarness, restoreBody, sharesOf, TD, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function deps(ready: boolean, ids: number[], threshold = 3): StatusDeps & { audits: unknown[] } {
  const { log, audits } = captureLogger();
  const progress: RestoreProgress = { threshold, collected: () => ids.length, ids: () => ids };
  return {
    roots: { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] },
    log,
    ready: () => ready,
    progress,
    audits,
  };
}

const call = async (d: StatusDeps, body: string | undefined, peerId: string | undefined) => {
  const r = await statusRoute(d).handle({ body: body === undefined ? undefined : Buffer.from(body), peerId });
  return { status: r.status, body: r.body.toString() };
};

describe('POST /v1/operator/status', () => {
  it('answers the restore progress to every Pilot role (superuser, recover, restore), ids ascending', async () => {
    const d = deps(false, [3, 1]);
    for (const who of [IDS.restore, IDS.recover, IDS.superuser, `${IDS.restore}/alice`, `${IDS.superuser}/bob`]) {
      const r = await call(d, '{}', who);
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"ready":false,"collected":2,"remaining":1,"threshold":3,"ids":[1,3]}');
    }
    expect(d.audits).toHaveLength(5);
  });

  it('says ready (and nothing collected) once the root key is installed', async () => {
    const r = await call(deps(true, []), 'null', IDS.recover);
    expect(r).toEqual({ status: 200, body: '{"ready":true,"collected":0,"remaining":0,"threshold":3,"ids":[]}' });
  });

  it('refuses other callers with 401 access_unauthorized', async () => {
    const d = deps(false, [1]);
    const others = [
      IDS.nexus,
      IDS.keeper,
      undefined,
      'spiffe://other.td/spike/pilot/role/restore',
      'spiffe://other.td/spike/pilot/role/superuser',
      `spiffe://${TD}/spike/pilot/role/superuserx`,
      `spiffe://${TD}/spike/pilot/role`,
    ];
    for (const who of others) {
      const r = await call(d, '{}', who);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ err: 'access_unauthorized', ids: null, collected: 0 });
    }
  });

  it('refuses bodies that are not a JSON object with 400', async () => {
    for (const b of ['', '[', '"x"', '[]', '{} x']) {
      const r = await call(deps(false, []), b, IDS.restore);
      expect(r.status, b).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ err: 'api_bad_request' });
    }
  });
});

describe('POST /v1/operator/status through the app', () => {
  const S = '/v1/operator/status';
  const R = '/v1/operator/restore';

  it('is served before the root key is known (not 503) and follows a restore to the end', async () => {
    h = await makeHarness({ storedKey: keyOf(1), threshold: 2 });
    expect((await h.post('/v1/store/secrets?action=list', '{}', IDS.superuser)).status).toBe(503);
    const s0 = await h.post(S, '{}', IDS.restore);
    expect(s0).toMatchObject({ status: 200, body: '{"ready":false,"collected":0,"remaining":2,"threshold":2,"ids":[]}' });
    const [one, , three] = sharesOf(keyOf(1));
    expect((await h.post(R, restoreBody(3, Array.from(three!.value)), IDS.restore)).status).toBe(200);
    const s1 = await h.post(S, '{}', IDS.recover);
    expect(s1.body).toBe('{"ready":false,"collected":1,"remaining":1,"threshold":2,"ids":[3]}');
    // Asking changes nothing: the same answer again, and no value in it.
    expect((await h.post(S, '{}', IDS.restore)).body).toBe(s1.body);
    expect(s1.body).not.toContain(String(three!.value[0]) + ',' + String(three!.value[1]));
    expect((await h.post(R, restoreBody(1, Array.from(one!.value)), IDS.restore)).body).toContain('"restored":true');
    // Ready: the live key's shard-set fingerprint (the manifest's value for keyOf(1), 2 of 3), no rotation fields.
    const fp = rootKeyFingerprint(keyOf(1), 2, 3);
    expect((await h.post(S, '{}', IDS.restore)).body).toBe(`{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"fingerprint":"${fp}"}`);
  });

  it('refuses non-POST and unauthorized callers before the root key is known', async () => {
    h = await makeHarness({ storedKey: keyOf(1) });
    expect((await h.post(S, undefined, IDS.restore, 'GET')).status).toBe(400);
    expect((await h.post(S, '{}', IDS.keeper)).status).toBe(401);
    expect((await h.post(S, '{}', IDS.superuser)).status).toBe(200);
    expect(h.logs.audits.some((a) => a.action === 'status' || a.msg === 'status')).toBe(true);
  });

  it('is served by the memory and lite backends too (ready)', async () => {
    for (const backend of ['memory', 'lite'] as const) {
      h = await makeHarness({ backend, installed: backend === 'lite' ? keyOf(2) : undefined });
      const r = await h.post(S, '{}', IDS.recover);
      expect(r.status, backend).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ ready: true });
      await h.close();
      h = undefined;
    }
  });
});
