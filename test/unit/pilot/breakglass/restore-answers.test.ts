// `spike operator restore` against a scripted Nexus, through the whole program
// (argv → command → report → exit code): every answer of the restore route
// gets its own true text and exit code, and `-f json` carries every field.
// The texts below are the ones the operator documentation promises (written
// out here, not taken from the code); exit codes are docs/design.md § Exit codes.
import { describe, expect, it } from 'vitest';
import type { NexusAnswer } from '../../../../src/pilot/runtime.js';
import { retryAfterSeconds } from '../../../../src/pilot/breakglass/restore-answer.js';
import { fake, ID, json, runProgram } from '../fakes.js';

const SHARD = (id: number): string => `spike:${id}:${'11'.repeat(32)}\n`;

const PROGRESS = (collected: number, remaining: number): string =>
  `\nShards collected: ${collected}\nShards remaining: ${remaining}\nPlease run \`spike operator restore\` again to provide the remaining shards.\n\n`;
const RESTORED =
  '\nSPIKE is now restored and ready to use.\nPlease run `./hack/spire-server-entry-su-register.sh` with necessary privileges\nto start using SPIKE as a superuser.\n\n';

/** Runs `spike <args>` with shard `id` on stdin against a Nexus that answers `answer`. */
async function restore(id: number, answer: NexusAnswer, args: string[] = []) {
  const f = fake({ spiffeId: ID.restore, stdin: SHARD(id), answer: () => answer });
  return runProgram(['operator', 'restore', ...args], f);
}

describe('restore answers, human', () => {
  it('collecting: the seed lines, exit 0', async () => {
    const r = await restore(1, json(200, { collected: 1, remaining: 2, restored: false, state: 'collecting', ids: [1] }));
    expect(r).toMatchObject({ code: 0, out: PROGRESS(1, 2), err: '' });
  });

  it('the same shard again: "already given", exit 0', async () => {
    const r = await restore(3, json(200, { collected: 1, remaining: 1, restored: false, state: 'collecting', duplicate: true, ids: [3] }));
    expect(r).toMatchObject({ code: 0, out: `Shard 3 was already given.\n${PROGRESS(1, 1)}`, err: '' });
  });

  it('the same id with another value: both kept, the next shard decides, exit 0', async () => {
    const r = await restore(2, json(200, { collected: 1, remaining: 1, restored: false, state: 'collecting', ids: [2], conflict: [2] }));
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `Shard 2 was given before with a different value; both values are kept and the next shard will decide which one is right.\n${PROGRESS(1, 1)}`,
    );
  });

  it('another id holding two values is named too', async () => {
    const r = await restore(3, json(200, { collected: 2, remaining: 1, restored: false, state: 'collecting', ids: [1, 3], conflict: [1] }));
    expect(r.out).toBe(`Shard 1 has more than one value; all are kept until the shards fit together.\n${PROGRESS(2, 1)}`);
  });

  it('no fit: at least one wrong, all kept, how many more; exit 5 and one Error line', async () => {
    const r = await restore(3, json(200, { collected: 2, remaining: 1, restored: false, state: 'no_fit', ids: [1, 3] }));
    expect(r.code).toBe(5);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'Error: The shards given so far (shards 1 and 3) do not fit together: at least one is wrong or from another shard set. All are kept; give 1 more shard with `spike operator restore`.\n',
    );
    const two = await restore(3, json(200, { collected: 3, remaining: 2, restored: false, state: 'no_fit', ids: [1, 2, 3], conflict: [2] }));
    expect(two.err).toContain('(shards 1, 2 and 3)');
    expect(two.err).toContain('give 2 more shards');
  });

  it('no fit with retired: the shards belong to a root key a rotation replaced; exit 5, one Error line, JSON carries retired', async () => {
    const answer = { collected: 2, remaining: 1, restored: false, state: 'no_fit', ids: [1, 2], retired: true };
    const r = await restore(2, json(200, answer));
    expect(r).toMatchObject({
      code: 5,
      out: '',
      err: 'Error: These shards belong to a previous root key: it was replaced by a rotation. Use the recovery files written after the rotation.\n',
    });
    const j = await restore(2, json(200, answer), ['-f', 'json']);
    expect(j.code).toBe(5);
    expect(JSON.parse(j.out)).toEqual(answer);
    // The same answer without `retired` keeps the plain no-fit text.
    const plain = await restore(2, json(200, { ...answer, retired: false }));
    expect(plain.err).toMatch(/^Error: The shards given so far \(shards 1 and 2\) do not fit together/);
  });

  it('restored: the seed text, plus the shards not used', async () => {
    const ok = await restore(3, json(200, { collected: 2, remaining: 0, restored: true, state: 'restored', ids: [1, 3] }));
    expect(ok).toMatchObject({ code: 0, out: RESTORED, err: '' });
    const one = await restore(3, json(200, { collected: 3, remaining: 0, restored: true, state: 'restored', ids: [1, 2, 3], rejected: [2] }));
    expect(one).toMatchObject({ code: 0, out: `${RESTORED}Shard 2 was not used: it does not belong to this root key.\n\n` });
    const two = await restore(5, json(200, { collected: 4, remaining: 0, restored: true, state: 'restored', ids: [1, 2, 4, 5], rejected: [2, 4] }));
    expect(two.out).toBe(`${RESTORED}Shards 2 and 4 were not used: they do not belong to this root key.\n\n`);
  });

  it('healthy Nexus, matching shard (a drill): never "restored", exit 0', async () => {
    const r = await restore(2, json(200, { collected: 0, remaining: 0, restored: true, state: 'healthy', match: true }));
    expect(r).toMatchObject({ code: 0, out: 'SPIKE Nexus is healthy; nothing to restore. Shard 2 matches the current root key.\n', err: '' });
  });

  it('healthy Nexus, shard that does NOT match: exit 5', async () => {
    const r = await restore(2, json(200, { collected: 0, remaining: 0, restored: true, state: 'healthy', match: false }));
    expect(r).toMatchObject({ code: 5, out: '', err: 'Error: SPIKE Nexus is healthy; nothing to restore. Shard 2 does NOT match the current root key.\n' });
  });

  it('upstream (or older) Nexus that already has its key: cannot check, exit 5, never "restored"', async () => {
    const r = await restore(2, json(200, { collected: 0, remaining: 0, restored: true }));
    expect(r).toMatchObject({
      code: 5,
      out: '',
      err: 'Error: SPIKE Nexus reports that it is already restored; nothing to restore. This SPIKE Nexus cannot check whether shard 2 matches the current root key.\n',
    });
    const noMatch = await restore(2, json(200, { collected: 0, remaining: 0, restored: true, state: 'healthy' }));
    expect(noMatch.code).toBe(5);
    expect(noMatch.err).toContain('cannot check whether shard 2 matches');
  });

  it('upstream answers without state keep their seed texts', async () => {
    expect(await restore(1, json(200, { collected: 1, remaining: 1, restored: false }))).toMatchObject({ code: 0, out: PROGRESS(1, 1) });
    expect(await restore(1, json(200, { collected: 2, remaining: 0, restored: true }))).toMatchObject({ code: 0, out: RESTORED });
  });

  it('rate limited (429): the wait from Retry-After, else from the body; exit 1', async () => {
    // (a fresh body each time: the command zeroes what it read)
    const body = (): Buffer => Buffer.from(JSON.stringify({ collected: 0, remaining: 0, restored: false, err: 'api_bad_request', state: 'rate_limited', retryAfter: 4 }));
    const header = await restore(1, { status: 429, body: body(), retryAfter: '7' });
    expect(header).toMatchObject({ code: 1, out: '', err: 'Error: Too many restore attempts; try again in 7 s.\n' });
    const fromBody = await restore(1, { status: 429, body: body() });
    expect(fromBody.err).toBe('Error: Too many restore attempts; try again in 4 s.\n');
    // An older Nexus: 429 with the plain restore body and no header.
    const older = await restore(1, json(429, { collected: 0, remaining: 0, restored: false, err: 'api_bad_request' }));
    expect(older).toMatchObject({ code: 1, err: 'Error: Too many restore attempts; try again in a few seconds.\n' });
  });

  it('too many values for one id (400): names --reset, exit 5', async () => {
    const r = await restore(2, json(400, { collected: 1, remaining: 1, restored: false, err: 'api_bad_request', state: 'too_many_values', ids: [2], conflict: [2] }));
    expect(r.code).toBe(5);
    expect(r.err).toBe(
      'Error: SPIKE Nexus already holds as many different values for shard 2 as it keeps; nothing was added. Run `spike operator restore --reset` to empty the collection, then give the shards again.\n',
    );
  });

  it('a plain 400 (Nexus refused this shard as invalid): says so, not a network fault, exit 5', async () => {
    const r = await restore(2, json(400, { collected: 0, remaining: 0, restored: false, err: 'api_bad_request' }));
    expect(r).toMatchObject({
      code: 5,
      err: 'Error: SPIKE Nexus refused shard 2 as invalid (HTTP 400 api_bad_request): its id may be higher than the number of shards this deployment makes, or its value is not a valid share. Nothing was kept; check the shard.\n',
    });
  });

  it('any other error answer stays exit 1 with upstream wording', async () => {
    const r = await restore(2, json(500, { collected: 0, remaining: 0, restored: false, err: 'api_internal_error' }));
    expect(r).toMatchObject({ code: 1, err: 'Error: Failed to communicate with SPIKE Nexus. (HTTP 500 api_internal_error)\n' });
  });
});

describe('restore answers, -f json', () => {
  const parsed = (out: string): unknown => JSON.parse(out);

  it('carries every field Nexus sent, with the exit code of the human form', async () => {
    const noFit = { collected: 3, remaining: 1, restored: false, state: 'no_fit', duplicate: true, ids: [1, 2, 3], conflict: [2] };
    const r = await restore(2, json(200, noFit), ['-f', 'json']);
    expect(r.code).toBe(5);
    expect(parsed(r.out)).toEqual(noFit);
    expect(r.err).toMatch(/^Error: The shards given so far \(shards 1, 2 and 3\) do not fit together/);

    const restored = { collected: 3, remaining: 0, restored: true, state: 'restored', ids: [1, 2, 3], rejected: [2] };
    expect(parsed((await restore(3, json(200, restored), ['-f', 'json'])).out)).toEqual(restored);

    const healthy = { collected: 0, remaining: 0, restored: true, state: 'healthy', match: false };
    const h = await restore(2, json(200, healthy), ['-f', 'json']);
    expect(h.code).toBe(5);
    expect(parsed(h.out)).toEqual(healthy);
  });

  it('is one document by the JSON rule (Go MarshalIndent, two spaces), upstream field order first', async () => {
    const r = await restore(2, json(200, { state: 'no_fit', ids: [1, 2], remaining: 1, collected: 2, restored: false }), ['-f', 'json']);
    expect(r.out).toBe('{\n  "collected": 2,\n  "remaining": 1,\n  "restored": false,\n  "state": "no_fit",\n  "ids": [\n    1,\n    2\n  ]\n}\n');
  });

  it('a 429 answer carries the wait from the header', async () => {
    const r = await restore(1, { ...json(429, { collected: 0, remaining: 0, restored: false, err: 'api_bad_request' }), retryAfter: '9' }, ['-f', 'json']);
    expect(r.code).toBe(1);
    expect(parsed(r.out)).toEqual({ collected: 0, remaining: 0, restored: false, err: 'api_bad_request', state: 'rate_limited', retryAfter: 9 });
  });

  it('an upstream answer prints upstream fields only', async () => {
    const r = await restore(1, json(200, { collected: 1, remaining: 1, restored: false }), ['-f', 'json']);
    expect(parsed(r.out)).toEqual({ collected: 1, remaining: 1, restored: false });
  });
});

describe('restore --reset', () => {
  it('posts {} to ?action=reset with the restore role and says what happened', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => json(200, { collected: 0, remaining: 2, restored: false, state: 'reset' }) });
    const r = await runProgram(['operator', 'restore', '--reset'], f);
    expect(r).toMatchObject({ code: 0, out: 'Restore collection emptied; give the shards again.\n', err: '' });
    expect(r.calls).toEqual([{ path: '/v1/operator/restore', action: 'reset', body: '{}' }]);
    const g = fake({ spiffeId: ID.restore, answer: () => json(200, { collected: 0, remaining: 2, restored: false, state: 'reset' }) });
    const j = await runProgram(['restore', '--reset', '-f', 'json'], g);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual({ collected: 0, remaining: 2, restored: false, state: 'reset' });
  });

  it('a Nexus without reset (400): says so, exit 1', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => json(400, { err: 'api_bad_request' }) });
    const r = await runProgram(['operator', 'restore', '--reset'], f);
    expect(r).toMatchObject({
      code: 1,
      out: '',
      err: 'Error: This SPIKE Nexus does not support `spike operator restore --reset`; nothing was changed. (HTTP 400 api_bad_request)\n',
    });
  });

  it('a healthy Nexus has nothing to reset', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => json(200, { collected: 0, remaining: 0, restored: true, state: 'healthy' }) });
    expect(await runProgram(['operator', 'restore', '--reset'], f)).toMatchObject({ code: 0, out: 'SPIKE Nexus is healthy; there is no restore collection to empty.\n' });
  });

  it('reads no shard: with --file it is a usage error; with another role exit 3; nothing sent', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => json(200, { state: 'reset' }) });
    const r = await runProgram(['operator', 'restore', '--reset', '--file', 'x.txt'], f);
    expect(r.code).toBe(2);
    expect(r.err).toBe('Error: --reset reads no shard: leave out --file, --identity, --manifest and --fingerprint.\n');
    const g = fake({ spiffeId: ID.recover, answer: () => json(200, { state: 'reset' }) });
    expect((await runProgram(['operator', 'restore', '--reset'], g)).code).toBe(3);
    expect([...f.calls, ...g.calls]).toEqual([]);
  });

  it('rate limited like a submission', async () => {
    const f = fake({ spiffeId: ID.restore, answer: () => ({ ...json(429, { err: 'api_bad_request', state: 'rate_limited', retryAfter: 2 }), retryAfter: '2' }) });
    expect(await runProgram(['operator', 'restore', '--reset'], f)).toMatchObject({ code: 1, err: 'Error: Too many restore attempts; try again in 2 s.\n' });
  });
});

describe('Retry-After', () => {
  it('delta-seconds or an HTTP date (RFC 9110 examples); anything else is unknown', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    expect(retryAfterSeconds(' 0 ')).toBe(0);
    const now = Date.parse('Fri, 31 Dec 1999 23:59:00 GMT');
    expect(retryAfterSeconds('Fri, 31 Dec 1999 23:59:59 GMT', now)).toBe(59);
    expect(retryAfterSeconds('Fri, 31 Dec 1999 23:58:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '99999999', '2000-01-01T00:00:00Z']) expect(retryAfterSeconds(bad, now)).toBeUndefined();
  });
});

describe('spike --help', () => {
  it('lists exit codes 5 and 130', async () => {
    const r = await runProgram(['--help'], fake({ spiffeId: ID.restore }));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n {2}5 {2}restore: Nexus did not take the shard/);
    expect(r.out).toMatch(/\n {2}130 interrupted \(Ctrl-C at a prompt; nothing was sent\)/);
  });
});
