// `spike secret put/get` (built CLI) against the fake mTLS Nexus: upstream's
// requests and output, the exit codes of docs/design.md § Exit codes. Needs `npm run build` first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePilot, stopFakePilot } from '../helpers/fake-pilot.js';
import { runSpike, type FakeNexus } from '../helpers/fakenexus.js';
import type { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const SUPERUSER = `spiffe://${TD}/spike/pilot/role/superuser`;

let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;
const store = new Map<string, Record<string, string>>();

beforeAll(async () => {
  ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/ps-', TD));
  wl.setResponse(svidResponse(ca, await ca.issue(SUPERUSER)));
  nexus.respond((req) => {
    const body = JSON.parse(req.body.toString()) as { path: string; values?: Record<string, string> };
    if (body.path.startsWith('notready/')) return { status: 503, json: { err: 'state_not_ready' } };
    if (req.url === '/v1/store/secrets') {
      store.set(body.path, body.values ?? {});
      return { status: 200, json: {} };
    }
    if (req.url === '/v1/store/secrets?action=get') {
      const data = store.get(body.path);
      return data ? { status: 200, json: { data } } : { status: 404, json: { data: null, err: 'api_not_found' } };
    }
    return { status: 400, json: { err: 'api_bad_request' } };
  });
});
afterAll(() => stopFakePilot({ wl, nexus, tmp }));

const env = (): Record<string, string> => ({ HOME: tmp, SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: nexus.url });

describe('spike secret', () => {
  it('put then get (human, one key, json)', async () => {
    const put = await runSpike(['secret', 'put', 'apps/db', 'user=admin', 'pass=a=b'], { env: env() });
    expect(put).toMatchObject({ code: 0, stdout: 'OK\n', stderr: '' });
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({ path: 'apps/db', values: { user: 'admin', pass: 'a=b' } });

    const get = await runSpike(['secret', 'get', 'apps/db'], { env: env() });
    expect(get).toMatchObject({ code: 0, stdout: 'pass: a=b\nuser: admin\n' });
    const one = await runSpike(['secret', 'get', 'apps/db', 'user'], { env: env() });
    expect(one.stdout).toBe('admin\n');
    const js = await runSpike(['secret', 'get', 'apps/db', '-f', 'json'], { env: env() });
    expect(js.stdout).toBe('{\n    "pass": "a=b",\n    "user": "admin"\n}\n');
  });

  it('not found: exit 1 with upstream text', async () => {
    const r = await runSpike(['secret', 'get', 'nope'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: Resource not found.\n');
  });

  it('invalid path or pair: exit 2, nothing sent', async () => {
    const before = nexus.requests.length;
    const a = await runSpike(['secret', 'put', 'bad path', 'a=b'], { env: env() });
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('Error: Invalid secret path: bad path\n');
    const b = await runSpike(['secret', 'put', 'p', 'a=b', 'oops'], { env: env() });
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('Error: Invalid key-value pair: oops\n');
    expect(nexus.requests.length).toBe(before);
  });

  it('without the superuser role: exit 3, nothing sent', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/recover`)));
    try {
      const before = nexus.requests.length;
      const r = await runSpike(['secret', 'get', 'apps/db'], { env: env() });
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(
        `Error: this command needs the superuser role (spiffe://${TD}/spike/pilot/role/superuser), but this SPIKE Pilot is ` +
          `spiffe://${TD}/spike/pilot/role/recover (access_unauthorized); grant it with hack/spire-server-entry-su-register.sh.\n`,
      );
      expect(nexus.requests.length).toBe(before);
    } finally {
      wl.setResponse(svidResponse(ca, await ca.issue(SUPERUSER)));
    }
  });

  it('Nexus not ready (503 state_not_ready): one Error line pointing to spike operator status, exit 1', async () => {
    for (const args of [['secret', 'get', 'notready/x'], ['secret', 'put', 'notready/x', 'a=b']]) {
      const r = await runSpike(args, { env: env() });
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([
        1,
        '',
        'Error: SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.\n',
      ]);
    }
  });

  it('put key=@file and key=- send the bytes exactly; get -f from SPIKE_FORMAT', async () => {
    const file = join(tmp, 'pem');
    writeFileSync(file, '-----BEGIN X-----\nabc\n-----END X-----\n');
    const put = await runSpike(['secret', 'put', 'apps/files', `cert=@${file}`, 'token=-', 'at=@@home'], { env: env(), stdin: 's3cr3t' });
    expect(put).toMatchObject({ code: 0, stdout: 'OK\n', stderr: '' });
    expect(JSON.parse(nexus.requests.at(-1)?.body.toString() ?? '')).toEqual({
      path: 'apps/files',
      values: { at: '@home', cert: '-----BEGIN X-----\nabc\n-----END X-----\n', token: 's3cr3t' },
    });
    const js = await runSpike(['secret', 'get', 'apps/files', 'token'], { env: { ...env(), SPIKE_FORMAT: 'Json' } });
    expect(js).toMatchObject({ code: 0, stdout: '"s3cr3t"\n' });
    // Not a terminal: the value's line breaks are printed as they are.
    const raw = await runSpike(['secret', 'get', 'apps/files', 'cert'], { env: env() });
    expect(raw.stdout).toBe('-----BEGIN X-----\nabc\n-----END X-----\n\n');
    const missing = await runSpike(['secret', 'put', 'apps/files', `cert=@${join(tmp, 'nope')}`], { env: env() });
    expect([missing.code, missing.stderr]).toEqual([2, `Error: Cannot read the value of key 'cert' from file ${join(tmp, 'nope')} (ENOENT).\n`]);
  });
});
