// /v1/operator/status with several replicas: each listed replica carries the
// key state of its heartbeat (the fingerprint of the key it serves with, the
// rotation phase it knows of), omitted when its heartbeat told none.
import { describe, expect, it } from 'vitest';
import { statusRoute, type RestoreProgress, type StatusDeps } from '../../../src/nexus/routes/operator/status.js';
import { captureLogger, IDS, TD } from './fixtures.js';

const A = '0123456789abcdef'.repeat(4);

describe('status lists each replica with its key state', () => {
  it('fingerprint and rotation per replica, left out when empty', async () => {
    const progress: RestoreProgress = { threshold: 2, collected: () => 0, ids: () => [] };
    const d: StatusDeps = {
      roots: { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] },
      log: captureLogger().log,
      ready: () => true,
      progress,
      replicas: {
        name: () => 'nexus-a',
        list: async () => [
          { name: 'nexus-a', ready: true, lastSeen: new Date('2026-03-01T10:00:00Z'), ageMs: 10, fingerprint: A, rotation: 'pushing' },
          { name: 'nexus-b', ready: false, lastSeen: new Date('2026-03-01T10:00:00Z'), ageMs: 20, fingerprint: '', rotation: '' },
        ],
      },
    };
    const r = await statusRoute(d).handle({ body: Buffer.from('{}'), peerId: IDS.superuser });
    expect(r.body.toString()).toBe(
      '{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replica":"nexus-a","replicas":[' +
        `{"name":"nexus-a","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":10,"fingerprint":"${A}","rotation":"pushing"},` +
        '{"name":"nexus-b","ready":false,"lastSeen":"2026-03-01T10:00:00Z","ageMs":20}]}',
    );
  });
});
