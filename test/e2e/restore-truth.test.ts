// Restore that cannot mislead, end to end with real processes from dist/
// (npm run build first; docs/design.md § Restore): threshold 2 of 3, every
// process but the Workload API agent killed, then as the restore role over
// mTLS: a reset empties the collection; shard 1, a typo'd shard 2 (no fit,
// nothing installed, both kept), shard 3 → restored, shard 2 named as not
// belonging, every secret reads back; a drill on the healthy Nexus says
// whether a shard matches; drills are rate limited with Retry-After.
// Answers are asserted as the exact bytes Nexus sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecret, putSecret, recover } from '../../src/client/index.js';
import { encodeRestoreRequest } from '../../src/protocol/messages.js';
import { ACTION_RESET, PATH_OPERATOR_RESTORE, urlFor } from '../../src/protocol/paths.js';
import { Stack, type StackClient } from '../helpers/stack.js';
import { pickShard } from '../helpers/recovered-shards.js';

const SECRETS: Record<string, Record<string, string>> = {
  'apps/db': { user: 'admin', pass: 's3cr3t' },
  'apps/api': { token: 'tok-42' },
  'team/ops/pager': { number: '+1-555-0100' },
};

let stack: Stack;
let pilot: StackClient;
let shards: Map<number, Uint8Array | null>;

beforeAll(async () => {
  stack = await Stack.create({ keepers: 3, threshold: 2 });
  await stack.startAll();
  pilot = await stack.client('pilot');
  await asRole(stack.ids.superuser);
  for (const [p, v] of Object.entries(SECRETS)) await putSecret(pilot.http, stack.nexusUrl, p, v);
  await asRole(stack.ids.recover);
  shards = await recover(pilot.http, stack.nexusUrl);
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

async function asRole(id: string): Promise<void> {
  if (pilot.id() !== id) await stack.switchIdentity(pilot, id);
}

const shard = (id: number): Uint8Array => pickShard(shards, id);

function typo(v: Uint8Array): Uint8Array {
  const t = Uint8Array.from(v);
  t[31] = (t[31] as number) ^ 1;
  return t;
}

/** One restore call: the status, the exact answer and the Retry-After header. */
async function post(id: number, value: Uint8Array): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  const res = await pilot.http.postJson(urlFor(stack.nexusUrl, PATH_OPERATOR_RESTORE), encodeRestoreRequest(id, value));
  return { status: res.status, body: res.body.toString('utf8'), retryAfter: res.retryAfter };
}

describe('restore tells the truth (real stack, threshold 2 of 3)', () => {
  it('everything killed → reset → shard 1, a typo of shard 2, shard 3 → restored, 2 rejected, every secret back; then drills', { timeout: 180_000 }, async () => {
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === 2 });
    await asRole(stack.ids.restore);

    // a value given by mistake, then the collection emptied on purpose
    expect(await post(3, typo(shard(3)))).toEqual({ status: 200, body: '{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[3]}', retryAfter: undefined });
    const reset = await pilot.http.postJson(urlFor(stack.nexusUrl, PATH_OPERATOR_RESTORE, ACTION_RESET), Buffer.from('{}'));
    expect({ status: reset.status, body: reset.body.toString() }).toEqual({ status: 200, body: '{"collected":0,"remaining":2,"restored":false,"state":"reset"}' });

    expect(await post(1, shard(1))).toMatchObject({ status: 200, body: '{"collected":1,"remaining":1,"restored":false,"state":"collecting","ids":[1]}' });
    expect(await post(1, shard(1))).toMatchObject({
      status: 200,
      body: '{"collected":1,"remaining":1,"restored":false,"state":"collecting","duplicate":true,"ids":[1]}',
    });
    // the typo: no fit, nothing installed, both values kept
    expect(await post(2, typo(shard(2)))).toMatchObject({ status: 200, body: '{"collected":2,"remaining":1,"restored":false,"state":"no_fit","ids":[1,2]}' });
    await nexus.waitForCount('restore', 1, { where: (a) => a.outcome === 'no_fit' });
    expect(nexus.events('root_key_ready')).toHaveLength(0);
    expect(nexus.events('root_key_rejected')).toHaveLength(0);
    // shard 3 fits with shard 1: restored, and shard 2 named as not belonging
    expect(await post(3, shard(3))).toMatchObject({
      status: 200,
      body: '{"collected":3,"remaining":0,"restored":true,"state":"restored","rejected":[2]}',
    });
    await nexus.waitForEvent('root_key_ready', { where: (l) => l.source === 'restore' });
    const audits = await nexus.waitForCount('restore', 6);
    expect(audits.map((a) => [a.shardId ?? null, a.outcome])).toEqual([
      [3, 'collected'],
      [null, 'reset'],
      [1, 'collected'],
      [1, 'duplicate'],
      [2, 'no_fit'],
      [3, 'restored'],
    ]);
    expect(audits[5]).toMatchObject({ used: [1, 3], rejected: [2], conflict: [] });
    expect(audits.every((a) => a.caller === stack.ids.restore)).toBe(true);
    expect(JSON.stringify(nexus.lines)).not.toContain(Array.from(shard(2)).slice(0, 6).join(','));

    await asRole(stack.ids.superuser);
    for (const [p, v] of Object.entries(SECRETS)) expect(await getSecret(pilot.http, stack.nexusUrl, p)).toEqual(v);

    // drills on the healthy Nexus: the right shard matches, the typo does not; nothing changes
    await asRole(stack.ids.restore);
    expect(await post(2, shard(2))).toMatchObject({ status: 200, body: '{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":true}' });
    expect(await post(2, typo(shard(2)))).toMatchObject({ status: 200, body: '{"collected":0,"remaining":0,"restored":true,"state":"healthy","match":false}' });
    // drills add nothing: charged; once the bucket (10) is empty → 429 with Retry-After
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 20 && limited === undefined; i++) {
      const r = await post(1, shard(1));
      if (r.status === 429) limited = r;
    }
    expect(limited).toBeDefined();
    const seconds = Number(limited!.retryAfter);
    expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 3).toBe(true);
    expect(limited!.body).toBe(`{"collected":0,"remaining":0,"restored":false,"err":"api_bad_request","state":"rate_limited","retryAfter":${seconds}}`);
    expect(nexus.events('root_key_ready')).toHaveLength(1);
  });
});
