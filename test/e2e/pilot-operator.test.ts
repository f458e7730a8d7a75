// The built `spike` against a fake mTLS Nexus and a fake Workload API:
// recover writes the files, restore sends shards, every refusal happens
// before anything is sent. Needs `npm run build` first.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePilotEnv } from '../helpers/fake-pilot.js';
import { FakeNexus, runSpike, SPIKE_BIN } from '../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa, type TestSvid } from '../helpers/testca.js';

const TD = 'spike.ist';
const ROLE = {
  recover: `spiffe://${TD}/spike/pilot/role/recover`,
  restore: `spiffe://${TD}/spike/pilot/role/restore`,
  superuser: `spiffe://${TD}/spike/pilot/role/superuser`,
};
const HEX = '5a'.repeat(31) + '01';
const SHARD = `spike:2:${HEX}`;
const bytes = (hex: string): number[] => [...Buffer.from(hex, 'hex')];

let ca: TestCa;
let nexusSvid: TestSvid;
let wl: FakeWorkloadApi;
let nexus: FakeNexus;
let tmp: string;

beforeAll(async () => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  ca = await createTestCa(TD);
  nexusSvid = await ca.issue(`spiffe://${TD}/spike/nexus`);
  wl = await FakeWorkloadApi.start();
});
afterAll(async () => {
  await wl?.close();
});
beforeEach(async () => {
  tmp = mkdtempSync('/tmp/pe-');
  nexus = await FakeNexus.start({ ca, svid: nexusSvid });
});
afterEach(async () => {
  await nexus.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function asRole(id: string): Promise<void> {
  wl.setResponse(svidResponse(ca, await ca.issue(id)));
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return fakePilotEnv({ wl, nexus, tmp }, { SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), SPIKE_HTTP_CLIENT_TIMEOUT: '10s', ...extra });
}

describe('spike operator recover', () => {
  it('writes one 0600 file per shard, byte-exact, and prints the seed text', async () => {
    await asRole(ROLE.recover);
    const shards = { '1': bytes('01'.repeat(32)), '2': bytes('ab'.repeat(32)), '3': bytes(HEX) };
    nexus.respond(() => ({ status: 200, json: { shards } }));
    const r = await runSpike(['operator', 'recover'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = join(tmp, 'r', 'recover');
    expect(r.stdout).toContain(`  SPIKE Recovery shards saved to the recovery directory:\n  ${dir}\n`);
    // spike-ts adds the manifest (docs/runbook.md): check digests, no secret.
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json']);
    expect(readFileSync(join(dir, 'spike.recovery.2.txt'), 'latin1')).toBe(`spike:2:${'ab'.repeat(32)}`);
    expect(readFileSync(join(dir, 'spike.recovery.3.txt'), 'latin1')).toBe(`spike:3:${HEX}`);
    for (const f of readdirSync(dir)) expect(lstatSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(nexus.requests).toHaveLength(1);
    expect(nexus.requests[0]).toMatchObject({ method: 'POST', url: '/v1/operator/recover', peerId: ROLE.recover });
    expect(nexus.requests[0]?.body.toString()).toBe('{}');
  });

  it('the alias `spike recover` and -f json work', async () => {
    await asRole(ROLE.recover);
    nexus.respond(() => ({ status: 200, json: { shards: { '1': bytes(HEX) } } }));
    const r = await runSpike(['recover', '-f', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const dir = join(tmp, 'r', 'recover');
    expect(JSON.parse(r.stdout)).toMatchObject({ directory: dir, files: [join(dir, 'spike.recovery.1.txt')], encrypted: false });
    expect(r.stdout).not.toContain(HEX);
  });

  it('wrong role: exit 3, one line naming access_unauthorized, no request', async () => {
    await asRole(ROLE.restore);
    const r = await runSpike(['operator', 'recover'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Error: this command needs the recover role \(spiffe:\/\/spike\.ist\/spike\/pilot\/role\/recover\), but this SPIKE Pilot is spiffe:[^\n]+ \(access_unauthorized\); grant it with hack\/spire-server-entry-recover-register\.sh\.\n$/);
    expect(r.stdout).toBe('');
    expect(nexus.requests).toEqual([]);
    expect(nexus.secureConnections).toBe(0);
  });

  it('an invalid answer (duplicate ids) is exit 1 and nothing is written', async () => {
    await asRole(ROLE.recover);
    const a = JSON.stringify(bytes(HEX));
    nexus.respond(() => ({ status: 200, raw: `{"shards":{"1":${a},"1":${a}}}` }));
    const r = await runSpike(['operator', 'recover'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Failed to retrieve recovery shards\. \(.*duplicate.*\)\n$/);
    expect(existsSync(join(tmp, 'r'))).toBe(false);
  });

  it('an unsafe recovery directory is exit 4, nothing fetched, nothing written', async () => {
    await asRole(ROLE.recover);
    nexus.respond(() => ({ status: 200, json: { shards: { '1': bytes(HEX) } } }));
    const r = await runSpike(['operator', 'recover'], { env: env({ SPIKE_PILOT_RECOVERY_DIR: '/tmp' }) });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^Error: Refusing to use recovery directory \/tmp: .*\n$/);
    expect(existsSync('/tmp/recover/spike.recovery.1.txt')).toBe(false);
    expect(nexus.requests).toEqual([]);
  });
});

describe('spike operator restore', () => {
  it('stdin: sends {"id","shard"} and prints progress, then completion', async () => {
    await asRole(ROLE.restore);
    nexus.respond(() => ({ status: 200, json: { collected: 1, remaining: 1, restored: false } }));
    const r = await runSpike(['operator', 'restore'], { env: env(), stdin: `${SHARD}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '\nShards collected: 1\nShards remaining: 1\nPlease run `spike operator restore` again to provide the remaining shards.\n\n',
    );
    expect(nexus.requests).toHaveLength(1);
    expect(nexus.requests[0]).toMatchObject({ url: '/v1/operator/restore', peerId: ROLE.restore });
    expect(JSON.parse(nexus.requests[0]?.body.toString() ?? '')).toEqual({ id: 2, shard: bytes(HEX) });

    nexus.respond(() => ({ status: 200, json: { collected: 2, remaining: 0, restored: true } }));
    const done = await runSpike(['restore'], { env: env(), stdin: SHARD });
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(
      '\nSPIKE is now restored and ready to use.\nPlease run `./hack/spire-server-entry-su-register.sh` with necessary privileges\nto start using SPIKE as a superuser.\n\n',
    );
    const json = await runSpike(['operator', 'restore', '--format', 'j'], { env: env(), stdin: SHARD });
    expect(json.stdout).toBe('{\n  "collected": 2,\n  "remaining": 0,\n  "restored": true\n}\n');
  });

  it('the answers that say what happened, over HTTP: 429 with Retry-After, a drill mismatch, a no-fit (exit 1, 5, 5)', async () => {
    await asRole(ROLE.restore);
    nexus.respond(() => ({
      status: 429,
      headers: { 'retry-after': '6' },
      json: { collected: 0, remaining: 0, restored: false, err: 'api_bad_request', state: 'rate_limited', retryAfter: 4 }, // the header wins
    }));
    const limited = await runSpike(['operator', 'restore'], { env: env(), stdin: SHARD });
    expect(limited).toMatchObject({ code: 1, stdout: '', stderr: 'Error: Too many restore attempts; try again in 6 s.\n' });

    nexus.respond(() => ({ status: 200, json: { collected: 0, remaining: 0, restored: true, state: 'healthy', match: false } }));
    const drill = await runSpike(['operator', 'restore'], { env: env(), stdin: SHARD });
    expect(drill).toMatchObject({ code: 5, stdout: '', stderr: 'Error: SPIKE Nexus is healthy; nothing to restore. Shard 2 does NOT match the current root key.\n' });

    nexus.respond(() => ({ status: 200, json: { collected: 2, remaining: 1, restored: false, state: 'no_fit', ids: [1, 2] } }));
    const noFit = await runSpike(['operator', 'restore', '-f', 'json'], { env: env(), stdin: SHARD });
    expect(noFit.code).toBe(5);
    expect(JSON.parse(noFit.stdout)).toEqual({ collected: 2, remaining: 1, restored: false, state: 'no_fit', ids: [1, 2] });
    expect(noFit.stderr).toMatch(/^Error: The shards given so far \(shards 1 and 2\) do not fit together: [^\n]+\n$/);
  });

  it('--reset posts {} to ?action=reset; a Nexus without it says so', async () => {
    await asRole(ROLE.restore);
    nexus.respond((req) =>
      req.url === '/v1/operator/restore?action=reset'
        ? { status: 200, json: { collected: 0, remaining: 2, restored: false, state: 'reset' } }
        : { status: 400, json: { err: 'api_bad_request' } },
    );
    const r = await runSpike(['operator', 'restore', '--reset'], { env: env() });
    expect(r).toMatchObject({ code: 0, stdout: 'Restore collection emptied; give the shards again.\n', stderr: '' });
    expect(nexus.requests.map((q) => [q.url, q.body.toString()])).toEqual([['/v1/operator/restore?action=reset', '{}']]);

    nexus.respond(() => ({ status: 400, json: { err: 'api_bad_request' } }));
    const old = await runSpike(['operator', 'restore', '--reset'], { env: env() });
    expect(old).toMatchObject({
      code: 1,
      stderr: 'Error: This SPIKE Nexus does not support `spike operator restore --reset`; nothing was changed. (HTTP 400 api_bad_request)\n',
    });
  });

  const malformed: [string, string][] = [
    ['empty input', ''],
    ['no prefix', `2:${HEX}`],
    ['63 hex chars', `spike:2:${HEX.slice(1)}`],
    ['non-hex', `spike:2:${HEX.slice(0, 63)}x`],
    ['id 0', `spike:0:${HEX}`],
    ['id 1001', `spike:1001:${HEX}`],
    ['id 01', `spike:01:${HEX}`],
    ['over 4096 bytes', SHARD + ' '.repeat(4100)],
  ];
  for (const [name, input] of malformed) {
    it(`malformed shard (${name}): exit 2, one line, Nexus received nothing`, async () => {
      await asRole(ROLE.restore);
      nexus.respond(() => ({ status: 200, json: { collected: 1, remaining: 1, restored: false } }));
      const r = await runSpike(['operator', 'restore'], { env: env(), stdin: input });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: [^\n]+\n$/);
      expect(r.stderr).not.toContain(HEX.slice(0, 20));
      expect(nexus.requests).toEqual([]);
      expect(nexus.secureConnections).toBe(0);
    });
  }

  it('wrong role: exit 3 before reading input, no request', async () => {
    await asRole(ROLE.superuser);
    const r = await runSpike(['operator', 'restore'], { env: env(), stdin: SHARD });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Error: this command needs the restore role \(spiffe:\/\/spike\.ist\/spike\/pilot\/role\/restore\), but this SPIKE Pilot is spiffe:[^\n]+ \(access_unauthorized\); grant it with hack\/spire-server-entry-restore-register\.sh\.\n$/);
    expect(nexus.requests).toEqual([]);
  });

  it('a server with a non-Nexus SPIFFE ID: exit 3 and no shard sent', async () => {
    await asRole(ROLE.restore);
    const impostor = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/keeper`) });
    try {
      const r = await runSpike(['operator', 'restore'], { env: env({ SPIKE_NEXUS_API_URL: impostor.url }), stdin: SHARD });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^Error: Failed to communicate with SPIKE Nexus\. \(server at https:\/\/127\.0\.0\.1:\d+ failed SPIFFE authentication: .*spike\/keeper.*\)\n$/);
      expect(impostor.requests).toEqual([]);
    } finally {
      await impostor.close();
    }
  });

  it('an error answer is exit 1 with upstream text', async () => {
    await asRole(ROLE.restore);
    nexus.respond(() => ({ status: 500, json: { err: 'api_internal_error' } }));
    const r = await runSpike(['operator', 'restore'], { env: env(), stdin: SHARD });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: Failed to communicate with SPIKE Nexus. (HTTP 500 api_internal_error)\n');
  });

  it('a plain 400 is Nexus refusing this shard, not a network fault: exit 5', async () => {
    await asRole(ROLE.restore);
    nexus.respond(() => ({ status: 400, json: { err: 'api_bad_request' } }));
    const r = await runSpike(['operator', 'restore'], { env: env(), stdin: SHARD });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^Error: SPIKE Nexus refused shard \d+ as invalid \(HTTP 400 api_bad_request\): .*Nothing was kept; check the shard\.\n$/);
  });
});

describe('failures have deadlines', () => {
  it('Nexus down (connection refused): exit 1 quickly', async () => {
    await asRole(ROLE.restore);
    const url = nexus.url;
    await nexus.close();
    nexus = await FakeNexus.start({ ca, svid: nexusSvid }); // for afterEach
    const r = await runSpike(['operator', 'restore'], { env: env({ SPIKE_NEXUS_API_URL: url }), stdin: SHARD });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Failed to communicate with SPIKE Nexus\. \(.*ECONNREFUSED.*\)\n$/);
  });

  it('Nexus silent (accepts, never answers): exit 1 within SPIKE_HTTP_CLIENT_TIMEOUT', async () => {
    await asRole(ROLE.recover);
    const sockets = new Set<import('node:net').Socket>();
    const blackhole: Server = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    const port = (blackhole.address() as import('node:net').AddressInfo).port;
    try {
      const r = await runSpike(['operator', 'recover'], {
        env: env({ SPIKE_NEXUS_API_URL: `https://127.0.0.1:${port}`, SPIKE_HTTP_CLIENT_TIMEOUT: '1500ms' }),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: Failed to retrieve recovery shards\. \(.*within 1500 ?ms.*\)\n$/);
      expect(existsSync(join(tmp, 'r'))).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blackhole.close(() => r()));
    }
  });

  it('no Workload API: exit 3 within SPIKE_SPIFFE_SOURCE_TIMEOUT, naming the socket', async () => {
    const socket = `unix://${join(tmp, 'none.sock')}`;
    const r = await runSpike(['operator', 'restore'], {
      env: env({ SPIFFE_ENDPOINT_SOCKET: socket, SPIKE_SPIFFE_SOURCE_TIMEOUT: '1s' }),
      stdin: SHARD,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(join(tmp, 'none.sock'));
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(nexus.requests).toEqual([]);
  });
});
