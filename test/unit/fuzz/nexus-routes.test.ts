// Fuzz: the Nexus HTTP app (fastify inject, memory-backed store gate, caller
// ID injected as in test/unit/nexus). Arbitrary methods, paths, actions,
// callers and bodies on the restore, recover, secret and policy routes get
// only documented statuses (200/400/401/404/429/503) with a JSON body —
// never 500 — and Nexus keeps working afterwards. Paths, queries, callers
// and body strings mix in control, line-breaking and bidi characters and
// lone surrogates (dangerous.ts).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { IDS, keyOf, makeHarness, type Harness, type HarnessOptions } from '../nexus/fixtures.js';
import { sprinkled, unitWithDangerous } from './dangerous.js';
import { RUNS } from './refusal.js';

const DOCUMENTED = [200, 400, 401, 404, 429, 503];
/** Every secret value the fuzzer sends starts with this; no log or audit line may contain it. */
const SECRET = 'FUZZSECRET';
const ROUTE_PATHS = ['/v1/operator/restore', '/v1/operator/recover', '/v1/store/secrets', '/v1/acl/policy'];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A request line cannot carry TAB, LF or CR (the HTTP parser refuses them,
 * and the URL parser the test harness goes through drops them, which can turn
 * `/\n/` into an invalid `//`): they arrive percent-encoded. The other
 * dangerous characters stay raw, as raw bytes in a request target would.
 */
const requestTarget = (s: string): string => s.replace(/[\t\n\r]/g, (c) => encodeURIComponent(c));

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ROUTE_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTE_PATHS).map((p) => `${p}/`) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTE_PATHS).map((p) => p.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom('/v1/operator/%72estore', '/v1/store/secrets/metadata', '//v1/store/secrets', '/v1/store/../operator/recover', '/%zz', '/') },
  { weight: 1, arbitrary: sprinkled(fc.webPath()).map((p) => requestTarget(p.startsWith('/') ? p : `/${p}`)) }, // a request target always has a path
);
const action = fc.oneof(
  fc.constantFrom('', '?action=get', '?action=delete', '?action=list', '?action=undelete', '?action=', '?action=GET', '?action=get&action=delete', '?action=%zz', '?x=1&action=get'),
  sprinkled(fc.webQueryParameters()).map((q) => requestTarget(`?${q}`)),
);
const peer = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(IDS.superuser, IDS.restore, IDS.recover) },
  { weight: 1, arbitrary: fc.constantFrom(IDS.bootstrap, IDS.nexus, IDS.keeper, undefined, 'spiffe://spike.ist/spike/pilot/role/superuser/', 'SPIFFE://spike.ist/x', '') },
  { weight: 1, arbitrary: sprinkled(fc.string({ maxLength: 40 })) },
  { weight: 1, arbitrary: sprinkled(fc.constantFrom(IDS.superuser, IDS.restore, 'spiffe://spike.ist/x')) },
);
/** A short string field of a request body, sometimes holding dangerous characters. */
const text = (maxLength: number): fc.Arbitrary<string> => sprinkled(fc.string({ maxLength }));
const shardArray = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 32, maxLength: 32 }),
  fc.constant(Array(32).fill(255)),
  fc.constant(Array(32).fill(0)),
  fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 40 }),
);
const jsonBody = fc.oneof(
  fc.record({ id: fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.constant(2 ** 53), text(4)), shard: fc.oneof(shardArray, fc.constant(null)) }, { requiredKeys: [] }),
  fc.record(
    {
      path: fc.oneof(sprinkled(fc.constantFrom('a', 'app/db', 'a b', '', '../x', 'x'.repeat(501))), text(20)),
      values: fc.oneof(
        fc.constant(null),
        fc.dictionary(fc.oneof(fc.constantFrom('k', 'user', 'pass'), text(8)), fc.oneof(text(8).map((v) => `${SECRET}${v}`), fc.integer()), { maxKeys: 3 }),
      ),
      version: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1.5), fc.constant(2 ** 64)),
    },
    { requiredKeys: [] },
  ),
  fc.record({ name: text(8), spiffeidPattern: text(8), pathPattern: text(8), permissions: fc.array(text(5), { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3, stringUnit: unitWithDangerous(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) }),
);
const body = fc.oneof(
  { weight: 6, arbitrary: jsonBody.map((v) => JSON.stringify(v) as string | Buffer | undefined) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b) as string | Buffer | undefined) },
  { weight: 1, arbitrary: fc.constantFrom<string | Buffer | undefined>(undefined, '', 'null', '{}', '[]', '{"id":1.0,"shard":null}', '{"ID":1,"Shard":[1],"id":2}', '{', '"\\ud800"', `{"a":${'['.repeat(600)}${']'.repeat(600)}}`) },
);
const method = fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH');

async function checkRequest(m: string, p: string, a: string, who: string | undefined, b: string | Buffer | undefined): Promise<void> {
  const hh = h as Harness;
  const r = await hh.post(`${p}${a}`, b, who, m);
  if (!DOCUMENTED.includes(r.status)) throw new Error(`undocumented status ${r.status} for ${m} ${p}${a} as ${String(who)}: ${r.body}`);
  expect(() => JSON.parse(r.body) as unknown).not.toThrow();
  expect(String(r.headers['content-type'])).toMatch(/^application\/json/);
}

/** What JSON.stringify leaves raw, and C0 controls (a line ends with its one \n). */
// eslint-disable-next-line no-control-regex -- the C0 controls are what it looks for
const RAW_UNSAFE_IN_LOG = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** After the storm: no route failed internally, and Nexus still answers a normal call. */
async function expectHealthy(ready: boolean): Promise<void> {
  const hh = h as Harness;
  const failures = hh.logs.lines.filter((l) => l.level === 'ERROR' || l.level === 'error');
  expect(failures).toEqual([]);
  expect(JSON.stringify([...hh.logs.lines, ...hh.logs.audits])).not.toContain(SECRET);
  // Request text reaches log and audit lines (paths, policy names): none holds a raw line-breaking, control or bidi character.
  expect(hh.logs.raw.filter((l) => RAW_UNSAFE_IN_LOG.test(l.slice(0, -1)))).toEqual([]);
  const put = await hh.post('/v1/store/secrets', '{"path":"after/fuzz","values":{"k":"v"}}', IDS.superuser);
  expect(put.status).toBe(ready ? 200 : 503);
  if (ready) {
    const get = await hh.post('/v1/store/secrets?action=get', '{"path":"after/fuzz"}', IDS.superuser);
    expect(get.body).toBe('{"data":{"k":"v"}}');
  }
}

const states: [string, HarnessOptions, boolean][] = [
  ['ready (root key installed)', { installed: keyOf(1) }, true],
  ['waiting for restore (bootstrapped store, no key)', { storedKey: keyOf(1) }, false],
  ['memory backend', { backend: 'memory' }, true],
];

describe('fuzz: Nexus routes', () => {
  for (const [name, opts, ready] of states) {
    it(`${name}: arbitrary requests get documented statuses and JSON bodies`, async () => {
      h = await makeHarness({ ...opts, rate: { capacity: 1_000_000, refillMs: 1 } });
      await fc.assert(fc.asyncProperty(method, path, action, peer, body, checkRequest), { numRuns: RUNS });
      await expectHealthy(ready);
    });
  }

  it('restore flood with the real rate limit: 200/400/429 only, no key installed, nothing fails', async () => {
    h = await makeHarness({ storedKey: keyOf(9), rate: { capacity: 10, refillMs: 60_000 } });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -1, max: 1001 }), shardArray, async (id, shard) => {
        const r = await (h as Harness).post('/v1/operator/restore', JSON.stringify({ id, shard }), IDS.restore);
        expect([200, 400, 429]).toContain(r.status);
        expect(() => JSON.parse(r.body) as unknown).not.toThrow();
      }),
      { numRuns: RUNS },
    );
    expect((h as Harness).state.ready()).toBe(false); // random shards never install a key
    expect((h as Harness).logs.lines.filter((l) => l.level === 'ERROR' || l.level === 'error')).toEqual([]);
  });
});
