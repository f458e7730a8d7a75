// Several replicas on PostgreSQL (docs/design.md § Restore through any
// replica), through the app (early filter, guard, route), with a fake
// forwarding:
// - a replica that took the collector lock from a collector that stopped
//   says so in every restore answer (`restarted`, `collector`,
//   `previousCollector`) until the collection ends; a replica that took a
//   free lock says nothing of the kind;
// - `?action=reset` and /v1/operator/status sent to a replica that does not
//   collect act on / report the collector's collection (forwarded for the
//   operator), and the collector believes the forwarded caller only from Nexus.
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectorRole } from '../../../src/nexus/restore/collector-election.js';
import type { ForwardedAnswer, ForwardedCall, RestoreForwarding } from '../../../src/nexus/restore/forward.js';
import { FORWARDED_CALLER_HEADER } from '../../../src/nexus/restore/forward-guard.js';
import { IDS, keyOf, makeHarness, PEER_HEADER, restoreBody, sharesOf, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const share = (i: number): number[] => Array.from(sharesOf(keyOf(1))[i - 1]!.value);

interface Sent {
  url: string;
  caller: string;
  call: ForwardedCall;
}

type Peeked = CollectorRole | { readonly kind: 'none' };

function forwarding(o: { resolve?: CollectorRole[]; peek?: Peeked; holds: boolean; answer?: ForwardedAnswer }): { f: RestoreForwarding; sent: Sent[] } {
  const sent: Sent[] = [];
  const roles = [...(o.resolve ?? [])];
  return {
    sent,
    f: {
      holds: o.holds,
      name: 'nexus-b',
      resolve: () => Promise.resolve(roles.length > 1 ? roles.shift()! : roles[0] ?? { kind: 'unknown' }),
      peek: () => Promise.resolve(o.peek ?? { kind: 'none' }),
      forward: (url, _body, caller, call = 'restore') => {
        sent.push({ url, caller, call });
        return o.answer === undefined ? Promise.reject(new Error('connection refused')) : Promise.resolve(o.answer);
      },
    },
  };
}

async function post(path: string, peer: string, body: string, forwardedCaller?: string) {
  const res = await h!.app.inject({
    method: 'POST',
    url: path,
    payload: body,
    headers: { [PEER_HEADER]: peer, 'content-type': 'application/json', ...(forwardedCaller === undefined ? {} : { [FORWARDED_CALLER_HEADER]: forwardedCaller }) },
  });
  return { status: res.statusCode, body: res.body };
}

const RESTORE = '/v1/operator/restore';
const RESET = '/v1/operator/restore?action=reset';
const STATUS = '/v1/operator/status';

describe('the collection restarted on this replica', () => {
  it('every answer says so, naming both replicas, until the collection is reset', async () => {
    // The first call took the lock from nexus-a, which stopped holding it; the next ones find it held.
    const { f } = forwarding({ holds: true, resolve: [{ kind: 'self', previous: 'nexus-a' }, { kind: 'self' }], peek: { kind: 'self' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), threshold: 3, restoreForward: f });
    const first = await post(RESTORE, IDS.restore, restoreBody(2, share(2)));
    expect(first.status).toBe(200);
    expect(first.body).toBe(
      '{"collected":1,"remaining":2,"restored":false,"state":"collecting","ids":[2],"restarted":true,"collector":"nexus-b","previousCollector":"nexus-a"}',
    );
    // A later call (the lock already held): the same collection, still restarted.
    const second = await post(RESTORE, IDS.restore, restoreBody(3, share(3)));
    expect(JSON.parse(second.body)).toMatchObject({ collected: 2, ids: [2, 3], restarted: true, collector: 'nexus-b', previousCollector: 'nexus-a' });
    // The status of the collector says it too.
    expect(JSON.parse((await post(STATUS, IDS.superuser, '{}')).body)).toMatchObject({ collected: 2, ids: [2, 3], collector: 'nexus-b', restarted: true });

    // The operator empties the collection: a new one, nothing lost any more.
    expect((await post(RESET, IDS.restore, '{}')).status).toBe(200);
    const after = await post(RESTORE, IDS.restore, restoreBody(1, share(1)));
    expect(after.body).toBe('{"collected":1,"remaining":2,"restored":false,"state":"collecting","ids":[1]}');
  });

  it('a replica that took a free lock says nothing of a restart', async () => {
    const { f } = forwarding({ holds: true, resolve: [{ kind: 'self' }] });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: f });
    const r = await post(RESTORE, IDS.restore, restoreBody(1, share(1)));
    expect(r.body).toBe('{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[1]}');
  });
});

describe('reset through a replica that does not collect', () => {
  it('is forwarded to the collector for the operator; its answer is passed on; the local collection is untouched', async () => {
    const answer = { status: 200, body: Buffer.from('{"collected":0,"remaining":2,"restored":false,"state":"reset"}') };
    const { f, sent } = forwarding({ holds: false, peek: { kind: 'forward', name: 'nexus-c', url: 'https://c.example:8553' }, answer });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: f });
    const r = await post(RESET, IDS.restore, '{}');
    expect(r).toEqual({ status: 200, body: answer.body.toString() });
    expect(sent).toEqual([{ url: 'https://c.example:8553', caller: IDS.restore, call: 'reset' }]);
    expect(h.logs.audits.filter((a) => a['action'] === 'restore')).toEqual([expect.objectContaining({ caller: IDS.restore, outcome: 'reset_forwarded', collector: 'nexus-c' })]);
  });

  it('an unreachable collector is 503; nobody collecting resets the (empty) local collection', async () => {
    const down = forwarding({ holds: false, peek: { kind: 'forward', name: 'nexus-c', url: 'https://c.example:8553' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: down.f });
    expect((await post(RESET, IDS.restore, '{}')).status).toBe(503);
    await h.close();
    const none = forwarding({ holds: false, peek: { kind: 'none' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), restoreForward: none.f });
    expect(JSON.parse((await post(RESET, IDS.restore, '{}')).body)).toMatchObject({ state: 'reset' });
    expect(none.sent).toEqual([]);
  });

  it('on the collector: a reset forwarded by Nexus acts for the restore operator it names, never for another role', async () => {
    const { f, sent } = forwarding({ holds: true, resolve: [{ kind: 'self' }], peek: { kind: 'self' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), threshold: 3, restoreForward: f });
    await post(RESTORE, IDS.restore, restoreBody(1, share(1)));
    expect(h.collector.collected()).toBe(1);
    expect((await post(RESET, IDS.nexus, '{}', IDS.superuser)).status).toBe(401);
    expect((await post(RESET, IDS.nexus, '{}')).status).toBe(401);
    expect(h.collector.collected()).toBe(1);
    expect(JSON.parse((await post(RESET, IDS.nexus, '{}', IDS.restore)).body)).toMatchObject({ state: 'reset' });
    expect(h.collector.collected()).toBe(0);
    expect(h.logs.audits.filter((a) => a['outcome'] === 'reset')).toEqual([expect.objectContaining({ caller: IDS.restore, via: IDS.nexus })]);
    expect(sent).toEqual([]);
  });
});

describe('status through a replica that does not collect', () => {
  it("reports the collector's collection (asked for the operator), with this replica's readiness", async () => {
    const answer = { status: 200, body: Buffer.from('{"ready":false,"collected":1,"remaining":2,"threshold":3,"ids":[3],"collector":"nexus-c","restarted":true}') };
    const { f, sent } = forwarding({ holds: false, peek: { kind: 'forward', name: 'nexus-c', url: 'https://c.example:8553' }, answer });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), threshold: 3, restoreForward: f });
    const r = await post(STATUS, IDS.recover, '{}');
    expect(r).toEqual({ status: 200, body: '{"ready":false,"collected":1,"remaining":2,"threshold":3,"ids":[3],"collector":"nexus-c","restarted":true}' });
    expect(sent).toEqual([{ url: 'https://c.example:8553', caller: IDS.recover, call: 'status' }]);
  });

  it('a forwarded status is answered from this replica for a Pilot role, never forwarded again; Nexus alone is refused', async () => {
    const { f, sent } = forwarding({ holds: true, resolve: [{ kind: 'self' }], peek: { kind: 'forward', name: 'nexus-c', url: 'https://c.example:8553' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), threshold: 3, restoreForward: f });
    await post(RESTORE, IDS.restore, restoreBody(2, share(2)));
    expect((await post(STATUS, IDS.nexus, '{}')).status).toBe(401);
    expect((await post(STATUS, IDS.keeper, '{}', IDS.superuser)).status).toBe(401);
    const r = await post(STATUS, IDS.nexus, '{}', IDS.superuser);
    expect(r).toEqual({ status: 200, body: '{"ready":false,"collected":1,"remaining":2,"threshold":3,"ids":[2],"collector":"nexus-b"}' });
    expect(sent).toEqual([]);
  });

  it('an unreachable collector: this replica answers with its own collection, without a collector', async () => {
    const { f } = forwarding({ holds: false, peek: { kind: 'forward', name: 'nexus-c', url: 'https://c.example:8553' } });
    h = await makeHarness({ backend: 'postgres', storedKey: keyOf(1), threshold: 3, restoreForward: f });
    expect(await post(STATUS, IDS.superuser, '{}')).toEqual({ status: 200, body: '{"ready":false,"collected":0,"remaining":3,"threshold":3,"ids":[]}' });
  });
});
