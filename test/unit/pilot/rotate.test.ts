// `spike operator rotate` against a scripted Nexus, through the whole program
// (argv → command → report → exit code), with a virtual clock: the
// confirmation, the rotate call and each of its refusals, following the
// rotation through /v1/operator/status (progress line on a terminal, Nexus
// lost and back, lost for good), --no-wait and -f json. Expected texts are
// the ones docs/cli.md § spike operator rotate promises, written out here.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../../src/client/errors.js';
import { CliError, ExitCode } from '../../../src/pilot/output/exit.js';
import type { NexusAnswer, PilotClock } from '../../../src/pilot/runtime.js';
import { fake, ID, json, runProgram, type FakeOptions, type Recorded } from './fakes.js';

const OLD = '0123456789abcdef'.repeat(4);
const NEW = 'fedcba9876543210'.repeat(4);
const OLD_SHOWN = '0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef';
const NEW_SHOWN = 'fedc ba98 7654 3210 fedc ba98 7654 3210 fedc ba98 7654 3210 fedc ba98 7654 3210';
const STARTED_AT = '2026-12-06T18:00:00Z';

const DONE_TEXT = `
The root key was rotated: every stored record is now encrypted with the new
root key, and every Keeper holds its new shard.
New shard set fingerprint:      ${NEW_SHOWN}
Previous shard set fingerprint: ${OLD_SHOWN}

The old recovery shard files are now USELESS: they cannot restore SPIKE Nexus.
Now:
  1. Run \`spike operator recover\` to write the new recovery files.
  2. Store them as you stored the old ones (each custodian their own).
  3. Destroy every old recovery file and copy.

`;

const NOTICE =
  'SPIKE Nexus will make a new root key, re-encrypt every stored record with it\n' +
  'and give the Keepers new shards. All earlier recovery shard files will become\n' +
  'useless: afterwards run `spike operator recover` and store the new files.\n';
const QUESTION = 'Rotate the root key (earlier recovery files become useless)? [y/N] ';

const rotateAnswer = (over: Record<string, unknown> = {}): NexusAnswer =>
  json(200, { state: 'started', phase: 'reencrypting', done: 0, total: 3, previousFingerprint: OLD, fingerprint: NEW, startedAt: STARTED_AT, ...over });

const statusOf = (over: Record<string, unknown>): NexusAnswer => json(200, { ready: true, collected: 0, remaining: 0, threshold: 2, ids: [], ...over });
const REENCRYPTING = statusOf({ fingerprint: NEW, rotation: 'reencrypting', rotationDone: 1, rotationTotal: 3, rotationFingerprint: NEW, rotationStartedAt: STARTED_AT });
const PUSHING = statusOf({
  fingerprint: NEW,
  rotation: 'pushing',
  rotationDone: 3,
  rotationTotal: 3,
  rotationFingerprint: NEW,
  rotationStartedAt: STARTED_AT,
  rotationWaiting: [3, 2],
});
const DONE = statusOf({ fingerprint: NEW });

type Step = NexusAnswer | Error;

/** A clock that only moves when the command sleeps; records every sleep. */
function virtualClock(): PilotClock & { sleeps: number[]; t: () => number } {
  let t = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    t: () => t,
  };
}

/**
 * A Nexus answering the rotate call with `rotate` and the status polls with
 * `steps` in turn (the last one repeats). After 200 polls it only fails
 * (unreachable), so a command that never sees the end stops within the
 * 60 s budget of virtual time instead of looping forever.
 */
function scripted(rotate: NexusAnswer, steps: Step[]): (c: Recorded) => NexusAnswer {
  let i = 0;
  return (c) => {
    if (c.path === '/v1/operator/rotate') return rotate;
    if (c.path !== '/v1/operator/status') throw new Error(`unexpected call ${c.path}`);
    if (i >= 200) throw new ClientError('transport', 'the test Nexus stopped answering');
    const s = steps[Math.min(i++, steps.length - 1)] as Step;
    if (s instanceof Error) throw s;
    return s;
  };
}

async function rotate(args: string[], o: { rotate?: NexusAnswer; steps?: Step[] } & Partial<FakeOptions> = {}) {
  const clock = virtualClock();
  const f = fake({ spiffeId: ID.superuser, clock, answer: scripted(o.rotate ?? rotateAnswer(), o.steps ?? [REENCRYPTING, PUSHING, DONE]), ...o });
  const r = await runProgram(['operator', 'rotate', ...args], f);
  return { ...r, clock, prompts: f.prompts, paths: r.calls.map((c) => c.path) };
}

const lost = (): ClientError => new ClientError('transport', 'connect ECONNREFUSED 127.0.0.1:8553');

describe('spike operator rotate: following to the end', () => {
  it('--yes: starts, follows the status every 250 ms until the new fingerprint is in use, prints the success text', async () => {
    const r = await rotate(['--yes']);
    expect(r).toMatchObject({ code: 0, out: DONE_TEXT, err: '' });
    expect(r.calls[0]).toEqual({ path: '/v1/operator/rotate', action: undefined, body: '{}' });
    expect(r.paths).toEqual(['/v1/operator/rotate', '/v1/operator/status', '/v1/operator/status', '/v1/operator/status']);
    expect(r.clock.sleeps).toEqual([250, 250]);
  });

  it('on a terminal (stderr), draws one progress line: the bar while re-encrypting, then the keepers awaited; erased at the end', async () => {
    const r = await rotate(['-y'], { stderrTty: true });
    expect(r.code).toBe(0);
    expect(r.out).toBe(DONE_TEXT);
    expect(r.err).toBe(
      '\r\x1b[KRe-encrypting stored records [------------------------------] 0/3' +
        '\r\x1b[KRe-encrypting stored records [##########--------------------] 1/3' +
        '\r\x1b[KWaiting for keepers 2 and 3 to take their new shard' +
        '\r\x1b[K',
    );
  });

  it('no progress line with -f json, even on a terminal', async () => {
    const r = await rotate(['--yes', '-f', 'json'], { stderrTty: true });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('-f json: one document {rotated, fingerprint, previousFingerprint, rows, seconds}', async () => {
    const r = await rotate(['--yes', '-f', 'json']);
    expect(r.code).toBe(0);
    // Two polls of 250 ms on the virtual clock: 0.5 s.
    expect(r.out).toBe(`{\n  "rotated": true,\n  "fingerprint": "${NEW}",\n  "previousFingerprint": "${OLD}",\n  "rows": 3,\n  "seconds": 0.5\n}\n`);
  });

  it('a rotation already running: says so on stderr and follows that one', async () => {
    const r = await rotate(['--yes'], { rotate: rotateAnswer({ state: 'running', phase: 'pushing', done: 3 }), steps: [PUSHING, DONE] });
    expect(r.code).toBe(0);
    expect(r.err).toBe(`A root-key rotation was already running (started ${STARTED_AT}); following it.\n`);
    expect(r.out).toBe(DONE_TEXT);
  });

  it('a running rotation Nexus could not describe yet (no fingerprints): follows it and learns the new fingerprint from the status', async () => {
    const r = await rotate(['--yes'], {
      rotate: rotateAnswer({ state: 'running', fingerprint: '', previousFingerprint: '' }),
      steps: [REENCRYPTING, statusOf({ fingerprint: NEW, rotation: 'pushing', rotationDone: 3, rotationTotal: 3, rotationFingerprint: NEW }), DONE],
    });
    expect(r.code).toBe(0);
    expect(r.paths.filter((p) => p === '/v1/operator/status')).toHaveLength(3);
    expect(r.out).toContain(`New shard set fingerprint:      ${NEW_SHOWN}\nPrevious shard set fingerprint: (not reported by SPIKE Nexus)\n`);
    // A started rotation must name both.
    const bad = await rotate(['--yes'], { rotate: rotateAnswer({ previousFingerprint: '' }) });
    expect(bad).toMatchObject({ code: 1, err: 'Error: Failed to start the root-key rotation. (malformed answer: the fingerprints are not 64 hex digits)\n' });
  });

  it('a later rotation already under way (towards another set): ours is over', async () => {
    const THIRD = '5a'.repeat(32);
    const later = statusOf({ fingerprint: THIRD, rotation: 'reencrypting', rotationDone: 0, rotationTotal: 3, rotationFingerprint: THIRD });
    const r = await rotate(['--yes'], { steps: [REENCRYPTING, later] });
    expect(r).toMatchObject({ code: 0, out: DONE_TEXT });
    // The same when the rotate answer did not name the new set: the first status did.
    const unnamed = await rotate(['--yes'], { rotate: rotateAnswer({ state: 'running', fingerprint: '', previousFingerprint: '' }), steps: [REENCRYPTING, later] });
    expect(unnamed.code).toBe(0);
    expect(unnamed.out).toContain(`New shard set fingerprint:      ${NEW_SHOWN}\n`);
  });

  it('SPIKE Nexus lost while following (restarting, then not ready): retries with backoff, then finishes', async () => {
    const notReady = json(200, { ready: false, collected: 0, remaining: 2, threshold: 2, ids: [] });
    const r = await rotate(['--yes'], { stderrTty: true, steps: [REENCRYPTING, lost(), lost(), json(503, { err: 'state_not_ready' }), notReady, PUSHING, DONE] });
    expect(r.code).toBe(0);
    expect(r.out).toBe(DONE_TEXT);
    expect(r.clock.sleeps).toEqual([250, 250, 500, 1000, 2000, 250]);
    expect(r.err).toContain('\r\x1b[KSPIKE Nexus cannot be reached right now; retrying (the rotation goes on by itself)');
    expect(r.err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('SPIKE Nexus lost for 60 s in a row: exit 1, one line sending the operator to `spike operator status`', async () => {
    const r = await rotate(['--yes'], { stderrTty: true, steps: [REENCRYPTING, lost()] });
    expect(r.code).toBe(ExitCode.nexus);
    expect(r.out).toBe('');
    // runProgram puts the Error line (the program's stderr) before what the command wrote there; the line was erased.
    const [errorLine, drawn] = [r.err.slice(0, r.err.indexOf('\n') + 1), r.err.slice(r.err.indexOf('\n') + 1)];
    expect(errorLine).toBe(
      'Error: Lost contact with SPIKE Nexus for 60 s while following the root-key rotation; it goes on by itself (also after a restart of SPIKE Nexus): follow it with `spike operator status`.\n',
    );
    expect(drawn.endsWith('\r\x1b[K')).toBe(true);
    // The first failed poll came after one 250 ms pause; the give-up comes 60 s of virtual time later.
    const waitedWhileLost = r.clock.sleeps.slice(1).reduce((a, b) => a + b, 0);
    expect(waitedWhileLost).toBe(60_000);
    expect(r.clock.sleeps.slice(1, 6)).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it('a poll whose server is not Nexus (identity failure) ends at once with exit 3', async () => {
    const r = await rotate(['--yes'], { steps: [new ClientError('identity', 'server SPIFFE ID spiffe://spike.ist/evil is not a SPIKE Nexus')] });
    expect(r.code).toBe(ExitCode.identity);
    expect(r.err).toBe('Error: Failed to follow the root-key rotation. (server SPIFFE ID spiffe://spike.ist/evil is not a SPIKE Nexus)\n');
  });

  it('no rotation any more but the previous root key still in use: exit 1', async () => {
    const r = await rotate(['--yes'], { steps: [statusOf({ fingerprint: OLD })] });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'Error: SPIKE Nexus reports no rotation in progress but still the previous root key; the rotation did not finish. Check `spike operator status` and the SPIKE Nexus log.\n',
    );
  });
});

describe('spike operator rotate --no-wait', () => {
  it('prints that it started, with both fingerprints, and does not poll', async () => {
    const r = await rotate(['--yes', '--no-wait']);
    expect(r.code).toBe(0);
    expect(r.paths).toEqual(['/v1/operator/rotate']);
    expect(r.out).toBe(`
Root-key rotation started.
New shard set fingerprint:      ${NEW_SHOWN}
Previous shard set fingerprint: ${OLD_SHOWN}

It goes on by itself; follow it with \`spike operator status\`. When it has
finished, run \`spike operator recover\` and store the new recovery files:
the earlier ones will be useless.

`);
  });

  it('-f json', async () => {
    const r = await rotate(['--yes', '--no-wait', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      rotated: false,
      state: 'started',
      phase: 'reencrypting',
      done: 0,
      total: 3,
      fingerprint: NEW,
      previousFingerprint: OLD,
      startedAt: STARTED_AT,
    });
  });
});

describe('spike operator rotate: confirmation', () => {
  it('not a terminal and no --yes: exit 2, one line, nothing sent', async () => {
    const r = await rotate([]);
    expect(r).toMatchObject({ code: ExitCode.usage, out: '', err: 'Error: refusing to rotate without confirmation: pass --yes\n' });
    expect(r.calls).toEqual([]);
    expect(r.prompts).toEqual([]);
  });

  it('on a terminal: says what happens, asks one y/N question; y or yes goes on', async () => {
    for (const answer of ['y', 'Y', 'yes', ' YES ']) {
      const r = await rotate([], { stdinTty: true, answerLine: answer });
      expect(r.code, answer).toBe(0);
      expect(r.err).toBe(NOTICE);
      expect(r.prompts).toEqual([QUESTION]);
      expect(r.out).toBe(DONE_TEXT);
    }
  });

  it('anything else declines: nothing sent, exit 0', async () => {
    for (const answer of ['', 'n', 'no', 'yess', 'sure']) {
      const r = await rotate([], { stdinTty: true, answerLine: answer });
      expect(r, answer).toMatchObject({ code: 0, out: 'Not rotated; nothing was sent to SPIKE Nexus.\n', err: NOTICE });
      expect(r.calls).toEqual([]);
    }
  });

  it('Ctrl-C at the question: exit 130, nothing sent', async () => {
    const r = await rotate([], { stdinTty: true, answerLine: new CliError(ExitCode.interrupted, 'Canceled; nothing was sent to SPIKE Nexus.') });
    expect(r).toMatchObject({ code: 130, err: `Error: Canceled; nothing was sent to SPIKE Nexus.\n${NOTICE}` });
    expect(r.calls).toEqual([]);
  });

  it('--yes on a terminal asks nothing', async () => {
    const r = await rotate(['--yes'], { stdinTty: true, answerLine: 'n' });
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([]);
    expect(r.out).toBe(DONE_TEXT);
  });
});

describe('spike operator rotate: refusals', () => {
  it('a role other than superuser: exit 3 with the usual text, no question, nothing sent', async () => {
    const r = await rotate([], { spiffeId: ID.recover, stdinTty: true, answerLine: 'y' });
    expect(r.code).toBe(ExitCode.identity);
    expect(r.err).toBe(
      'Error: this command needs the superuser role (spiffe://spike.ist/spike/pilot/role/superuser), but this SPIKE Pilot is ' +
        'spiffe://spike.ist/spike/pilot/role/recover (access_unauthorized); grant it with hack/spire-server-entry-su-register.sh.\n',
    );
    expect(r.calls).toEqual([]);
    expect(r.prompts).toEqual([]);
  });

  it('upstream SPIKE Nexus (400 api_bad_request: no such route): exit 1, not supported', async () => {
    const r = await rotate(['--yes'], { rotate: json(400, { err: 'api_bad_request' }) });
    expect(r).toMatchObject({
      code: 1,
      out: '',
      err: 'Error: This SPIKE Nexus does not support root-key rotation (no /v1/operator/rotate route: it is not a spike-ts Nexus, or an older one); nothing was changed.\n',
    });
    expect(r.paths).toEqual(['/v1/operator/rotate']);
  });

  it('memory or lite backend (400 rotation_unsupported): exit 1, nothing to re-encrypt', async () => {
    const r = await rotate(['--yes'], { rotate: json(400, { err: 'rotation_unsupported' }) });
    expect(r).toMatchObject({
      code: 1,
      err: 'Error: This SPIKE Nexus cannot rotate its root key: its backend (memory or lite) keeps no store encrypted with the root key, so there is nothing to re-encrypt; nothing was changed.\n',
    });
  });

  it('not ready (503 state_not_ready): exit 1 with the not-ready text', async () => {
    const r = await rotate(['--yes'], { rotate: json(503, { err: 'state_not_ready' }) });
    expect(r).toMatchObject({
      code: 1,
      err: 'Error: SPIKE is not ready yet: SPIKE Nexus is starting or waiting for an operator restore; see `spike operator status`.\n',
    });
  });

  it('401 from Nexus: exit 3', async () => {
    const r = await rotate(['--yes'], { rotate: json(401, { err: 'access_unauthorized' }) });
    expect(r).toMatchObject({ code: 3, err: 'Error: Failed to start the root-key rotation. (HTTP 401 access_unauthorized)\n' });
  });

  it('no answer to the rotate call: exit 1; a timeout may have started it (see status)', async () => {
    const refused = await rotate(['--yes'], { rotate: undefined, answer: () => Promise.reject(lost()) });
    expect(refused).toMatchObject({ code: 1, err: 'Error: Failed to start the root-key rotation. (connect ECONNREFUSED 127.0.0.1:8553)\n' });
    const timedOut = await rotate(['--yes'], { answer: () => Promise.reject(new ClientError('timeout', 'no answer within 60s')) });
    expect(timedOut).toMatchObject({
      code: 1,
      err: 'Error: No answer from SPIKE Nexus to the rotation request; it may have started: check with `spike operator status`. (no answer within 60s)\n',
    });
  });

  it('a malformed answer: exit 1, nothing followed', async () => {
    for (const [bad, why] of [
      [{ fingerprint: OLD }, 'the new fingerprint is the old one'],
      [{ fingerprint: 'xyz' }, 'the fingerprints are not 64 hex digits'],
      [{ state: 'maybe' }, "state 'maybe'"],
      [{ phase: 'exploding' }, "phase 'exploding'"],
      [{ done: -1 }, 'negative progress'],
    ] as const) {
      const r = await rotate(['--yes'], { rotate: rotateAnswer(bad) });
      expect(r.code, why).toBe(1);
      expect(r.err).toBe(`Error: Failed to start the root-key rotation. (malformed answer: ${why})\n`);
      expect(r.paths).toEqual(['/v1/operator/rotate']);
    }
  });
});

describe('spike operator rotate --help', () => {
  it('describes the command, every flag, the exit codes and an example', async () => {
    const r = await runProgram(['operator', 'rotate', '--help'], fake({ spiffeId: ID.superuser }));
    expect(r.code).toBe(0);
    for (const s of ['-y, --yes', '-f, --format <format>', '--no-wait', 'Exit codes:', '130 Ctrl-C', 'spike operator rotate --yes', 'EVERY EARLIER RECOVERY SHARD FILE IS USELESS']) {
      expect(r.out).toContain(s);
    }
    const top = await runProgram(['operator', '--help'], fake({ spiffeId: ID.superuser }));
    expect(top.out).toMatch(/\n {2}rotate \[options\] +Replace the root key/);
  });

  it('names both backends that rotate and the two that refuse', async () => {
    // Nexus's rotate guard lets sqlite and postgres through and answers
    // 400 rotation_unsupported to memory and lite (exit 1).
    const r = await runProgram(['operator', 'rotate', '--help'], fake({ spiffeId: ID.superuser }));
    const prose = r.out.replace(/\s+/g, ' ');
    expect(prose).toContain('a spike-ts SPIKE Nexus with the SQLite or PostgreSQL backend (');
    expect(prose).toContain('memory and lite keep nothing to re-encrypt');
  });
});
