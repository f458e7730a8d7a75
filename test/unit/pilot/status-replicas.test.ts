// `spike operator status` with several Nexus replicas: the answering replica
// and the replicas seen recently, in the text and in -f json; absent fields
// change nothing; a name from the database is shown printable only.
import { describe, expect, it } from 'vitest';
import { interpretStatusAnswer, statusText, type RestoreStatusView } from '../../../src/pilot/breakglass/status.js';

const answer = (json: string) => ({ status: 200, body: Buffer.from(json) });
const base = '"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[]';

describe('status with replicas', () => {
  it('shows the answering replica and each replica seen, ready or not', () => {
    const view = interpretStatusAnswer(
      answer(
        `{${base},"replica":"nexus-b","replicas":[{"name":"nexus-a:8553","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":1240},` +
          `{"name":"nexus-b","ready":false,"lastSeen":"2026-03-01T10:00:01Z","ageMs":400}]}`,
      ),
    ) as RestoreStatusView;
    expect(view.replica).toBe('nexus-b');
    expect(view.replicas).toEqual([
      { name: 'nexus-a:8553', ready: true, lastSeen: '2026-03-01T10:00:00Z', ageMs: 1240 },
      { name: 'nexus-b', ready: false, lastSeen: '2026-03-01T10:00:01Z', ageMs: 400 },
    ]);
    expect(statusText(view)).toBe(
      [
        '',
        'SPIKE Nexus has its root key: it is ready to use, nothing to restore.',
        'Threshold: 2',
        'Answered by replica: nexus-b',
        'Replicas seen recently: 2',
        '  nexus-a:8553  ready      last seen 1.2 s ago',
        '  nexus-b       not ready  last seen 0.4 s ago',
        '',
      ].join('\n') + '\n',
    );
  });

  it('an answer without the fields reads as before; a name with control characters is shown printable', () => {
    const plain = interpretStatusAnswer(answer(`{${base}}`)) as RestoreStatusView;
    expect(plain).toEqual({ ready: true, collected: 0, remaining: 0, threshold: 2, ids: [] });
    expect(statusText(plain)).not.toContain('replica');
    const odd = interpretStatusAnswer(answer(`{${base},"replica":"a\\u001b[2Jb"}`)) as RestoreStatusView;
    expect(odd.replica).toBe('a?[2Jb');
  });

  it('a malformed replica entry is a malformed answer', () => {
    expect(() => interpretStatusAnswer(answer(`{${base},"replicas":[{"name":"a","ready":true,"lastSeen":"yesterday","ageMs":1}]}`))).toThrow('malformed answer');
    expect(() => interpretStatusAnswer(answer(`{${base},"replicas":[{"name":"a","ready":true,"lastSeen":"2026-03-01T10:00:00Z","ageMs":-1}]}`))).toThrow('malformed answer');
  });
});
