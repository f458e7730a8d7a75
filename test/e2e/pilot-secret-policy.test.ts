// The built `spike` against the fake mTLS Nexus with an in-memory store:
// every `spike secret` and `spike policy` command, upstream's requests and
// output layouts, the exit codes of docs/design.md § Exit codes. Needs `npm run build` first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePilot, stopFakePilot } from '../helpers/fake-pilot.js';
import { MemoryNexus, runSpike, type FakeNexus } from '../helpers/fakenexus.js';
import type { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const SUPERUSER = `spiffe://${TD}/spike/pilot/role/superuser`;
const T0 = '2025-01-15T14:30:45Z';

let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;
const mem = new MemoryNexus({ now: () => T0 });

beforeAll(async () => {
  ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/psp-', TD, { handler: mem.handler }));
  wl.setResponse(svidResponse(ca, await ca.issue(SUPERUSER)));
});
afterAll(() => stopFakePilot({ wl, nexus, tmp }));

const env = (): Record<string, string> => ({ HOME: tmp, SPIFFE_ENDPOINT_SOCKET: wl.address, SPIKE_NEXUS_API_URL: nexus.url });
const spike = (args: string[], stdin?: string) => runSpike(args, { env: env(), stdin });
const lastBody = (): unknown => JSON.parse(nexus.requests.at(-1)?.body.toString() ?? 'null');
const dash = '-'.repeat(50);

/**
 * A policy file with a duplicate key, then each of `argsList`: exit 2 with one `Error:` line
 * (the parser's own for the file), and no request reaches Nexus.
 */
async function expectRefusedLocally(argsList: string[][]): Promise<void> {
  const before = nexus.requests.length;
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'name: a\nname: b\n');
  const r = await spike(['policy', 'apply', '--file', bad]);
  expect([r.code, r.stderr]).toEqual([2, `Error: Error reading policy file: failed to parse YAML file ${bad}: line 2: mapping key "name" already defined at line 1\n`]);
  for (const args of argsList) {
    const r = await spike(args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr, args.join(' ')).toMatch(/^Error: [^\n]+\n$/);
  }
  expect(nexus.requests.length).toBe(before);
}

describe('spike secret (list, delete, undelete, metadata get, get -f yaml)', () => {
  it('walks a secret through its versions', async () => {
    for (const v of ['1', '2', '3']) expect((await spike(['secret', 'put', 'apps/db', `pass=v${v}`])).code).toBe(0);
    expect(await spike(['secret', 'put', 'apps/web', 'k=x'])).toMatchObject({ code: 0 });

    expect(await spike(['secret', 'list'])).toMatchObject({ code: 0, stdout: '- apps/db\n- apps/web\n', stderr: '' });
    expect((await spike(['secret', 'list', '-f', 'json'])).stdout).toBe('[\n  "apps/db",\n  "apps/web"\n]\n');
    expect((await spike(['secret', 'list', '-f', 'yaml'])).stdout).toBe('- apps/db\n- apps/web\n');
    expect((await spike(['secret', 'get', 'apps/db', '-f', 'y'])).stdout).toBe('pass: v3\n\n');

    // "1, 2" is sent as [1,2] (upstream sent [1]).
    expect(await spike(['secret', 'delete', 'apps/db', '-v', '1, 2'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(lastBody()).toEqual({ path: 'apps/db', versions: [1, 2] });
    const meta = await spike(['secret', 'metadata', 'get', 'apps/db']);
    expect(meta).toMatchObject({ code: 0, stderr: '' });
    expect(meta.stdout).toBe(
      `\nMetadata:\n${dash}\nCurrent Version : 3\nOldest Version  : 3\nCreated Time    : 2025-01-15 14:30:45 UTC\n` +
        `Last Updated    : 2025-01-15 14:30:45 UTC\nMax Versions    : 10\n${dash}\n\nSecret Versions:\n${dash}\n` +
        `Version 1:\n  Created: 2025-01-15 14:30:45 UTC\n  Deleted: 2025-01-15 14:30:45 UTC\n${dash}\n` +
        `Version 2:\n  Created: 2025-01-15 14:30:45 UTC\n  Deleted: 2025-01-15 14:30:45 UTC\n${dash}\n` +
        `Version 3:\n  Created: 2025-01-15 14:30:45 UTC\n${dash}\n`,
    );
    const yaml = (await spike(['secret', 'metadata', 'get', 'apps/db', '-f', 'yaml'])).stdout;
    expect(yaml).toMatch(/^versions:\n {4}1:\n {8}createdtime: 2025-01-15T14:30:45Z\n {8}version: 1\n {8}deletedtime: 2025-01-15T14:30:45Z\n/);
    expect(yaml).toMatch(/\nmetadata:\n {4}currentversion: 3\n {4}oldestversion: 3\n/);
    const js = JSON.parse((await spike(['secret', 'metadata', 'get', 'apps/db', '-f', 'json', '-v', '3'])).stdout) as { metadata: unknown };
    expect(js.metadata).toEqual({ currentVersion: 3, oldestVersion: 3, createdTime: T0, updatedTime: T0, maxVersions: 10 });
    expect(lastBody()).toEqual({ path: 'apps/db', version: 3 });

    // A deleted version reads as not found; undelete brings it back.
    const gone = await spike(['secret', 'get', 'apps/db', '-v', '1']);
    expect(gone).toMatchObject({ code: 1, stderr: 'Error: Resource not found.\n' });
    expect(await spike(['secret', 'undelete', 'apps/db', '-v', '1'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect((await spike(['secret', 'get', 'apps/db', 'pass', '-v', '1'])).stdout).toBe('v1\n');

    // Everything deleted: undelete of the (absent) current version is a 404, as upstream.
    expect((await spike(['secret', 'delete', 'apps/web'])).code).toBe(0);
    expect(lastBody()).toEqual({ path: 'apps/web', versions: [0] });
    expect(await spike(['secret', 'undelete', 'apps/web'])).toMatchObject({ code: 1, stderr: 'Error: Resource not found.\n' });
  });

  it('invalid input: exit 2, nothing sent', async () => {
    await expectRefusedLocally([
      ['secret', 'delete', 'apps/db', '-v', '1,x'],
      ['secret', 'undelete', 'apps/db', '-v', '-2'],
      ['secret', 'delete', 'bad path'],
      ['secret', 'metadata', 'get', 'apps/db', '-f', 'xml'],
      ['secret', 'list', 'extra'],
    ]);
  });
});

describe('spike policy', () => {
  const flags = ['--name', 'db-read', '--path-pattern', '^apps/db$', '--spiffeid-pattern', '^spiffe://spike\\.ist/app/.*$', '--permissions', 'read,list'];

  it('create, list, get, apply, delete', async () => {
    expect(await spike(['policy', 'list'])).toMatchObject({ code: 0, stdout: 'No policies found.\n' });
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 0, stdout: 'Policy created successfully.\n' });
    expect(lastBody()).toEqual({ name: 'db-read', spiffeidPattern: '^spiffe://spike\\.ist/app/.*$', pathPattern: '^apps/db$', permissions: ['read', 'list'] });
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 1, stderr: "Error: Policy 'db-read' already exists.\n" });

    expect((await spike(['policy', 'list'])).stdout).toBe('POLICIES\n========\n\nName: db-read\n--------\n\n\n');
    expect((await spike(['policy', 'list', '-f', 'json', '--path-pattern', '^apps/db$'])).stdout).toBe('[\n  {\n    "id": "",\n    "name": "db-read"\n  }\n]\n');
    expect((await spike(['policy', 'list', '-f', 'yaml', '--path-pattern', 'nope'])).stdout).toBe('[]\n');

    expect((await spike(['policy', 'get', 'db-read'])).stdout).toBe(
      'POLICY DETAILS\n=============\n\nName: db-read\nSPIFFE ID Pattern: ^spiffe://spike\\.ist/app/.*$\nPath Pattern: ^apps/db$\n' +
        `Permissions: read, list\nCreated At: ${T0}\nUpdated At: ${T0}\n\n`,
    );
    expect((await spike(['policy', 'get', '--name', 'db-read', '-f', 'yaml'])).stdout).toBe(
      `id: ""\nname: db-read\nspiffeidpattern: ^spiffe://spike\\.ist/app/.*$\npathpattern: ^apps/db$\npermissions:\n    - read\n    - list\n` +
        `createdat: ${T0}\nupdatedat: ${T0}\nidregex: null\npathregex: null\n\n`,
    );
    expect(await spike(['policy', 'get', 'nope'])).toMatchObject({ code: 1, stderr: 'Error: Entity not found.\n' });

    const file = join(tmp, 'db-read.yaml');
    writeFileSync(
      file,
      '# an anchor, a folded block scalar, a flow list over lines, an unknown key\nx-perms: &p [\n  read,\n]\n"name": db-read\n' +
        'spiffeidPattern: >-\n  ^spiffe://spike\\.ist/app/.*$\npathPattern: ^apps/.*$\npermissions: *p\n',
    );
    expect(await spike(['policy', 'apply', '--file', file])).toMatchObject({ code: 0, stdout: "Policy 'db-read' applied successfully\n" });
    expect(lastBody()).toEqual({ name: 'db-read', spiffeidPattern: '^spiffe://spike\\.ist/app/.*$', pathPattern: '^apps/.*$', permissions: ['read'] });

    const prompt = "Are you sure you want to delete policy 'db-read'? (y/N): ";
    expect(await spike(['policy', 'delete', 'db-read'], 'n\n')).toMatchObject({ code: 0, stdout: `${prompt}Operation canceled.\n` });
    expect(mem.policies.has('db-read')).toBe(true);
    expect(await spike(['policy', 'delete', 'db-read'], 'y\n')).toMatchObject({ code: 0, stdout: `${prompt}Policy deleted successfully.\n` });
    expect(mem.policies.has('db-read')).toBe(false);
  });

  it('invalid input: exit 2, nothing sent', async () => {
    await expectRefusedLocally([
      ['policy', 'create', '--name', 'x'],
      ['policy', 'create', ...flags.slice(0, 6), '--permissions', 'read,fly'],
      ['policy', 'apply', '--file', join(tmp, 'missing.yaml')],
      ['policy', 'list', '--path-pattern', 'a', '--spiffeid-pattern', 'b'],
      ['policy', 'list', '-f', 'table'],
      ['policy', 'get'],
      ['policy', 'delete', 'a', '--name', 'b'],
    ]);
  });

  it('without the superuser role: exit 3, nothing sent', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    try {
      const before = nexus.requests.length;
      for (const args of [['policy', 'list'], ['secret', 'list'], ['secret', 'metadata', 'get', 'apps/db'], ['secret', 'delete', 'apps/db']]) {
        const r = await spike(args);
        expect(r.code, args.join(' ')).toBe(3);
        expect(r.stderr).toBe(
          `Error: this command needs the superuser role (spiffe://${TD}/spike/pilot/role/superuser), but this SPIKE Pilot is ` +
            `spiffe://${TD}/spike/pilot/role/restore (access_unauthorized); grant it with hack/spire-server-entry-su-register.sh.\n`,
        );
      }
      expect(nexus.requests.length).toBe(before);
    } finally {
      wl.setResponse(svidResponse(ca, await ca.issue(SUPERUSER)));
    }
  });
});
