// `spike policy create|apply|list|get|delete` against a scripted Nexus:
// upstream's request bytes, byte-exact output layouts (format.go, printed
// with Println), local validation (exit 2, nothing sent), exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPolicyApply } from '../../../src/pilot/commands/policy-apply.js';
import { runPolicyCreate } from '../../../src/pilot/commands/policy-create.js';
import { runPolicyDelete } from '../../../src/pilot/commands/policy-delete.js';
import { runPolicyGet } from '../../../src/pilot/commands/policy-get.js';
import { runPolicyList } from '../../../src/pilot/commands/policy-list.js';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { fake, ID, json, type Recorded, failure } from './fakes.js';

const POLICY = {
  id: '',
  name: 'db-read',
  spiffiedPattern: '^spiffe://example\\.org/app/.*$',
  pathPattern: '^secrets/db/.*$',
  permissions: ['read', 'list'],
  createdAt: '2025-01-15T14:30:45.123Z',
  updatedAt: '2025-01-16T08:00:00Z',
};

/** A scripted Nexus holding `names` (list) and POLICY (get). */
function nexus(names: string[]) {
  return (c: Recorded) => {
    if (c.path !== '/v1/acl/policy') return json(400, { err: 'api_bad_request' });
    if (c.action === 'list') return json(200, { policies: names.map((name) => ({ id: '', name })) });
    if (c.action === 'get') return json(200, POLICY);
    return json(200, {});
  };
}

const LIST = { path: '/v1/acl/policy', action: 'list', body: '{"spiffeidPattern":"","pathPattern":""}' };
const FLAGS = { name: 'db-read', pathPattern: '^secrets/db/.*$', spiffeidPattern: '^spiffe://example\\.org/app/.*$', permissions: 'read, list' };
const PUT_BODY = '{"name":"db-read","spiffeidPattern":"^spiffe://example\\\\.org/app/.*$","pathPattern":"^secrets/db/.*$","permissions":["read","list"]}';

describe('policy create', () => {
  it('lists, then puts; prints upstream text', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(['other']) });
    await runPolicyCreate(f.deps, FLAGS);
    expect(f.calls).toEqual([LIST, { path: '/v1/acl/policy', action: undefined, body: PUT_BODY }]);
    expect(f.out.join('')).toBe('Policy created successfully.\n');
  });
  it('an existing name: exit 1, nothing put', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(['db-read']) });
    const e = await failure(runPolicyCreate(f.deps, FLAGS));
    expect([e.exitCode, e.message]).toEqual([ExitCode.nexus, "Policy 'db-read' already exists."]);
    expect(f.calls).toEqual([LIST]);
  });
  it.each([
    [{ ...FLAGS, name: undefined, permissions: undefined }, 'All flags are required. Missing: --name, --permissions'],
    [{ ...FLAGS, permissions: 'read,delete' }, "[access_invalid_permission] invalid permission: 'delete'. valid permissions: 'read, write, list, execute, super'"],
    [{ ...FLAGS, permissions: ' , ' }, '[access_invalid_permission] no valid permissions specified. valid permissions are: read, write, list, execute, super'],
    [{ ...FLAGS, name: 'bad/name' }, "Invalid policy name: bad/name (letters, digits, '-', '_' and spaces; at most 250)"],
    [{ ...FLAGS, spiffeidPattern: '.*' }, 'Invalid SPIFFE ID pattern: .* (must start with spiffe:// or ^spiffe://)'],
    [{ ...FLAGS, pathPattern: 'a b' }, 'Invalid path pattern: a b'],
  ])('invalid input %#: exit 2, nothing sent', async (flags, msg) => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    const e = await failure(runPolicyCreate(f.deps, flags));
    expect([e.exitCode, e.message]).toEqual([ExitCode.usage, msg]);
    expect(f.calls).toEqual([]);
  });
  it('wrong role: exit 3, nothing sent', async () => {
    const f = fake({ spiffeId: ID.recover, answer: nexus([]) });
    expect((await failure(runPolicyCreate(f.deps, FLAGS))).exitCode).toBe(ExitCode.identity);
    expect(f.calls).toEqual([]);
  });
  it('Nexus refuses (500): exit 1', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: (c) => (c.action === 'list' ? json(200, { policies: [] }) : json(500, { err: 'api_internal_error' })) });
    const e = await failure(runPolicyCreate(f.deps, FLAGS));
    expect(e.exitCode).toBe(ExitCode.nexus);
    expect(e.message).toMatch(/^Failed to connect to SPIKE Nexus\./);
  });
});

describe('policy apply', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync('/tmp/pa-');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('from flags: upsert without a list call', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(['db-read']) });
    await runPolicyApply(f.deps, FLAGS);
    expect(f.calls).toEqual([{ path: '/v1/acl/policy', action: undefined, body: PUT_BODY }]);
    expect(f.out.join('')).toBe("Policy 'db-read' applied successfully\n");
  });
  it('from a YAML file', async () => {
    const file = join(tmp, 'p.yaml');
    writeFileSync(
      file,
      '# policy\nname: "db-read"\nspiffeidPattern: "^spiffe://example\\\\.org/app/.*$"\npathPattern: \'^secrets/db/.*$\'\npermissions:\n  - read\n  - list # listing\n',
    );
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    await runPolicyApply(f.deps, { file });
    expect(f.calls).toEqual([{ path: '/v1/acl/policy', action: undefined, body: PUT_BODY }]);
  });
  it('from a YAML file in any form yaml.v3 reads: the same request as the flags', async () => {
    const file = join(tmp, 'p.yaml');
    writeFileSync(
      file,
      [
        '# quoted keys, block scalars, an anchor and its alias, a flow list over',
        '# several lines with comments, and keys upstream ignores',
        'shared: &perms [',
        '  read,  # first',
        '  list,',
        ']',
        'description: |',
        '  Read access to the database credentials.',
        '"name": \'db-read\'',
        "'spiffeidPattern': >-",
        '  ^spiffe://example\\.org/app/.*$',
        '"pathPattern": "^secrets/db/.*$"',
        'permissions: *perms',
        '',
      ].join('\n'),
    );
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    await runPolicyApply(f.deps, { file });
    expect(f.calls).toEqual([{ path: '/v1/acl/policy', action: undefined, body: PUT_BODY }]);
    expect(f.out.join('')).toBe("Policy 'db-read' applied successfully\n");
  });
  it('refusals: exit 2 (or 4 for an unreadable file), nothing sent', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    const missing = await failure(runPolicyApply(f.deps, { name: 'x' }));
    expect([missing.exitCode, missing.message]).toEqual([
      ExitCode.usage,
      'required flags are missing: --path-pattern, --spiffeid-pattern, --permissions (or use --file to read from YAML)',
    ]);
    const both = await failure(runPolicyApply(f.deps, { file: join(tmp, 'p.yaml'), name: 'x' }));
    expect(both.exitCode).toBe(ExitCode.usage);
    const absent = await failure(runPolicyApply(f.deps, { file: join(tmp, 'nope.yaml') }));
    expect([absent.exitCode, absent.message]).toEqual([ExitCode.usage, `Error reading policy file: file ${join(tmp, 'nope.yaml')} does not exist`]);
    const dir = await failure(runPolicyApply(f.deps, { file: tmp }));
    expect(dir.exitCode).toBe(ExitCode.filesystem);
    const file = join(tmp, 'p.yaml');
    writeFileSync(file, 'name: x\nspiffeidPattern: ^spiffe://a/.*$\npermissions: [read]\n');
    const noPath = await failure(runPolicyApply(f.deps, { file }));
    expect([noPath.exitCode, noPath.message]).toEqual([ExitCode.usage, 'Error reading policy file: pathPattern is required in YAML file']);
    for (const [text, what] of [
      ['name: x\nname: y\n', 'line 2: mapping key "name" already defined at line 1'],
      ['name: x\npermissions:\n  read: yes\n', 'line 3: cannot unmarshal !!map into []data.PolicyPermission'],
      ['name: x\npathPattern: "a\\/b"\n', 'line 2: found unknown escape character while parsing a quoted scalar'],
      ['name: x\npathPattern: "^a$\n', 'line 2: found unexpected end of stream while scanning a quoted scalar'],
    ]) {
      writeFileSync(file, text as string);
      const e = await failure(runPolicyApply(f.deps, { file }));
      expect([e.exitCode, e.message]).toEqual([ExitCode.usage, `Error reading policy file: failed to parse YAML file ${file}: ${what}`]);
    }
    expect(f.calls).toEqual([]);
  });
});

describe('policy list', () => {
  const list = async (format: string, names: string[], filter: { pathPattern?: string; spiffeidPattern?: string } = {}) => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(names) });
    await runPolicyList(f.deps, { format, ...filter });
    return f;
  };
  it('human (Println adds a newline)', async () => {
    expect((await list('human', ['a', 'b'])).out.join('')).toBe('POLICIES\n========\n\nName: a\n--------\n\nName: b\n--------\n\n\n');
    expect((await list('h', [])).out.join('')).toBe('No policies found.\n');
  });
  it('json', async () => {
    expect((await list('json', ['a'])).out.join('')).toBe('[\n  {\n    "id": "",\n    "name": "a"\n  }\n]\n');
    expect((await list('j', [])).out.join('')).toBe('[]\n');
  });
  it('yaml', async () => {
    expect((await list('yaml', ['a', 'b'])).out.join('')).toBe('- id: ""\n  name: a\n- id: ""\n  name: b\n\n');
    expect((await list('y', [])).out.join('')).toBe('[]\n');
  });
  it('filters are sent as given', async () => {
    const f = await list('human', [], { pathPattern: '^secrets/.*$' });
    expect(f.calls).toEqual([{ path: '/v1/acl/policy', action: 'list', body: '{"spiffeidPattern":"","pathPattern":"^secrets/.*$"}' }]);
  });
  it('an invalid format is refused before anything is sent (upstream: after, on stdout)', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    expect((await failure(runPolicyList(f.deps, { format: 'table' }))).exitCode).toBe(ExitCode.usage);
    expect(f.calls).toEqual([]);
  });
});

describe('policy get', () => {
  const get = async (format: string) => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(['db-read']) });
    await runPolicyGet(f.deps, 'db-read', { format });
    return f;
  };
  it('human', async () => {
    const f = await get('human');
    expect(f.calls).toEqual([LIST, { path: '/v1/acl/policy', action: 'get', body: '{"id":"db-read"}' }]);
    expect(f.out.join('')).toBe(
      'POLICY DETAILS\n=============\n\nName: db-read\nSPIFFE ID Pattern: ^spiffe://example\\.org/app/.*$\nPath Pattern: ^secrets/db/.*$\n' +
        'Permissions: read, list\nCreated At: 2025-01-15T14:30:45Z\nUpdated At: 2025-01-16T08:00:00Z\n\n',
    );
  });
  it('json (spiffiedPattern, sic)', async () => {
    expect((await get('json')).out.join('')).toBe(
      '{\n  "id": "",\n  "name": "db-read",\n  "spiffiedPattern": "^spiffe://example\\\\.org/app/.*$",\n  "pathPattern": "^secrets/db/.*$",\n' +
        '  "permissions": [\n    "read",\n    "list"\n  ],\n  "createdAt": "2025-01-15T14:30:45.123Z",\n  "updatedAt": "2025-01-16T08:00:00Z"\n}\n',
    );
  });
  it('yaml (data.Policy field names, nil regexps)', async () => {
    expect((await get('yaml')).out.join('')).toBe(
      'id: ""\nname: db-read\nspiffeidpattern: ^spiffe://example\\.org/app/.*$\npathpattern: ^secrets/db/.*$\n' +
        'permissions:\n    - read\n    - list\ncreatedat: 2025-01-15T14:30:45.123Z\nupdatedat: 2025-01-16T08:00:00Z\n' +
        'idregex: null\npathregex: null\n\n',
    );
  });
  it('unknown name: exit 1 "Entity not found.", no get call', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(['other']) });
    const e = await failure(runPolicyGet(f.deps, undefined, { name: 'db-read', format: 'human' }));
    expect([e.exitCode, e.message]).toEqual([ExitCode.nexus, 'Entity not found.']);
    expect(f.calls).toEqual([LIST]);
  });
  it('name missing, doubled or invalid: exit 2, nothing sent', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]) });
    for (const [arg, name] of [
      [undefined, undefined],
      ['a', 'b'],
      ['a/b', undefined],
    ] as const) {
      expect((await failure(runPolicyGet(f.deps, arg, { name, format: 'human' }))).exitCode).toBe(ExitCode.usage);
    }
    expect(f.calls).toEqual([]);
  });
});

describe('policy delete', () => {
  const del = async (stdin: string, names = ['db-read']) => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus(names), stdin });
    await runPolicyDelete(f.deps, 'db-read', {});
    return f;
  };
  it('y confirms', async () => {
    const f = await del('y\n');
    expect(f.calls).toEqual([LIST, { path: '/v1/acl/policy', action: 'delete', body: '{"id":"db-read"}' }]);
    expect(f.out.join('')).toBe("Are you sure you want to delete policy 'db-read'? (y/N): Policy deleted successfully.\n");
  });
  it('anything else (or EOF) cancels, exit 0', async () => {
    for (const answer of ['', 'n\n', 'yes\n', ' N \n']) {
      const f = await del(answer);
      expect(f.calls).toEqual([LIST]);
      expect(f.out.join('')).toBe("Are you sure you want to delete policy 'db-read'? (y/N): Operation canceled.\n");
    }
    expect((await del(' Y ')).calls).toHaveLength(2);
  });
  it('unknown name: exit 1 before asking', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: nexus([]), stdin: 'y\n' });
    expect((await failure(runPolicyDelete(f.deps, undefined, { name: 'db-read' }))).message).toBe('Entity not found.');
    expect(f.out).toEqual([]);
  });
});
