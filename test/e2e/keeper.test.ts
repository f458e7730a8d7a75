// SPIKE Keeper as a real process (dist/spike-keeper.js) behind the real dev
// Workload API (dist/spike-dev-agent.js). Run `npm run build` first.
//
// The agent and one keeper are shared by the tests (beforeAll); every test
// sets up what it relies on (the shard the shared keeper holds, a keeper of
// its own when it needs an empty one, a workload of its own when it changes
// an identity), so any test passes alone (`-t`) or in any order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { DIST, Proc, minimalEnv, spawnBin } from '../helpers/proc.js';
import { X509Source } from '../../src/spiffe/workloadapi.js';
import { authorizeIf } from '../../src/spiffe/authorizer.js';
import { mtlsClientOptions } from '../../src/spiffe/tlsconfig.js';
import { createSpikeHttpClient } from '../../src/client/http.js';
import { contributeShard, fetchShard } from '../../src/client/api.js';
import { ClientError } from '../../src/client/errors.js';
import type { SpikeHttpClient } from '../../src/client/transport.js';
import { isKeeper, isNexus } from '../../src/protocol/roles.js';

const ROOTS = ['spike.ist'];
const keeperAuthorizer = authorizeIf((id) => isKeeper(id, ROOTS), 'a SPIKE Keeper');

/** `node dist/<script> args` with PATH, HOME and `env` only. */
const start = (script: string, args: string[], env: Record<string, string>): Proc => spawnBin(script, script, args, minimalEnv(env));

let dir: string;
let agent: Proc;
let keeper: Proc;
let keeperUrl: URL;
/** Keepers started by single tests (stopped by afterAll). */
const extraKeepers: Proc[] = [];
const sources: X509Source[] = [];
const clients: SpikeHttpClient[] = [];
let nexusSource: X509Source;
let bootstrapSource: X509Source;
let pilotSource: X509Source;

const sock = (w: string) => `unix://${join(dir, 'sockets', `${w}.sock`)}`;
async function sourceFor(workload: string): Promise<X509Source> {
  const s = await X509Source.create({ address: sock(workload), timeoutMs: 10_000 });
  sources.push(s);
  return s;
}
function clientFor(source: X509Source, timeoutMs = 5000): SpikeHttpClient {
  const c = createSpikeHttpClient({ source, serverAuthorizer: keeperAuthorizer, timeoutMs });
  clients.push(c);
  return c;
}

/** A raw request (any method, path, body) with the given workload's SVID. */
function raw(
  source: X509Source,
  method: string,
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: import('node:http').IncomingHttpHeaders }> {
  return new Promise((res, rej) => {
    const req = https.request(new URL(path, keeperUrl), {
      method,
      agent: false,
      ...mtlsClientOptions(source, keeperAuthorizer),
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.on('response', (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: r.headers }));
    });
    req.end(body);
  });
}

const SHARD = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 13 + 5) % 256));

/** A keeper on a port it picks itself (port 0, read from `keeper_listening`). */
async function startKeeper(): Promise<{ proc: Proc; url: URL }> {
  const proc = start('spike-keeper.js', [], {
    SPIFFE_ENDPOINT_SOCKET: sock('keeper-1'),
    SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0',
    SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
  });
  const ev = await proc.waitForEvent('keeper_listening');
  return { proc, url: new URL(`https://127.0.0.1:${String(ev.port)}`) };
}

/** The shared keeper holds SHARD (whatever an earlier test left in it). */
async function holdingShard(): Promise<void> {
  await contributeShard(clientFor(nexusSource), keeperUrl, SHARD);
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'spike-keeper.js')) || !existsSync(join(DIST, 'spike-dev-agent.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  dir = mkdtempSync('/tmp/kpe-');
  agent = start('spike-dev-agent.js', ['run'], { SPIKE_DEV_DIR: dir, SPIKE_SYSTEM_LOG_LEVEL: 'warn' });
  await agent.waitForEvent('agent_ready');
  ({ proc: keeper, url: keeperUrl } = await startKeeper());
  [nexusSource, bootstrapSource, pilotSource] = await Promise.all([sourceFor('nexus'), sourceFor('bootstrap'), sourceFor('pilot')]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(sources.map((s) => s.close()));
  const keeperExit = await keeper?.stop('SIGTERM', 5000);
  await Promise.all(extraKeepers.map((k) => k.stop('SIGKILL')));
  await agent?.stop('SIGTERM', 5000);
  if (dir) rmSync(dir, { recursive: true, force: true });
  // SIGTERM is a clean exit (a hook cannot hold an expect; a throw fails the file just the same)
  if (keeper !== undefined && keeperExit !== 0) throw new Error(`keeper exited ${String(keeperExit)} on SIGTERM, want 0`);
});

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ClientError);
  return e as ClientError;
}

describe('spike-keeper', () => {
  it('an empty keeper answers 400 to Nexus, never 200 with null', async () => {
    // a keeper of its own: the shared one may hold a shard already
    const empty = await startKeeper();
    extraKeepers.push(empty.proc);
    const e = await rejection(fetchShard(clientFor(nexusSource), empty.url));
    expect(e.status).toBe(400);
    expect(e.code).toBe('api_bad_request');
    expect(await empty.proc.stop('SIGTERM')).toBe(0);
  });

  it('bootstrap may contribute but not read (401)', async () => {
    await contributeShard(clientFor(bootstrapSource), keeperUrl, Buffer.alloc(32, 9));
    const e = await rejection(fetchShard(clientFor(bootstrapSource), keeperUrl));
    expect(e.status).toBe(401);
    expect(e.code).toBe('access_unauthorized');
  });

  it('contribute then shard round-trips (as Nexus), upstream bytes', async () => {
    const nexus = clientFor(nexusSource);
    await contributeShard(nexus, keeperUrl, SHARD);
    const got = await fetchShard(nexus, keeperUrl);
    expect(got.equals(SHARD)).toBe(true);
    const r = await raw(nexusSource, 'POST', '/v1/store/shard', '{}');
    expect(r.status).toBe(200);
    expect(r.body).toBe(`{"shard":[${[...SHARD].join(',')}],"Err":""}`);
  });

  it('a pilot SVID is refused at the TLS level', async () => {
    await holdingShard();
    const e = await rejection(contributeShard(clientFor(pilotSource), keeperUrl, Buffer.alloc(32, 1)));
    expect(e.kind).toBe('transport');
    // and the shard is unchanged
    expect((await fetchShard(clientFor(nexusSource), keeperUrl)).equals(SHARD)).toBe(true);
  });

  it('a client pinned to Nexus refuses the keeper SVID → identity', async () => {
    const pinned = createSpikeHttpClient({
      source: nexusSource,
      serverAuthorizer: authorizeIf((id) => isNexus(id, ROOTS), 'SPIKE Nexus'),
      timeoutMs: 5000,
    });
    clients.push(pinned);
    const e = await rejection(fetchShard(pinned, keeperUrl));
    expect(e.kind).toBe('identity');
  });

  it('a rotated SVID is used by an existing client at once (pilot → nexus via entry set)', async () => {
    await holdingShard();
    // a workload of its own (the shared `pilot` keeps its identity for the other tests)
    const entrySet = async (id: string): Promise<void> => {
      const set = start('spike-dev-agent.js', ['entry', 'set', 'rotor', id], { SPIKE_DEV_DIR: dir });
      expect(await set.exited, set.stderr()).toBe(0);
    };
    await entrySet('spiffe://spike.ist/spike/pilot/role/superuser');
    const rotating = await sourceFor('rotor');
    const c = clientFor(rotating);
    expect((await rejection(fetchShard(c, keeperUrl))).kind).toBe('transport');
    const updated = new Promise<void>((r) => rotating.once('update', () => r()));
    await entrySet('spiffe://spike.ist/spike/nexus');
    await updated;
    expect(rotating.getX509Svid().id.toString()).toBe('spiffe://spike.ist/spike/nexus');
    expect((await fetchShard(c, keeperUrl)).equals(SHARD)).toBe(true);
  });

  type RefusedRequest = [name: string, status: number, method: string, path: string, body: string, answer: string];
  const BAD_REQUEST = '{"err":"api_bad_request"}';
  /** Bodies of POST /v1/store/contribute that the keeper refuses with 400 api_bad_request. */
  const badContributeBodies: [name: string, body: string][] = [
    ['null body', 'null'],
    ['empty body', ''],
    ['short array of zeros', '{"shard":[0,0]}'],
    ['element 256', '{"shard":[256]}'],
    ['base64 string', '{"shard":"AAAA"}'],
    ['string elements', '{"shard":["1","2"]}'],
    ['wrong type', '{"shard":{"0":1}}'],
    ['oversized body', `{"shard":[1],"pad":"${'x'.repeat(20_000)}"}`],
  ];
  /** Methods and paths that the keeper refuses with 400 api_bad_request. */
  const badRoutes: [name: string, method: string, path: string, body: string][] = [
    ['GET', 'GET', '/v1/store/shard', ''],
    ['PUT', 'PUT', '/v1/store/contribute', '{"shard":[1]}'],
    ['DELETE', 'DELETE', '/v1/store/shard', ''],
    ['PATCH', 'PATCH', '/v1/store/contribute', '{"shard":[1]}'],
    ['unknown action', 'POST', '/v1/store/shard?action=get', '{}'],
    ['unknown path', 'POST', '/v1/store/keep', '{}'],
  ];
  it.each<RefusedRequest>([
    ...badContributeBodies.map(([name, body]): RefusedRequest => [name, 400, 'POST', '/v1/store/contribute', body, BAD_REQUEST]),
    ...badRoutes.map(([name, method, path, body]): RefusedRequest => [name, 400, method, path, body, BAD_REQUEST]),
    ['shard with array body', 400, 'POST', '/v1/store/shard', '[]', '{"shard":null,"Err":"api_bad_request"}'],
  ])('%s → %i and the keeper keeps serving', async (_name, status, method, path, body, answer) => {
    await holdingShard();
    const r = await raw(nexusSource, method, path, body);
    expect(r.status).toBe(status);
    expect(r.body).toBe(answer);
    expect((await fetchShard(clientFor(nexusSource), keeperUrl)).equals(SHARD)).toBe(true);
  });

  it('ignores the content type (upstream does); a malformed one is a 400, not a crash', async () => {
    await holdingShard();
    const r = await raw(nexusSource, 'POST', '/v1/store/shard', '{}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(200);
    const bad = await raw(nexusSource, 'POST', '/v1/store/shard', '{}', { 'content-type': 'a b;;=' });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('{"err":"api_bad_request"}');
    const head = await raw(nexusSource, 'HEAD', '/v1/store/shard', '');
    expect(head.status).toBe(400);
    expect((await fetchShard(clientFor(nexusSource), keeperUrl)).equals(SHARD)).toBe(true);
  });

  it('answers with upstream headers', async () => {
    await holdingShard();
    const r = await raw(nexusSource, 'POST', '/v1/store/shard', '{}');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('no-store, no-cache, must-revalidate, private');
    expect(r.headers.pragma).toBe('no-cache');
    expect(r.headers.expires).toBe('0');
  });

  it('writes an audit line per request with the caller and status, never the shard', async () => {
    const mark = keeper.mark();
    await holdingShard();
    await rejection(fetchShard(clientFor(bootstrapSource), keeperUrl));
    // audit lines travel through a pipe: wait for them rather than race the answers
    const ok = await keeper.waitForEvent('keeper_request', {
      after: mark,
      where: (l) => l.status === 200 && l.route === '/v1/store/contribute' && l.caller === 'spiffe://spike.ist/spike/nexus',
    });
    expect(ok.method).toBe('POST');
    const refused = await keeper.waitForEvent('keeper_request', {
      after: mark,
      where: (l) => l.status === 401 && l.route === '/v1/store/shard' && l.caller === 'spiffe://spike.ist/spike/bootstrap',
    });
    expect(refused.method).toBe('POST');
    const audit = keeper.stderr();
    expect(audit).toContain('"status":401');
    expect(audit).not.toContain([...SHARD].join(','));
    expect(keeper.stdout()).not.toContain([...SHARD].join(','));
  });
});

describe('spike-keeper start-up', () => {
  it('refuses to run with a non-keeper SPIFFE ID: one line, exit 1', async () => {
    const p = start('spike-keeper.js', [], { SPIFFE_ENDPOINT_SOCKET: sock('nexus'), SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0' });
    expect(await p.exited).toBe(1);
    const err = p.stderr();
    expect(err).toMatch(/SPIFFE ID is not valid: spiffe:\/\/spike\.ist\/spike\/nexus/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('gives up on a missing Workload API after SPIKE_SPIFFE_SOURCE_TIMEOUT, naming the socket', async () => {
    const p = start('spike-keeper.js', [], {
      SPIFFE_ENDPOINT_SOCKET: `unix://${join(dir, 'nope.sock')}`,
      SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0',
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '500ms',
    });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain('nope.sock');
  });

  it('rejects an invalid SPIKE_KEEPER_TLS_PORT with one line', async () => {
    const p = start('spike-keeper.js', [], { SPIFFE_ENDPOINT_SOCKET: sock('keeper-1'), SPIKE_KEEPER_TLS_PORT: '8443' });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/^spike-keeper: SPIKE_KEEPER_TLS_PORT: /);
  });
});
