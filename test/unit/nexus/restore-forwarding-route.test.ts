// /v1/operator/restore with forwarding between replicas (docs/design.md §
// Restore through any replica), through the app (early filter, guard, route):
// the forwarded-caller header counts only from Nexus and only where replicas
// forward; the operator named must hold the restore role; a replica that does
// not collect forwards the body as received and passes the answer on; a
// forwarded call is never forwarded again.
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorRole } from '../../../src/nexus/restore/collector-election.js';
import type { ForwardedAnswer, RestoreForwarding } from '../../../src/nexus/restore/forward.js';
import { FORWARDED_CALLER_HEADER } from '../../../src/nexus/restore/forward-guard.js';
import { IDS, keyOf, makeHarness, PEER_HEADER, restoreBody, sharesOf, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const R = '/v1/operator/restore';
const UNAUTHORIZED = '{"collected":0,"remaining":0,"restored":false,"err":"access_unauthorized"}';
const share1 = (): number[] => Array.from(sharesOf(keyOf(1))[0]!.value);

interface Sent {
  url: string;
  body: string;
  caller: string;
}

function forwarding(role: CollectorRole, holds: boolean, answer?: ForwardedAnswer): { f: RestoreForwarding; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    f: {
      holds,
      resolve: () => Promise.resolve(role),
      peek: () => Promise.resolve(role),
      name: 'nexus-here',
      forward: (url, body, caller) => {
        sent.push({ url, body: Buffer.from(body).toString('utf8'), caller });
        return answer === undefined ? Promise.reject(new Error('connection refused')) : Promise.resolve(answer);
      },
    },
  };
}

async function post(peer: string, body: string, forwardedCaller?: string) {
  const res = await h!.app.inject({
    method: 'POST',
    url: R,
    payload: body,
    headers: { [PEER_HEADER]: peer, 'content-type': 'application/json', ...(forwardedCaller === undefined ? {} : { [FORWARDED_CALLER_HEADER]: forwardedCaller }) },
  });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

describe('restore on the collector (postgres, holds the lock)', () => {
  it('a call forwarded by Nexus acts for the operator it names, if that operator has the restore role', async () => {
    const { f, sent } = forwarding({ kind: 'self' }, true);
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: f });
    const body = restoreBody(1, share1());

    expect(await post(IDS.nexus, body, IDS.recover)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await post(IDS.nexus, body, IDS.superuser)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await post(IDS.nexus, body, IDS.nexus)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await post(IDS.nexus, body)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(h.collector.collected()).toBe(0);
    expect(h.logs.audits.filter((a) => a['action'] === 'restore').map((a) => [a['caller'], a['via'], a['outcome']])).toEqual([
      [IDS.recover, IDS.nexus, 'unauthorized'],
      [IDS.superuser, IDS.nexus, 'unauthorized'],
      [IDS.nexus, IDS.nexus, 'unauthorized'],
      [IDS.nexus, IDS.nexus, 'unauthorized'],
    ]);

    const ok = await post(IDS.nexus, body, IDS.restore);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ collected: 1, remaining: 1, restored: false });
    expect(h.collector.collected()).toBe(1);
    expect(h.logs.audits.at(-2)).toMatchObject({ action: 'restore', caller: IDS.restore, via: IDS.nexus, shardId: 1, outcome: 'collected' });
    expect(sent).toEqual([]);
  });

  it('ignores the header from anyone but Nexus', async () => {
    const { f } = forwarding({ kind: 'self' }, true);
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: f });
    const body = restoreBody(1, share1());
    expect(await post(IDS.superuser, body, IDS.restore)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(await post(IDS.keeper, body, IDS.restore)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(h.collector.collected()).toBe(0);
    // The restore operator naming someone else acts as itself.
    expect((await post(IDS.restore, body, IDS.recover)).status).toBe(200);
    expect(h.logs.audits.filter((a) => a['outcome'] === 'collected')).toEqual([expect.objectContaining({ caller: IDS.restore })]);
    expect(h.logs.audits.filter((a) => a['outcome'] === 'collected')[0]).not.toHaveProperty('via');
  });
});

describe('restore where replicas do not forward (sqlite)', () => {
  it('Nexus is refused whatever the header says', async () => {
    h = await makeHarness({ backend: 'sqlite', storedKey: keyOf(1) });
    expect(await post(IDS.nexus, restoreBody(1, share1()), IDS.restore)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect(h.collector.collected()).toBe(0);
  });
});

describe('restore on a replica that does not collect', () => {
  it('forwards the body as received for the operator and passes the answer on unchanged', async () => {
    const answer = { status: 429, body: Buffer.from('{"collected":1,"remaining":1,"restored":false,"err":"x"}'), retryAfter: '7' };
    const { f, sent } = forwarding({ kind: 'forward', name: 'nexus-b', url: 'https://b.example:8553' }, false, answer);
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: f });
    const body = restoreBody(1, share1());
    const r = await post(IDS.restore, body);
    expect(r).toMatchObject({ status: 429, body: answer.body.toString('utf8') });
    expect(r.headers['retry-after']).toBe('7');
    expect(sent).toEqual([{ url: 'https://b.example:8553', body, caller: IDS.restore }]);
    expect(h.collector.collected()).toBe(0);
    expect(h.logs.audits.find((a) => a['outcome'] === 'forwarded')).toMatchObject({ caller: IDS.restore, shardId: 1, collector: 'nexus-b', status: 429 });
    // No value in the audit or the log.
    const text = JSON.stringify([h.logs.audits, h.logs.lines]);
    expect(text).not.toContain(share1().join(','));
  });

  it('never forwards a forwarded call again; an unreachable or unknown collector is 503 with Retry-After, nothing kept', async () => {
    const notCollector = forwarding({ kind: 'forward', name: 'nexus-b', url: 'https://b.example:8553' }, false);
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: notCollector.f });
    const body = restoreBody(1, share1());
    const again = await post(IDS.nexus, body, IDS.restore);
    expect(again.status).toBe(503);
    expect(notCollector.sent).toEqual([]);
    const down = await post(IDS.restore, body);
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    expect(notCollector.sent).toHaveLength(1);
    expect(h.logs.audits.filter((a) => a['action'] === 'restore').map((a) => a['outcome'])).toEqual(['refused_not_collector', 'forward_failed']);
    await h.close();

    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: forwarding({ kind: 'unknown' }, false).f });
    expect((await post(IDS.restore, body)).status).toBe(503);
    expect(h.collector.collected()).toBe(0);
  });

  it('a ready replica answers itself (healthy), without asking who collects', async () => {
    const { f, sent } = forwarding({ kind: 'forward', name: 'nexus-b', url: 'https://b.example:8553' }, false, { status: 200, body: Buffer.from('{}') });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), installed: keyOf(1), restoreForward: f });
    const r = await post(IDS.restore, restoreBody(1, share1()));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ restored: true });
    expect(sent).toEqual([]);
  });
});
