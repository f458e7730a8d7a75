// What an upstream SPIKE Pilot makes of our Nexus's restore answers. Upstream
// decodes the body into reqres.RestoreResponse — only `collected`,
// `remaining`, `restored` and `err` — with encoding/json, which ignores the
// fields spike-ts adds; its SDK treats any status but 200 as a failure. Here
// the answers of every restore situation are decoded with exactly that field
// set (the Go decoding rules of src/gocompat) and read the way upstream's
// restore command reads them: an error, "restored", or "collected/remaining".
import { afterEach, describe, expect, it } from 'vitest';
import { goBool, goInt, goString } from '../../../src/gocompat/json/decode.js';
import { parseGoJson } from '../../../src/gocompat/json/parse.js';
import { decodeStruct, field } from '../../../src/gocompat/json/struct.js';
import { IDS, keyOf, makeHarness, restoreBody, sharesOf, type Harness } from './fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const R = '/v1/operator/restore';

/** reqres.RestoreResponse as upstream declares it (RestorationStatus flattened). */
const UPSTREAM_FIELDS = {
  collected: field('collected', goInt, () => 0),
  remaining: field('remaining', goInt, () => 0),
  restored: field('restored', goBool, () => false),
  err: field('err', goString, () => ''),
};

type UpstreamView = { error: string } | { restored: true } | { collected: number; remaining: number };

function upstreamPilotReads(status: number, body: string): UpstreamView {
  const v = decodeStruct(parseGoJson(body), UPSTREAM_FIELDS, 'restore response');
  if (status !== 200 || v.err !== '') return { error: v.err };
  if (v.restored) return { restored: true };
  return { collected: v.collected, remaining: v.remaining };
}

const shard = (key: Uint8Array, id: number): number[] => Array.from(sharesOf(key)[id - 1]!.value);
const typo = (v: number[]): number[] => v.map((b, i) => (i === 31 ? b ^ 1 : b));

describe("an upstream Pilot reading our Nexus's restore answers", () => {
  it('collecting, duplicate, conflicting value, no fit, restored with a rejected shard', async () => {
    const key = keyOf(7);
    h = await makeHarness({ storedKey: key });
    const send = async (id: number, value: number[]): Promise<UpstreamView> => {
      const r = await h!.post(R, restoreBody(id, value), IDS.restore);
      return upstreamPilotReads(r.status, r.body);
    };
    expect(await send(1, shard(key, 1))).toEqual({ collected: 1, remaining: 1 });
    expect(await send(1, shard(key, 1))).toEqual({ collected: 1, remaining: 1 }); // duplicate: nothing changed
    expect(await send(2, typo(shard(key, 2)))).toEqual({ collected: 2, remaining: 1 }); // no fit: give one more
    expect(await send(2, shard(key, 2))).toEqual({ restored: true }); // the right value for 2 completes the set
    expect(h.state.ready()).toBe(true);
  });

  it('a healthy Nexus: "restored" (the system is usable), whatever the shard', async () => {
    const key = keyOf(9);
    h = await makeHarness({ storedKey: key, installed: key });
    for (const value of [shard(key, 3), typo(shard(key, 3))]) {
      const r = await h.post(R, restoreBody(3, value), IDS.restore);
      expect(upstreamPilotReads(r.status, r.body)).toEqual({ restored: true });
    }
  });

  it('rate limited, too many values, reset without the restore role: an error, never "restored"', async () => {
    const key = keyOf(5);
    h = await makeHarness({ storedKey: key, rate: { capacity: 1, refillMs: 3_600_000 }, limits: { maxValuesPerId: 1, maxCandidateSets: 4096 } });
    expect(upstreamPilotReads(...(await post(h, restoreBody(1, shard(key, 1)))))).toEqual({ collected: 1, remaining: 1 });
    // A second value for id 1 is over the per-id cap: refused (and, adding nothing, charged).
    expect(upstreamPilotReads(...(await post(h, restoreBody(1, typo(shard(key, 1))))))).toEqual({ error: 'api_bad_request' });
    // The bucket is empty now: the next call that adds nothing is a 429.
    const limited = await post(h, restoreBody(1, shard(key, 1)));
    expect(limited[0]).toBe(429);
    expect(upstreamPilotReads(...limited)).toEqual({ error: 'api_bad_request' });
    const reset = await h.post(`${R}?action=reset`, '{}', IDS.superuser);
    expect(upstreamPilotReads(reset.status, reset.body)).toEqual({ error: 'access_unauthorized' });
  });
});

async function post(harness: Harness, body: string): Promise<[number, string]> {
  const r = await harness.post(R, body, IDS.restore);
  return [r.status, r.body];
}
