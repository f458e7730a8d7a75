// Every new `spike secret` and `spike policy` command, built CLI against the
// real local stack (dev agent, keepers, Nexus, Bootstrap from dist/).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../helpers/stack.js';
import { spikeAsPilot, startStackWithTmp, stopStackWithTmp } from '../helpers/stack-cli.js';
import { RECENT_RFC3339 } from '../helpers/expect.js';

let stack: Stack, tmp: string;

beforeAll(async () => {
  ({ stack, tmp } = await startStackWithTmp('/tmp/pst-', { keepers: 2 }));
  await stack.setEntry('pilot', stack.ids.superuser);
}, 120_000);
afterAll(() => stopStackWithTmp(stack, tmp));

const spike = (args: string[], stdin?: string) => spikeAsPilot(stack, args, { stdin });

describe('spike secret and policy against the real stack', () => {
  it('secret list, delete, undelete, metadata get, get -f yaml', { timeout: 120_000 }, async () => {
    for (const v of ['1', '2', '3']) expect(await spike(['secret', 'put', 'apps/db', `pass=v${v}`])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(['secret', 'put', 'apps/web', 'k=x'])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'list'])).toMatchObject({ code: 0, stdout: '- apps/db\n- apps/web\n', stderr: '' });
    expect((await spike(['secret', 'list', '-f', 'json'])).stdout).toBe('[\n  "apps/db",\n  "apps/web"\n]\n');
    expect((await spike(['secret', 'get', 'apps/db', '-f', 'yaml'])).stdout).toBe('pass: v3\n\n');

    expect(await spike(['secret', 'delete', 'apps/db', '-v', '1, 2'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(await spike(['secret', 'get', 'apps/db', '-v', '2'])).toMatchObject({ code: 1, stderr: 'Error: Resource not found.\n' });
    const meta = JSON.parse((await spike(['secret', 'metadata', 'get', 'apps/db', '-f', 'json'])).stdout) as {
      versions: Record<string, { version: number; deletedTime: string | null }>;
      metadata: { currentVersion: number; oldestVersion: number };
    };
    // Each version under its own number (upstream's SQLite store collapsed them to 0).
    expect(Object.keys(meta.versions).sort()).toEqual(['1', '2', '3']);
    expect(meta.versions['2']?.version).toBe(2);
    expect(meta.versions['2']?.deletedTime).toEqual(RECENT_RFC3339);
    expect(meta.versions['3']?.deletedTime).toBeNull();
    expect(meta.metadata).toMatchObject({ currentVersion: 3, oldestVersion: 3 });
    const human = await spike(['secret', 'metadata', 'get', 'apps/db']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\nMetadata:\n-{50}\nCurrent Version : 3\nOldest Version {2}: 3\n/);
    expect(human.stdout).toMatch(/\nVersion 1:\n {2}Created: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+\n {2}Deleted: /);
    expect((await spike(['secret', 'metadata', 'get', 'apps/db', '-f', 'y'])).stdout).toMatch(/^versions:\n {4}1:\n {8}createdtime: /);

    expect(await spike(['secret', 'undelete', 'apps/db', '-v', '2'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect((await spike(['secret', 'get', 'apps/db', 'pass', '-v', '2'])).stdout).toBe('v2\n');
    expect(await spike(['secret', 'delete', 'apps/web'])).toMatchObject({ code: 0 });
    expect(await spike(['secret', 'undelete', 'apps/web'])).toMatchObject({ code: 1, stderr: 'Error: Resource not found.\n' });
    expect(await spike(['secret', 'undelete', 'apps/web', '-v', '1'])).toMatchObject({ code: 0 });
  });

  it('policy create, list, get, apply, delete', { timeout: 120_000 }, async () => {
    const flags = ['--name', 'db-read', '--path-pattern', '^apps/db$', '--spiffeid-pattern', '^spiffe://spike\\.ist/app/.*$', '--permissions', 'read,list'];
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 0, stdout: 'Policy created successfully.\n' });
    expect(await spike(['policy', 'create', ...flags])).toMatchObject({ code: 1, stderr: "Error: Policy 'db-read' already exists.\n" });
    expect((await spike(['policy', 'list'])).stdout).toBe('POLICIES\n========\n\nName: db-read\n--------\n\n\n');
    expect((await spike(['policy', 'list', '-f', 'yaml', '--path-pattern', '^apps/db$'])).stdout).toBe('- id: ""\n  name: db-read\n\n');
    expect((await spike(['policy', 'list', '-f', 'json', '--spiffeid-pattern', 'nope'])).stdout).toBe('[]\n');
    const got = await spike(['policy', 'get', 'db-read']);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(
      /^POLICY DETAILS\n=============\n\nName: db-read\nSPIFFE ID Pattern: \^spiffe:\/\/spike\\\.ist\/app\/\.\*\$\nPath Pattern: \^apps\/db\$\nPermissions: read, list\nCreated At: \S+\n/,
    );
    const js = JSON.parse((await spike(['policy', 'get', '--name', 'db-read', '-f', 'json'])).stdout) as Record<string, unknown>;
    expect(js).toMatchObject({ id: '', name: 'db-read', spiffiedPattern: '^spiffe://spike\\.ist/app/.*$', pathPattern: '^apps/db$', permissions: ['read', 'list'] });

    const file = join(tmp, 'p.yaml');
    writeFileSync(file, 'name: db-read\nspiffeidPattern: "^spiffe://spike\\\\.ist/app/.*$"\npathPattern: ^apps/.*$\npermissions:\n  - read\n');
    expect(await spike(['policy', 'apply', '--file', file])).toMatchObject({ code: 0, stdout: "Policy 'db-read' applied successfully\n" });
    expect((await spike(['policy', 'get', 'db-read', '-f', 'y'])).stdout).toMatch(/\npathpattern: \^apps\/\.\*\$\npermissions:\n {4}- read\n/);

    const prompt = "Are you sure you want to delete policy 'db-read'? (y/N): ";
    expect(await spike(['policy', 'delete', 'db-read'], 'n\n')).toMatchObject({ code: 0, stdout: `${prompt}Operation canceled.\n` });
    expect(await spike(['policy', 'delete', 'db-read'], 'y\n')).toMatchObject({ code: 0, stdout: `${prompt}Policy deleted successfully.\n` });
    expect(await spike(['policy', 'list'])).toMatchObject({ code: 0, stdout: 'No policies found.\n' });
  });

  it('secret keys named __proto__, constructor, prototype are kept end to end', { timeout: 120_000 }, async () => {
    expect(await spike(['secret', 'put', 'proto/p', '__proto__=a', 'constructor=b', 'prototype=c'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect((await spike(['secret', 'get', 'proto/p'])).stdout).toBe('__proto__: a\nconstructor: b\nprototype: c\n');
    expect((await spike(['secret', 'get', 'proto/p', '-f', 'json'])).stdout).toBe('{\n    "__proto__": "a",\n    "constructor": "b",\n    "prototype": "c"\n}\n');
    expect((await spike(['secret', 'get', 'proto/p', '-f', 'yaml'])).stdout).toBe('__proto__: a\nconstructor: b\nprototype: c\n\n');
    expect((await spike(['secret', 'get', 'proto/p', '__proto__'])).stdout).toBe('a\n');
  });
});
