// `spike secret list|delete|undelete|metadata get` and `get -f yaml` against
// a scripted Nexus: upstream's request bytes, byte-exact output layouts
// (upstream app/spike/internal/cmd/secret), the exit codes of docs/design.md
// § Exit codes.
import { describe, expect, it } from 'vitest';
import { runSecretDelete } from '../../../src/pilot/commands/secret-delete.js';
import { runSecretGet } from '../../../src/pilot/commands/secret-get.js';
import { runSecretList } from '../../../src/pilot/commands/secret-list.js';
import { runSecretMetadataGet } from '../../../src/pilot/commands/secret-metadata-get.js';
import { runSecretUndelete } from '../../../src/pilot/commands/secret-undelete.js';
import { ClientError } from '../../../src/client/errors.js';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { fake, ID, json, failure, runProgram } from './fakes.js';

describe('secret list', () => {
  const keys = ['apps/a', 'apps/b:c', 'db/creds'];
  const listed = (format: string, k: string[] = keys) => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, { keys: k }) });
    return runSecretList(f.deps, { format }).then(() => f);
  };

  it('human', async () => {
    const f = await listed('human');
    expect(f.out.join('')).toBe('- apps/a\n- apps/b:c\n- db/creds\n');
    expect(f.calls).toEqual([{ path: '/v1/store/secrets', action: 'list', body: '{}' }]);
  });
  it('json (2-space indent)', async () => {
    expect((await listed('j')).out.join('')).toBe('[\n  "apps/a",\n  "apps/b:c",\n  "db/creds"\n]\n');
  });
  it('yaml', async () => {
    expect((await listed('y')).out.join('')).toBe('- apps/a\n- apps/b:c\n- db/creds\n');
  });
  it('empty in every format', async () => {
    expect((await listed('human', [])).out.join('')).toBe('No secrets found.\n');
    expect((await listed('json', [])).out.join('')).toBe('[]\n');
    expect((await listed('yaml', [])).out.join('')).toBe('[]\n');
  });
  it('404 is an empty list (as the SDK does); 503 is not ready', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(404, { err: 'api_not_found' }) });
    await runSecretList(f.deps, { format: 'human' });
    expect(f.out.join('')).toBe('No secrets found.\n');
    const g = fake({ spiffeId: ID.superuser, answer: () => json(503, { err: 'state_not_ready' }) });
    const e = await failure(runSecretList(g.deps, { format: 'human' }));
    expect([e.exitCode, e.message]).toEqual([
      ExitCode.nexus,
      'SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.',
    ]);
  });
  it('not ready, as printed: one Error line on stderr, also for a 200 answer carrying state_not_ready', async () => {
    const line = 'Error: SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.\n';
    // A fresh answer each time: the commands zero the bodies they read.
    for (const status of [503, 200]) {
      for (const args of [['secret', 'list'], ['secret', 'get', 'p'], ['policy', 'list'], ['secret', 'put', 'p', 'a=b']]) {
        const r = await runProgram(args, fake({ spiffeId: ID.superuser, answer: () => json(status, { err: 'state_not_ready' }) }));
        expect([r.code, r.out, r.err], `${status} ${args.join(' ')}`).toEqual([ExitCode.nexus, '', line]);
      }
    }
  });
  it('bad format: exit 2 before any identity or call', async () => {
    const f = fake({ spiffeId: ID.superuser });
    const e = await failure(runSecretList(f.deps, { format: 'xml' }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toBe("invalid format 'xml'. Valid formats are: human/h/plain/p, json/j, yaml/y");
    expect(f.calls).toEqual([]);
  });
  it('wrong role: exit 3, nothing sent', async () => {
    const f = fake({ spiffeId: ID.recover, answer: () => json(200, { keys }) });
    const e = await failure(runSecretList(f.deps, { format: 'human' }));
    expect(e.exitCode).toBe(ExitCode.identity);
    expect(e.message).toMatch(/^this command needs the superuser role \(spiffe:\/\/spike\.ist\/spike\/pilot\/role\/superuser\), /);
    expect(f.calls).toEqual([]);
    expect(f.closed).toBe(1);
  });
  it('a malformed answer: exit 1 with upstream text', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => ({ status: 200, body: Buffer.from('{"keys":7}') }) });
    const e = await failure(runSecretList(f.deps, { format: 'human' }));
    expect([e.exitCode, e.message]).toEqual([ExitCode.nexus, 'Failed to parse API response.']);
  });
});

describe('secret delete / undelete', () => {
  const cases: [string, number[]][] = [
    ['0', [0]],
    ['', [0]],
    ['1,2,3', [1, 2, 3]],
    ['1, 2', [1, 2]], // upstream delete sent [1]
    [' 4 ,+5', [4, 5]],
    ['-0', [0]],
  ];
  for (const [run, action] of [
    [runSecretDelete, 'delete'],
    [runSecretUndelete, 'undelete'],
  ] as const) {
    it.each(cases)(`${action} -v %j sends %j`, async (v, want) => {
      const f = fake({ spiffeId: ID.superuser, answer: () => json(200, {}) });
      await run(f.deps, 'secrets/db', { versions: v });
      expect(f.calls).toEqual([{ path: '/v1/store/secrets', action, body: `{"path":"secrets/db","versions":${JSON.stringify(want)}}` }]);
      expect(f.out.join('')).toBe('OK\n');
    });
    it.each([
      ['1,x', 'Invalid version number: x'],
      ['1,,2', 'Invalid version number: '],
      ['1.5', 'Invalid version number: 1.5'],
      ['-2', 'Negative version number: -2'],
      ['99999999999999999999', 'Invalid version number: 99999999999999999999'],
    ])(`${action} -v %j: exit 2, nothing sent`, async (v, msg) => {
      const f = fake({ spiffeId: ID.superuser, answer: () => json(200, {}) });
      const e = await failure(run(f.deps, 'secrets/db', { versions: v }));
      expect([e.exitCode, e.message]).toEqual([ExitCode.usage, msg]);
      expect(f.calls).toEqual([]);
    });
    it(`${action}: invalid path exit 2; 404 exit 1 "Resource not found."`, async () => {
      const f = fake({ spiffeId: ID.superuser, answer: () => json(404, { err: 'api_not_found' }) });
      expect((await failure(run(f.deps, 'bad path', { versions: '0' }))).exitCode).toBe(ExitCode.usage);
      expect(f.calls).toEqual([]);
      const e = await failure(run(f.deps, 'p', { versions: '0' }));
      expect([e.exitCode, e.message]).toEqual([ExitCode.nexus, 'Resource not found.']);
    });
    it(`${action}: wrong role exit 3, nothing sent`, async () => {
      const f = fake({ spiffeId: ID.restore, answer: () => json(200, {}) });
      expect((await failure(run(f.deps, 'p', { versions: '0' }))).exitCode).toBe(ExitCode.identity);
      expect(f.calls).toEqual([]);
    });
  }
});

const META = {
  versions: {
    '1': { createdTime: '2025-01-15T14:30:45.5Z', version: 1, deletedTime: '2025-01-16T08:00:00Z' },
    '2': { createdTime: '2025-01-16T09:10:11.123456789Z', version: 2, deletedTime: null },
    '10': { createdTime: '2025-01-17T00:00:00+02:00', version: 10, deletedTime: null },
  },
  metadata: {
    currentVersion: 10,
    oldestVersion: 2,
    createdTime: '2025-01-15T14:30:45.5Z',
    updatedTime: '2025-01-17T00:00:00+02:00',
    maxVersions: 10,
  },
};

describe('secret metadata get', () => {
  const run = async (format: string, answer = META, version = '0') => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, answer) });
    await runSecretMetadataGet(f.deps, 'secrets/db', { version, format });
    return f;
  };
  const dash = '-'.repeat(50);

  it('human: upstream print.go layout, versions in order', async () => {
    const f = await run('human');
    expect(f.calls).toEqual([{ path: '/v1/store/secrets/metadata', action: 'get', body: '{"path":"secrets/db"}' }]);
    expect(f.out.join('')).toBe(
      `\nMetadata:\n${dash}\n` +
        'Current Version : 10\nOldest Version  : 2\n' +
        'Created Time    : 2025-01-15 14:30:45 UTC\nLast Updated    : 2025-01-17 00:00:00 +0200\nMax Versions    : 10\n' +
        `${dash}\n\nSecret Versions:\n${dash}\n` +
        `Version 1:\n  Created: 2025-01-15 14:30:45 UTC\n  Deleted: 2025-01-16 08:00:00 UTC\n${dash}\n` +
        `Version 2:\n  Created: 2025-01-16 09:10:11 UTC\n${dash}\n` +
        `Version 10:\n  Created: 2025-01-17 00:00:00 +0200\n${dash}\n`,
    );
  });

  it('json: MarshalIndent 2 spaces, map[int] keys sorted as strings, Println', async () => {
    const f = await run('json', META, '2');
    expect(f.calls[0]?.body).toBe('{"path":"secrets/db","version":2}');
    expect(f.out.join('')).toBe(
      '{\n' +
        '  "versions": {\n' +
        '    "1": {\n      "createdTime": "2025-01-15T14:30:45.5Z",\n      "version": 1,\n      "deletedTime": "2025-01-16T08:00:00Z"\n    },\n' +
        '    "10": {\n      "createdTime": "2025-01-17T00:00:00+02:00",\n      "version": 10,\n      "deletedTime": null\n    },\n' +
        '    "2": {\n      "createdTime": "2025-01-16T09:10:11.123456789Z",\n      "version": 2,\n      "deletedTime": null\n    }\n' +
        '  },\n' +
        '  "metadata": {\n    "currentVersion": 10,\n    "oldestVersion": 2,\n    "createdTime": "2025-01-15T14:30:45.5Z",\n' +
        '    "updatedTime": "2025-01-17T00:00:00+02:00",\n    "maxVersions": 10\n  }\n' +
        '}\n',
    );
  });

  it('yaml: lowercased field names, int keys in numeric order, timestamps plain', async () => {
    const f = await run('yaml');
    expect(f.out.join('')).toBe(
      'versions:\n' +
        '    1:\n        createdtime: 2025-01-15T14:30:45.5Z\n        version: 1\n        deletedtime: 2025-01-16T08:00:00Z\n' +
        '    2:\n        createdtime: 2025-01-16T09:10:11.123456789Z\n        version: 2\n        deletedtime: null\n' +
        '    10:\n        createdtime: 2025-01-17T00:00:00+02:00\n        version: 10\n        deletedtime: null\n' +
        'metadata:\n    currentversion: 10\n    oldestversion: 2\n    createdtime: 2025-01-15T14:30:45.5Z\n' +
        '    updatedtime: 2025-01-17T00:00:00+02:00\n    maxversions: 10\n',
    );
  });

  it('no versions: json omits them, yaml prints {}, human prints only metadata', async () => {
    const answer = { metadata: META.metadata } as typeof META;
    expect((await run('json', answer)).out.join('')).toMatch(/^\{\n {2}"metadata": \{/);
    expect((await run('yaml', answer)).out.join('')).toMatch(/^versions: \{\}\nmetadata:\n/);
    expect((await run('human', answer)).out.join('')).not.toContain('Secret Versions');
  });

  it('invalid input: exit 2, nothing sent', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, META) });
    for (const [path, version, format] of [
      ['bad path', '0', 'human'],
      ['p', '-1', 'human'],
      ['p', 'x', 'human'],
      ['p', '0', 'toml'],
    ] as const) {
      expect((await failure(runSecretMetadataGet(f.deps, path, { version, format }))).exitCode).toBe(ExitCode.usage);
    }
    expect(f.calls).toEqual([]);
  });

  it('404: exit 1 "Resource not found."', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(404, { err: 'api_not_found' }) });
    const e = await failure(runSecretMetadataGet(f.deps, 'p', { version: '0', format: 'human' }));
    expect([e.exitCode, e.message]).toEqual([ExitCode.nexus, 'Resource not found.']);
  });
});

describe('secret get -f yaml', () => {
  const get = async (key: string | undefined, data: Record<string, string>) => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, { data }) });
    await runSecretGet(f.deps, 'p', key, { version: 0, format: 'yaml' });
    return f.out.join('');
  };
  it('the map (sorted keys) or one value, then a blank line (printed with "%s\\n")', async () => {
    expect(await get(undefined, { user: 'admin', pass: 'a: b', pin: '0123' })).toBe('pass: \'a: b\'\npin: "0123"\nuser: admin\n\n');
    expect(await get('pass', { pass: 'line1\nline2' })).toBe('|-\n    line1\n    line2\n\n');
    expect(await get(undefined, {})).toBe('{}\n\n');
  });
  it("keys in yaml.v3's map order (digit runs by value), not byte order", async () => {
    expect(await get(undefined, { a10: 'one', a2: 'two', B: 'three' })).toBe('B: three\na2: two\na10: one\n\n');
  });
});

describe('Nexus failures (every typed call goes through nexus/calls.ts)', () => {
  it('transport failure → exit 1; the server failing SPIFFE authentication → exit 3; 200 with err → exit 1', async () => {
    const down = fake({
      spiffeId: ID.superuser,
      answer: () => {
        throw new ClientError('transport', 'cannot reach https://localhost:8553: ECONNREFUSED');
      },
    });
    const e1 = await failure(runSecretList(down.deps, { format: 'human' }));
    expect([e1.exitCode, e1.message]).toEqual([ExitCode.nexus, 'Failed to connect to SPIKE Nexus. (cannot reach https://localhost:8553: ECONNREFUSED)']);
    const impostor = fake({
      spiffeId: ID.superuser,
      answer: () => {
        throw new ClientError('identity', "unauthorized SPIFFE ID: 'spiffe://spike.ist/spike/keeper'");
      },
    });
    expect((await failure(runSecretDelete(impostor.deps, 'p', { versions: '0' }))).exitCode).toBe(ExitCode.identity);
    const odd = fake({ spiffeId: ID.superuser, answer: () => json(200, { err: 'data_invalid_input' }) });
    const e3 = await failure(runSecretUndelete(odd.deps, 'p', { versions: '0' }));
    expect([e3.exitCode, e3.message]).toEqual([ExitCode.nexus, 'Invalid input provided.']);
  });
});
