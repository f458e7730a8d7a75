// `spike operator status` with several replicas: each replica's line names
// the key it serves with (the start of its shard-set fingerprint) and a
// rotation it knows of, from its heartbeat; a malformed fingerprint or phase
// is a malformed answer; replicas that do not tell show as before.
import { describe, expect, it } from 'vitest';
import { interpretStatusAnswer, statusText, type RestoreStatusView } from '../../../src/pilot/breakglass/status.js';
import { statusAnswer, statusResponse } from '../../../src/protocol/messages.js';

const answer = (json: string) => ({ status: 200, body: Buffer.from(json) });
const base = '"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[]';
const A = '0123456789abcdef'.repeat(4);
const B = 'fedcba9876543210'.repeat(4);

describe('replica key state in status', () => {
  it('shows each replica with the start of its fingerprint and its rotation phase', () => {
    const view = interpretStatusAnswer(
      answer(
        `{${base},"replica":"nexus-a","replicas":[` +
          `{"name":"nexus-a","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":1000,"fingerprint":"${A}","rotation":"reencrypting"},` +
          `{"name":"nexus-b","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":2000,"fingerprint":"${B}"},` +
          `{"name":"nexus-c","ready":false,"lastSeen":"2026-03-01T10:00:00Z","ageMs":3000}]}`,
      ),
    ) as RestoreStatusView;
    expect(view.replicas?.[0]).toEqual({ name: 'nexus-a', ready: true, lastSeen: '2026-03-01T10:00:00Z', ageMs: 1000, fingerprint: A, rotation: 'reencrypting' });
    expect(statusText(view).split('\n').slice(-6, -2)).toEqual([
      'Replicas seen recently: 3',
      '  nexus-a  ready      last seen 1.0 s ago  key 0123 4567 89ab cdef…  rotation: reencrypting',
      '  nexus-b  ready      last seen 2.0 s ago  key fedc ba98 7654 3210…',
      '  nexus-c  not ready  last seen 3.0 s ago',
    ]);
  });

  it('a malformed fingerprint or phase is a malformed answer (exit 1)', () => {
    for (const bad of ['"fingerprint":"xyz"', '"rotation":"dancing"']) {
      expect(() => interpretStatusAnswer(answer(`{${base},"replicas":[{"name":"n","ready":true,"lastSeen":"","ageMs":1,${bad}}]}`)))
        .toThrow(/malformed answer/);
    }
  });

  it('the encoder leaves the fields out when a replica told nothing', () => {
    const a = statusAnswer({ ready: true, collected: 0, remaining: 0, threshold: 2, ids: [], replicas: [{ name: 'n', ready: true, lastSeen: '', ageMs: 1, fingerprint: '', rotation: '' }] });
    expect(statusResponse.encode(a).toString()).toBe('{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"replicas":[{"name":"n","ready":true,"lastSeen":"","ageMs":1}]}');
  });
});
