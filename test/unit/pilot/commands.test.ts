import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecover } from '../../../src/pilot/commands/operator-recover.js';
import { runRestore } from '../../../src/pilot/commands/operator-restore.js';
import { ClientError, type ClientErrorKind } from '../../../src/client/errors.js';
import { encodeRestoreRequest } from '../../../src/protocol/messages.js';
import { runSecretGet } from '../../../src/pilot/commands/secret-get.js';
import { runSecretPut } from '../../../src/pilot/commands/secret-put.js';
import { CliError, ExitCode } from '../../../src/pilot/output/exit.js';
import { recoverSuccessText, restoreCompleteText, restoreProgressText } from '../../../src/pilot/output/texts.js';
import { failure, fake, ID, json } from './fakes.js';

const HEX = 'a1'.repeat(32);
const SHARD = `spike:2:${HEX}`;
const arr = (b: number): number[] => Array(32).fill(b) as number[];

async function exitOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof CliError) return e.exitCode;
    throw e;
  }
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync('/tmp/pc-');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('texts (byte-exact)', () => {
  it('recover success is upstream step 11', () => {
    expect(recoverSuccessText('/d')).toBe(
      '\n  SPIKE Recovery shards saved to the recovery directory:\n  /d\n\n  Please make sure that:\n' +
        '    1. You encrypt these shards and keep them safe.\n    2. Securely erase the shards from the\n' +
        '       recovery directory after you encrypt them\n       and save them to a safe location.\n\n' +
        '  If you lose these shards, you will not be able to recover\n  SPIKE Nexus in the unlikely event of a total system crash.\n\n',
    );
  });
  it('restore texts are the seed lines', () => {
    expect(restoreProgressText(1, 2)).toBe(
      '\nShards collected: 1\nShards remaining: 2\nPlease run `spike operator restore` again to provide the remaining shards.\n\n',
    );
    expect(restoreCompleteText()).toBe(
      '\nSPIKE is now restored and ready to use.\nPlease run `./hack/spire-server-entry-su-register.sh` with necessary privileges\nto start using SPIKE as a superuser.\n\n',
    );
  });
});

describe('operator recover', () => {
  const env = (): Record<string, string> => ({ SPIKE_PILOT_RECOVERY_DIR: join(tmp, 'r'), HOME: tmp });

  it('writes the files and prints the success text', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: () => json(200, { shards: { '1': arr(1), '2': arr(2), '3': arr(3) } }) });
    await runRecover(f.deps, { format: 'human' });
    const dir = join(tmp, 'r', 'recover');
    // The seed's text, then the shard set fingerprint and the manifest (spike-ts, docs/runbook.md).
    expect(f.out.join('')).toMatch(
      new RegExp(`^${recoverSuccessText(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  Shard set fingerprint \\(write it into your runbook\\):\n  ([0-9a-f]{4} ){15}[0-9a-f]{4}\n  Manifest: ${dir}/spike\\.recovery\\.manifest\\.json\n\n$`),
    );
    expect(f.calls).toEqual([{ path: '/v1/operator/recover', action: undefined, body: '{}' }]);
    expect(readdirSync(dir).sort()).toEqual(['spike.recovery.1.txt', 'spike.recovery.2.txt', 'spike.recovery.3.txt', 'spike.recovery.manifest.json']);
    expect(readFileSync(join(dir, 'spike.recovery.3.txt'), 'latin1')).toBe(`spike:3:${'03'.repeat(32)}`);
    expect(lstatSync(join(dir, 'spike.recovery.1.txt')).mode & 0o777).toBe(0o600);
    expect(f.closed).toBe(1);
  });

  it('json names the directory and files, never the shard values', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: () => json(200, { shards: { '1': arr(171) } }) });
    await runRecover(f.deps, { format: 'j' });
    const dir = join(tmp, 'r', 'recover');
    expect(JSON.parse(f.out.join(''))).toEqual({
      directory: dir,
      files: [join(dir, 'spike.recovery.1.txt')],
      manifest: join(dir, 'spike.recovery.manifest.json'),
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      threshold: 1,
      encrypted: false,
    });
    expect(f.out.join('')).not.toContain('ab'.repeat(4));
  });

  it('wrong role: exit 3 naming the role, both SPIFFE IDs, access_unauthorized and the register script; no call', async () => {
    const f = fake({ spiffeId: ID.restore, env: env(), answer: () => json(200, {}) });
    const e = await failure(runRecover(f.deps, { format: 'human' }));
    expect(e.message).toBe(
      'this command needs the recover role (spiffe://spike.ist/spike/pilot/role/recover), but this SPIKE Pilot is ' +
        'spiffe://spike.ist/spike/pilot/role/restore (access_unauthorized); grant it with hack/spire-server-entry-recover-register.sh.',
    );
    expect(await exitOf(runRecover(f.deps, { format: 'human' }))).toBe(ExitCode.identity);
    expect(f.calls).toEqual([]);
  });

  it('an invalid answer: exit 1 and nothing written', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: () => json(200, { shards: { '1': null } }) });
    expect(await exitOf(runRecover(f.deps, { format: 'human' }))).toBe(ExitCode.nexus);
    expect(() => readdirSync(join(tmp, 'r'))).toThrow();
  });

  it('an error answer: exit 1 with upstream text and the status', async () => {
    const f = fake({ spiffeId: ID.recover, env: env(), answer: () => json(500, { err: 'api_internal_error' }) });
    await expect(runRecover(f.deps, { format: 'human' })).rejects.toThrow(
      'Failed to retrieve recovery shards. (HTTP 500 api_internal_error)',
    );
  });

  it('an unsafe directory: exit 4 before fetching any shard', async () => {
    for (const dir of ['/etc/x', '/tmp']) {
      const f = fake({ spiffeId: ID.recover, env: { SPIKE_PILOT_RECOVERY_DIR: dir }, answer: () => json(200, { shards: { '1': arr(1) } }) });
      expect(await exitOf(runRecover(f.deps, { format: 'human' }))).toBe(ExitCode.filesystem);
      expect(f.calls).toEqual([]);
    }
  });

  it('a directory that turns out unsafe after the call: exit 4, nothing written', async () => {
    const base = join(tmp, 'late');
    const f = fake({
      spiffeId: ID.recover,
      env: { SPIKE_PILOT_RECOVERY_DIR: base },
      answer: () => {
        // created world-writable between the check and the write
        mkdirSync(base, { mode: 0o700 });
        chmodSync(base, 0o777);
        return json(200, { shards: { '1': arr(1) } });
      },
    });
    expect(await exitOf(runRecover(f.deps, { format: 'human' }))).toBe(ExitCode.filesystem);
    expect(readdirSync(base)).toEqual([]);
  });

  it('a bad format is exit 2 before anything else', async () => {
    const f = fake({ spiffeId: ID.recover, env: env() });
    expect(await exitOf(runRecover(f.deps, { format: 'yaml' }))).toBe(ExitCode.usage);
    expect(f.closed).toBe(0);
  });

  it('SPIKE_PILOT_SHOW_MEMORY_WARNING=true prints upstream warning on stderr', async () => {
    const f = fake({ spiffeId: ID.restore, env: { ...env(), SPIKE_PILOT_SHOW_MEMORY_WARNING: 'true' } });
    await expect(runRecover(f.deps, { format: 'human' })).rejects.toThrow(CliError);
    expect(f.err.join('')).toBe('\nMemory locking is not available.\nConsider disabling swap to enhance security.\n');
  });

  it('a bad environment value is exit 2', async () => {
    const f = fake({ spiffeId: ID.recover, env: { SPIKE_NEXUS_API_URL: 'http://x' } });
    await expect(runRecover(f.deps, { format: 'human' })).rejects.toThrow(/Invalid configuration: SPIKE_NEXUS_API_URL/);
  });
});

describe('operator restore', () => {
  const progress = () => json(200, { collected: 1, remaining: 1, restored: false });

  it('stdin: sends the shard and prints progress', async () => {
    const f = fake({ spiffeId: ID.restore, stdin: `\n  ${SHARD}\r\n`, answer: progress });
    await runRestore(f.deps, { format: 'human' });
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]?.path).toBe('/v1/operator/restore');
    expect(JSON.parse(f.calls[0]?.body ?? '')).toEqual({ id: 2, shard: arr(0xa1) });
    expect(f.out.join('')).toBe(restoreProgressText(1, 1));
    expect(f.err).toEqual([]);
  });

  it('prints the completion text and json', async () => {
    const done = () => json(200, { collected: 2, remaining: 0, restored: true });
    const f = fake({ spiffeId: ID.restore, stdin: SHARD, answer: done });
    await runRestore(f.deps, { format: 'human' });
    expect(f.out.join('')).toBe(restoreCompleteText());
    const g = fake({ spiffeId: ID.restore, stdin: SHARD, answer: done });
    await runRestore(g.deps, { format: 'json' });
    expect(g.out.join('')).toBe('{\n  "collected": 2,\n  "remaining": 0,\n  "restored": true\n}\n');
  });

  it('TTY: prompts with upstream lines and reads hidden input', async () => {
    const f = fake({ spiffeId: ID.restore, tty: ` ${SHARD} `, answer: progress });
    await runRestore(f.deps, { format: 'human' });
    expect(f.err.join('')).toBe('(your input will be hidden as you paste/type it)\n');
    expect(f.prompts).toEqual(['Enter recovery shard: ']);
    expect(f.calls).toHaveLength(1);
  });

  it('wrong role: exit 3 before reading input or calling Nexus', async () => {
    const f = fake({ spiffeId: ID.recover, tty: SHARD, answer: progress });
    await expect(runRestore(f.deps, { format: 'human' })).rejects.toThrow(
      /needs the restore role \(spiffe:\/\/spike\.ist\/spike\/pilot\/role\/restore\).*access_unauthorized.*hack\/spire-server-entry-restore-register\.sh/,
    );
    expect(f.prompts).toEqual([]);
    expect(f.err).toEqual([]);
    expect(f.calls).toEqual([]);
  });

  for (const bad of ['', 'spike:1:zz', `spike:0:${HEX}`, `x:1:${HEX}`, `spike:01:${HEX}`, `spike:1:${HEX}0`]) {
    it(`malformed ${JSON.stringify(bad.slice(0, 12))}: exit 2, nothing sent`, async () => {
      const f = fake({ spiffeId: ID.restore, stdin: bad, answer: progress });
      expect(await exitOf(runRestore(f.deps, { format: 'human' }))).toBe(ExitCode.usage);
      expect(f.calls).toEqual([]);
    });
  }

  it('more than 4096 bytes on stdin: exit 2, nothing sent', async () => {
    const f = fake({ spiffeId: ID.restore, stdin: SHARD + ' '.repeat(4096), answer: progress });
    await expect(runRestore(f.deps, { format: 'human' })).rejects.toThrow('Input too long: more than 4096 bytes.');
    expect(f.calls).toEqual([]);
  });

  it('error answers: exit 1 with upstream text', async () => {
    const negative = json(200, { collected: -1, remaining: 2, restored: false });
    for (const a of [json(400, { err: 'api_internal_error' }), json(200, { err: 'shamir_invalid_index' }), { status: 200, body: Buffer.from('garbage') }, negative]) {
      const f = fake({ spiffeId: ID.restore, stdin: SHARD, answer: () => a });
      await expect(runRestore(f.deps, { format: 'human' })).rejects.toThrow(/^Failed to communicate with SPIKE Nexus\. \(/);
    }
  });

  it('transport and identity failures map to exit 1 and 3', async () => {
    const clientError = (kind: ClientErrorKind): Error => new ClientError(kind, `boom ${kind}`);
    const t = fake({ spiffeId: ID.restore, stdin: SHARD, answer: () => Promise.reject(clientError('transport')) });
    expect(await exitOf(runRestore(t.deps, { format: 'human' }))).toBe(ExitCode.nexus);
    const i = fake({ spiffeId: ID.restore, stdin: SHARD, answer: () => Promise.reject(clientError('identity')) });
    expect(await exitOf(runRestore(i.deps, { format: 'human' }))).toBe(ExitCode.identity);
  });

  it('encodes the request like Go', () => {
    const v = Buffer.from(Array.from({ length: 32 }, (_, i) => [0, 9, 10, 99, 100, 255][i % 6] as number));
    expect(encodeRestoreRequest(7, v).toString()).toBe(JSON.stringify({ id: 7, shard: [...v] }));
  });
});

describe('secret put/get', () => {
  it('put sends path and values and prints OK', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, {}) });
    await runSecretPut(f.deps, 'secrets/db', ['user=admin', 'pass=a=b', 'empty=']);
    expect(f.out).toEqual(['OK\n']);
    expect(JSON.parse(f.calls[0]?.body ?? '')).toEqual({ path: 'secrets/db', values: { user: 'admin', pass: 'a=b', empty: '' } });
  });

  it("put sends json.Marshal's bytes: map keys sorted, <>& escaped (as the Go SDK would)", async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, {}) });
    await runSecretPut(f.deps, 'secrets/db', ['user=<admin>', 'pass=a&b', 'B=1']);
    expect(f.calls[0]?.body).toBe('{"path":"secrets/db","values":{"B":"1","pass":"a\\u0026b","user":"\\u003cadmin\\u003e"}}');
  });

  it('put refuses invalid pairs and paths with exit 2, nothing sent', async () => {
    const f = fake({ spiffeId: ID.superuser, answer: () => json(200, {}) });
    await expect(runSecretPut(f.deps, 'secrets/db', ['ok=1', 'broken'])).rejects.toThrow('Invalid key-value pair: broken');
    await expect(runSecretPut(f.deps, 'bad path', ['a=1'])).rejects.toThrow('Invalid secret path: bad path');
    expect(await exitOf(runSecretPut(f.deps, 'x', ['bad']))).toBe(ExitCode.usage);
    expect(f.calls).toEqual([]);
  });

  it('needs the superuser role (exit 3)', async () => {
    const f = fake({ spiffeId: ID.recover, answer: () => json(200, {}) });
    await expect(runSecretPut(f.deps, 'a', ['b=c'])).rejects.toThrow(
      'this command needs the superuser role (spiffe://spike.ist/spike/pilot/role/superuser), but this SPIKE Pilot is ' +
        'spiffe://spike.ist/spike/pilot/role/recover (access_unauthorized); grant it with hack/spire-server-entry-su-register.sh.',
    );
    expect(await exitOf(runSecretGet(f.deps, 'a', undefined, { version: 0, format: 'human' }))).toBe(ExitCode.identity);
    expect(f.calls).toEqual([]);
  });

  it('get prints human, one key, and Go-style json', async () => {
    const answer = () => json(200, { data: { b: '2', a: '<1>' } });
    const f = fake({ spiffeId: ID.superuser, answer });
    await runSecretGet(f.deps, 'p', undefined, { version: 0, format: 'human' });
    await runSecretGet(f.deps, 'p', 'b', { version: 3, format: 'h' });
    await runSecretGet(f.deps, 'p', undefined, { version: 0, format: 'json' });
    expect(f.out).toEqual(['a: <1>\nb: 2\n', '2\n', '{\n    "a": "\\u003c1\\u003e",\n    "b": "2"\n}\n']);
    expect(f.calls.map((c) => [c.action, c.body])).toEqual([
      ['get', '{"path":"p"}'],
      ['get', '{"path":"p","version":3}'],
      ['get', '{"path":"p"}'],
    ]);
  });

  it('get errors: not found, missing key, not ready', async () => {
    const nf = fake({ spiffeId: ID.superuser, answer: () => json(404, { data: null, err: 'api_not_found' }) });
    await expect(runSecretGet(nf.deps, 'p', undefined, { version: 0, format: 'human' })).rejects.toThrow('Resource not found.');
    const nk = fake({ spiffeId: ID.superuser, answer: () => json(200, { data: { a: '1' } }) });
    await expect(runSecretGet(nk.deps, 'p', 'zz', { version: 0, format: 'human' })).rejects.toThrow('Key not found.');
    expect(await exitOf(runSecretGet(nk.deps, 'p', undefined, { version: 0, format: 'toml' }))).toBe(ExitCode.usage);
    const withErr = fake({ spiffeId: ID.superuser, answer: () => json(200, { data: { a: '1' }, err: 'data_invalid_input' }) });
    await expect(runSecretGet(withErr.deps, 'p', undefined, { version: 0, format: 'human' })).rejects.toThrow('Invalid input provided.');
  });
});
