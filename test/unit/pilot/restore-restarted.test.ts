// `spike operator restore` and `spike operator status` when the replica that
// collected shards stopped and another one started over (docs/design.md §
// Restore through any replica): the operator is told plainly, with the
// replicas' names and which shards to send again; an answer without the
// fields (one replica, upstream, an older spike-ts) reads as before.
import { describe, expect, it } from 'vitest';
import { submitReport } from '../../../src/pilot/breakglass/restore-answer.js';
import { interpretStatusAnswer, statusText, type RestoreStatusView } from '../../../src/pilot/breakglass/status.js';
import { restoreResponse } from '../../../src/protocol/messages.js';

const answer = (json: string) => ({ status: 200, body: Buffer.from(json) });

describe('restore answer with restarted', () => {
  it('says that the restore started again on the other replica and which shards to send again', () => {
    const r = submitReport(
      2,
      answer('{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[2],"restarted":true,"collector":"nexus-b","previousCollector":"nexus-a"}'),
    );
    expect(r.failure).toBeUndefined();
    expect(r.text).toBe(
      'The restore started again on replica nexus-b: replica nexus-a, which collected the shards before, stopped, and the shards it held are lost. Send every shard again except shard 2 (held now).\n' +
        '\nShards collected: 1\nShards remaining: 1\nPlease run `spike operator restore` again to provide the remaining shards.\n\n',
    );
    // -f json prints the fields as Nexus sent them.
    expect(restoreResponse.encode(r.answer).toString()).toContain('"restarted":true,"collector":"nexus-b","previousCollector":"nexus-a"');
  });

  it('no_fit after a restart: the line comes before the failure; several held ids are listed', () => {
    const r = submitReport(
      3,
      answer('{"collected":2,"remaining":1,"restored":false,"state":"no_fit","ids":[1,3],"restarted":true,"collector":"n\\u0007b","previousCollector":""}'),
    );
    expect(r.text).toBe(
      'The restore started again on replica n?b: the replica that collected the shards before stopped, and the shards it held are lost. Send every shard again except shards 1 and 3 (held now).\n',
    );
    expect(r.failure?.exitCode).toBe(5);
  });

  it('an answer without restarted says nothing of it', () => {
    const r = submitReport(1, answer('{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[1]}'));
    expect(r.text).not.toContain('again on');
    expect(r.text).toBe('\nShards collected: 1\nShards remaining: 1\nPlease run `spike operator restore` again to provide the remaining shards.\n\n');
  });
});

describe('status with the collector', () => {
  it("names the collecting replica and says when its collection started again", () => {
    const view = interpretStatusAnswer(
      answer('{"ready":false,"collected":1,"remaining":1,"threshold":2,"ids":[2],"replica":"nexus-c","collector":"nexus-b","restarted":true}'),
    ) as RestoreStatusView;
    expect(view).toMatchObject({ collector: 'nexus-b', restarted: true, ids: [2] });
    expect(statusText(view)).toBe(
      [
        '',
        'SPIKE Nexus is waiting for an operator restore.',
        'Shards collected: 1',
        'Shards remaining: 1',
        'Threshold: 2',
        'Shard ids received: 2',
        'Collecting replica: nexus-b',
        'The collection started again after the replica that collected before stopped: the shards sent before are lost. Send every shard again except shard 2 (held now).',
        'Answered by replica: nexus-c',
        '',
      ].join('\n') + '\n',
    );
  });

  it('without the fields: as before', () => {
    const view = interpretStatusAnswer(answer('{"ready":false,"collected":0,"remaining":2,"threshold":2,"ids":[]}')) as RestoreStatusView;
    expect(view).toEqual({ ready: false, collected: 0, remaining: 2, threshold: 2, ids: [] });
    expect(statusText(view)).not.toMatch(/Collecting replica|started again/);
  });
});
