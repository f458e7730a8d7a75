// /v1/operator/status (spike-ts only): who may ask, what it answers, and that
// it never carries a value.
import { describe, expect, it } from 'vitest';
import { statusRoute, type RestoreProgress, type StatusDeps } from '../../../src/nexus/routes/operator/status.js';
import { captureLogger, IDS, TD } from './fixtures.js';

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
  it('answers the restore progress to the recover and restore roles, ids ascending', async () => {
    const d = deps(false, [3, 1]);
    for (const who of [IDS.restore, IDS.recover, `${IDS.restore}/alice`]) {
      const r = await call(d, '{}', who);
      expect(r.status).toBe(200);
      expect(r.body).toBe('{"ready":false,"collected":2,"remaining":1,"threshold":3,"ids":[1,3]}');
    }
    expect(d.audits).toHaveLength(3);
  });

  it('says ready (and nothing collected) once the root key is installed', async () => {
    const r = await call(deps(true, []), 'null', IDS.recover);
    expect(r).toEqual({ status: 200, body: '{"ready":true,"collected":0,"remaining":0,"threshold":3,"ids":[]}' });
  });

  it('refuses other callers with 401 access_unauthorized', async () => {
    const d = deps(false, [1]);
    for (const who of [IDS.superuser, IDS.nexus, IDS.keeper, undefined, 'spiffe://other.td/spike/pilot/role/restore']) {
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
