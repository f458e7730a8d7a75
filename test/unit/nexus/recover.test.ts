import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const VECTOR1 =
  '{"shards":{"1":[115,206,111,133,35,197,8,252,110,10,135,145,242,20,12,126,238,127,195,248,246,226,212,12,218,214,34,241,22,55,56,148],"2":[230,155,222,9,70,137,16,247,219,20,14,34,227,39,23,252,219,254,134,240,236,196,167,24,180,171,68,225,43,109,112,39],"3":[89,105,76,142,105,77,24,242,72,29,148,179,212,58,35,123,12,150,79,59,59,142,219,159,154,198,156,14,68,64,130,105]}}';

describe('POST /v1/operator/recover', () => {
  it('returns every share as upstream marshals it (vector 1) and audits the caller', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    const r = await h.post('/v1/operator/recover', '{}', IDS.recover);
    expect(r.status).toBe(200);
    expect(r.body).toBe(VECTOR1);
    const a = h.logs.audits.find((l) => l.action === 'recover');
    expect(a?.caller).toBe(IDS.recover);
    expect(JSON.stringify(h.logs.audits)).not.toContain('115,206');
    expect(JSON.stringify(h.logs.lines)).not.toContain('115,206');
  });

  it('accepts null and any object; refuses empty, [] and malformed bodies with 400', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    expect((await h.post('/v1/operator/recover', 'null', IDS.recover)).status).toBe(200);
    expect((await h.post('/v1/operator/recover', '{"x":1}', IDS.recover)).status).toBe(200);
    for (const b of ['', '[]', '{', '"x"', '12']) {
      const r = await h.post('/v1/operator/recover', b, IDS.recover);
      expect(r.status, b).toBe(400);
      expect(r.body).toBe('{"shards":null,"err":"api_bad_request"}');
    }
  });

  it('refuses every role but recover with 401, before parsing the body (docs/design.md § Limits)', async () => {
    h = await makeHarness({ installed: keyOf(1) });
    for (const id of [IDS.superuser, IDS.restore, IDS.bootstrap, IDS.nexus, `${IDS.recover}x`, 'not-an-id', undefined]) {
      const r = await h.post('/v1/operator/recover', '{}', id);
      expect(r.status, String(id)).toBe(401);
      expect(r.body).toBe('{"shards":null,"err":"access_unauthorized"}');
    }
    expect((await h.post('/v1/operator/recover', '[]', IDS.superuser)).status).toBe(401);
    expect((await h.post('/v1/operator/recover', '[]', IDS.recover)).status).toBe(400);
    expect((await h.post('/v1/operator/recover', '{}', `${IDS.recover}/alice`)).status).toBe(200);
  });

  it('answers 503 state_not_ready while there is no root key', async () => {
    h = await makeHarness();
    const r = await h.post('/v1/operator/recover', '{}', IDS.recover);
    expect(r.status).toBe(503);
    expect(r.body).toBe('{"shards":null,"err":"state_not_ready"}');
  });

  it('memory backend: 400 before auth', async () => {
    h = await makeHarness({ backend: 'memory' });
    const r = await h.post('/v1/operator/recover', '{}', IDS.superuser);
    expect(r.status).toBe(400);
    expect(r.body).toBe('{"shards":null,"err":"api_bad_request"}');
  });
});
