// /v1/operator/status with several replicas (docs/postgres.md § Several
// replicas): the answering replica's name and the replicas seen recently,
// as optional fields after the upstream-shaped ones; a database out of reach
// leaves the list out but still answers; an answer without them decodes as
// before.
import { describe, expect, it } from 'vitest';
import { statusRoute, type RestoreProgress, type StatusDeps } from '../../../src/nexus/routes/operator/status.js';
import { statusResponse } from '../../../src/protocol/messages.js';
import { StoreUnavailableError } from '../../../src/nexus/store/index.js';
import { captureLogger, IDS, TD } from './fixtures.js';

function deps(replicas: StatusDeps['replicas']): StatusDeps & { events: (m: string) => unknown[] } {
  const { log, lines } = captureLogger();
  const progress: RestoreProgress = { threshold: 2, collected: () => 0, ids: () => [] };
  return {
    roots: { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] },
    log,
    ready: () => true,
    progress,
    ...(replicas === undefined ? {} : { replicas }),
    events: (m) => lines.filter((l) => l.msg === m),
  };
}

const call = async (d: StatusDeps) => {
  const r = await statusRoute(d).handle({ body: Buffer.from('{}'), peerId: IDS.superuser });
  return { status: r.status, body: r.body.toString() };
};

describe('status with replicas', () => {
  it('names the answering replica and lists the replicas seen recently', async () => {
    const d = deps({
      name: () => 'nexus-b:8553',
      list: async () => [
        { name: 'nexus-a:8553', ready: true, lastSeen: new Date('2026-03-01T10:00:00.250Z'), ageMs: 1200.4 },
        { name: 'nexus-b:8553', ready: false, lastSeen: new Date('2026-03-01T10:00:01Z'), ageMs: 450 },
      ],
    });
    expect(await call(d)).toEqual({
      status: 200,
      body:
        '{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replica":"nexus-b:8553","replicas":[' +
        // Go's time.RFC3339 has whole seconds: 10:00:00.250 is 10:00:00Z.
        '{"name":"nexus-a:8553","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":1200},' +
        '{"name":"nexus-b:8553","ready":false,"lastSeen":"2026-03-01T10:00:01Z","ageMs":450}]}',
    });
  });

  it('a store one process holds: the name only; the database out of reach: the name, no list, one warning', async () => {
    expect((await call(deps({ name: () => 'host:8553' }))).body).toBe('{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replica":"host:8553"}');
    const d = deps({ name: () => 'host:8553', list: () => Promise.reject(new StoreUnavailableError('PostgreSQL: Connection terminated')) });
    expect(await call(d)).toEqual({ status: 200, body: '{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replica":"host:8553"}' });
    expect(d.events('status: the replicas could not be listed')).toHaveLength(1);
    expect((await call(deps(undefined))).body).toBe('{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[]}');
  });

  it('decodes answers with and without the replica fields', () => {
    const old = statusResponse.decode(JSON.parse('{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[]}'));
    expect(old.replica).toBe('');
    expect(old.replicas).toBeNull();
    const now = statusResponse.decode(
      JSON.parse('{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replica":"a","replicas":[{"name":"a","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":5}]}'),
    );
    expect(now.replica).toBe('a');
    expect(now.replicas).toEqual([{ name: 'a', ready: true, lastSeen: '2026-03-01T10:00:00Z', ageMs: 5, fingerprint: '', rotation: '' }]);
  });
});
