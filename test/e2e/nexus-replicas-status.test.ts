// `spike operator status` through one replica, per replica (docs/ha.md §
// Nexus replicas), end to end with the real binaries from dist/ (npm run
// build first): two Nexus replicas on one private PostgreSQL cluster, three
// Keepers, threshold 2. Each replica's entry names the key it serves with:
// the same shard-set fingerprint the status names for the answering replica
// (and `spike operator recover` writes into the manifest); a replica waiting
// for its key names none and is listed not ready, then ready with the key
// once the Keepers give it back. Every wait is for a condition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike } from '../helpers/fakenexus.js';
import { freePort } from '../helpers/free-port.js';
import { postgresStack } from '../helpers/postgres-stack.js';
import type { Proc, Stack } from '../helpers/stack.js';

let stack: Stack;
const pgStack = postgresStack('/tmp/nrs-');
let portB: number;

beforeAll(async () => {
  ({ stack } = await pgStack.start());
  await stack.startAll();
  portB = await freePort();
  await startB().waitForEvent('root_key_ready');
  await stack.setEntry('pilot', stack.ids.superuser);
}, 180_000);

afterAll(() => pgStack.cleanup());

function startB(): Proc {
  return stack.spawn(
    'nexus-b',
    'spike-nexus',
    [],
    stack.envFor('nexus', { SPIKE_NEXUS_TLS_PORT: `127.0.0.1:${portB}`, SPIKE_NEXUS_REPLICA_NAME: 'nexus-b', SPIKE_NEXUS_ADVERTISE_URL: `https://127.0.0.1:${portB}` }),
  );
}

interface Shown {
  fingerprint?: string;
  replica?: string;
  replicas?: { name: string; ready: boolean; fingerprint?: string }[];
}

/** The real `spike operator status -f json` through replica A. */
async function statusThroughA(): Promise<Shown> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot'))) if (v !== undefined) env[k] = v;
  const r = await runSpike(['operator', 'status', '-f', 'json'], { env, stdin: '' });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Shown;
}

/** Asks until `cond` holds (the test's timeout bounds it). */
async function statusUntil(cond: (s: Shown) => boolean): Promise<Shown> {
  for (;;) {
    const s = await statusThroughA();
    if (cond(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const entry = (s: Shown, name: string) => s.replicas?.find((r) => r.name === name);

describe('status per replica', () => {
  it("each replica's entry names the key it serves with; a replica waiting for its key names none until it has it", { timeout: 180_000 }, async () => {
    const s = await statusUntil((x) => (x.replicas ?? []).length === 2 && (x.replicas ?? []).every((r) => r.ready && r.fingerprint !== undefined));
    expect(s.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    for (const r of s.replicas ?? []) expect(r.fingerprint).toBe(s.fingerprint);

    // B restarts while two Keepers are down: it waits for its key.
    await stack.kill('nexus-b');
    await stack.kill('keeper-1');
    await stack.kill('keeper-2');
    const b = startB();
    await b.waitForEvent('nexus_listening');
    const waiting = await statusUntil((x) => entry(x, 'nexus-b')?.ready === false);
    expect(entry(waiting, 'nexus-b')).toEqual({ name: 'nexus-b', ready: false, lastSeen: expect.any(String), ageMs: expect.any(Number) });

    // The Keepers back (A refills them): B gets its key; A's status lists it ready with the same key.
    await stack.startKeeper(1);
    await stack.startKeeper(2);
    await b.waitForEvent('root_key_ready');
    const back = await statusUntil((x) => entry(x, 'nexus-b')?.ready === true && entry(x, 'nexus-b')?.fingerprint !== undefined);
    expect(entry(back, 'nexus-b')?.fingerprint).toBe(s.fingerprint);
  });
});
