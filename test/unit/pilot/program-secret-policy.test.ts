// The new commands in the commander tree: flags, aliases of -f, usage errors
// (exit 2, nothing sent), help without an identity.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { fake, ID, json, runProgram, type Fake } from './fakes.js';

async function run(args: string[], f: Fake = fake({ spiffeId: ID.superuser, answer: () => json(200, { keys: ['a'], policies: [] }) })) {
  return runProgram(args, f);
}

describe('secret and policy commands in the tree', () => {
  it('run with their flags', async () => {
    expect(await run(['secret', 'list', '--format', 'y'])).toMatchObject({ code: 0, out: '- a\n' });
    const d = await run(['secret', 'delete', 'p', '--versions', '1, 2']);
    expect(d.code).toBe(0);
    expect(d.calls[0]?.body).toBe('{"path":"p","versions":[1,2]}');
    const u = await run(['secret', 'undelete', 'p', '-v', '3']);
    expect(u.calls[0]?.body).toBe('{"path":"p","versions":[3]}');
    const l = await run(['policy', 'list', '--spiffeid-pattern', '^spiffe://x/.*$', '-f', 'json']);
    expect(l).toMatchObject({ code: 0, out: '[]\n' });
  });

  it('usage errors exit 2 with one Error line and send nothing', async () => {
    for (const args of [
      ['secret', 'list', 'extra'],
      ['secret', 'delete'],
      ['secret', 'delete', 'p', '-v', 'x'],
      ['secret', 'undelete', 'p', '-v', '-1'],
      ['secret', 'metadata', 'get'],
      ['secret', 'metadata', 'get', 'p', '-v', '1.5'],
      ['policy', 'list', '--path-pattern', 'a', '--spiffeid-pattern', 'b'],
      ['policy', 'create', '--name', 'x'],
      ['policy', 'create', 'positional'],
      ['policy', 'apply'],
      ['policy', 'get'],
      ['policy', 'get', 'a', '-f', 'xml'],
      ['policy', 'delete'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(ExitCode.usage);
      expect(r.err, args.join(' ')).toMatch(/^Error: [^\n]+\n$/);
      expect(r.calls, args.join(' ')).toEqual([]);
    }
  });

  it('help needs no identity and shows upstream flags', async () => {
    const f = fake({ spiffeId: ID.superuser });
    f.deps.openIdentity = () => Promise.reject(new Error('must not be called'));
    const h = await run(['policy', 'apply', '--help'], f);
    expect(h.code).toBe(0);
    for (const flag of ['--name', '--path-pattern', '--spiffeid-pattern', '--permissions', '--file']) expect(h.out).toContain(flag);
    const m = await run(['secret', 'metadata', 'get', '--help'], f);
    expect(m.out).toContain('-v, --version');
    expect(m.out).toContain('human/h/plain/p, json/j, or yaml/y');
  });
});
