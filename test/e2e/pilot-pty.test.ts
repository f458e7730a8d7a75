// `spike operator restore` in a real pseudo-terminal (node-pty): the two
// upstream prompt lines appear, the shard typed is not echoed, and it reaches
// the fake Nexus intact; an error after the hidden prompt starts on a line of
// its own; Ctrl-C at the prompt exits 130 and sends nothing, Ctrl-D is an
// empty input (exit 2).
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePilotEnv, startFakePilot, stopFakePilot } from '../helpers/fake-pilot.js';
import { SPIKE_BIN, type FakeNexus } from '../helpers/fakenexus.js';
import type { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const HEX = 'c3'.repeat(32);

let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;

beforeAll(async () => {
  ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/pp-', TD));
  nexus.respond(() => ({ status: 200, json: { collected: 1, remaining: 2, restored: false } }));
});
afterAll(() => stopFakePilot({ wl, nexus, tmp }));

const CTRL_C = '\x03';
const CTRL_D = '\x04';

interface PtyRun {
  output: string;
  code: number;
}

/** Runs spike in a pty; when `answer` is set, types it (plus Enter, unless it is a control key) once the prompt shows. */
function runInPty(args: string[], answer: string | undefined): Promise<PtyRun> {
  const term = spawnPty(process.execPath, [SPIKE_BIN, ...args], {
    name: 'xterm',
    cols: 200,
    rows: 30,
    cwd: tmp,
    env: fakePilotEnv({ wl, nexus, tmp }, { PATH: process.env.PATH ?? '/usr/bin:/bin' }),
  });
  let output = '';
  let typed = false;
  const killer = setTimeout(() => term.kill('SIGKILL'), 30_000);
  return new Promise<PtyRun>((resolve) => {
    term.onData((d) => {
      output += d;
      if (answer !== undefined && !typed && output.includes('Enter recovery shard: ')) {
        typed = true;
        term.write(answer === CTRL_C || answer === CTRL_D ? answer : `${answer}\r`);
      }
    });
    term.onExit(({ exitCode }) => {
      clearTimeout(killer);
      // Drop terminal control sequences (readline redraws the prompt with them).
      // eslint-disable-next-line no-control-regex -- ESC is exactly what we remove
      resolve({ output: output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), code: exitCode });
    });
  });
}

describe('restore on a terminal', () => {
  it('prompts with upstream lines, hides the shard, trims it and sends it', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    const r = await runInPty(['operator', 'restore'], `  spike:3:${HEX}  `);
    expect(r.code).toBe(0);
    expect(r.output).toContain('(your input will be hidden as you paste/type it)\r\nEnter recovery shard: ');
    expect(r.output).not.toContain(HEX.slice(0, 8));
    expect(r.output).toContain('Shards collected: 1\r\nShards remaining: 2\r\n');
    expect(nexus.requests).toHaveLength(1);
    expect(JSON.parse(nexus.requests[0]?.body.toString() ?? '')).toEqual({ id: 3, shard: Array(32).fill(0xc3) });
  });

  it('an error after the hidden prompt starts on its own line', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    const before = nexus.requests.length;
    const r = await runInPty(['operator', 'restore'], 'spike:3:not-hex');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/Enter recovery shard: \r?\nError: /);
    const errorLines = r.output.split(/\r?\n/).filter((l) => l.includes('Error:'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^Error: /);
    expect(nexus.requests.length).toBe(before);
  });

  it('an answer that is a failure (429) is an Error line of its own too', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    nexus.respond(() => ({ status: 429, headers: { 'retry-after': '5' }, json: { collected: 0, remaining: 0, restored: false, err: 'api_bad_request', state: 'rate_limited', retryAfter: 5 } }));
    try {
      const r = await runInPty(['operator', 'restore'], `spike:3:${HEX}`);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/Enter recovery shard: \r?\nError: Too many restore attempts; try again in 5 s\.\r?\n/);
    } finally {
      nexus.respond(() => ({ status: 200, json: { collected: 1, remaining: 2, restored: false } }));
    }
  });

  it('Ctrl-C at the prompt: exit 130, nothing sent, the line ends', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    const before = nexus.requests.length;
    const connections = nexus.secureConnections;
    const r = await runInPty(['operator', 'restore'], CTRL_C);
    expect(r.code).toBe(130);
    expect(r.output).toMatch(/Enter recovery shard: \r?\nError: Canceled; nothing was sent to SPIKE Nexus\.\r?\n/);
    expect(nexus.requests.length).toBe(before);
    expect(nexus.secureConnections).toBe(connections);
  });

  it('Ctrl-D at the prompt: no shard (exit 2), nothing sent, never a hang', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/restore`)));
    const before = nexus.requests.length;
    const r = await runInPty(['operator', 'restore'], CTRL_D);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/Enter recovery shard: \r?\nError: No recovery shard provided\.\r?\n/);
    expect(nexus.requests.length).toBe(before);
  });

  it('wrong role: exit 3 without prompting', async () => {
    wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/recover`)));
    const before = nexus.requests.length;
    const r = await runInPty(['operator', 'restore'], undefined);
    expect(r.code).toBe(3);
    expect(r.output).not.toContain('Enter recovery shard');
    // One line that names the role and the script that grants it.
    expect(r.output).toMatch(/(^|\n)Error: [^\r\n]*restore role[^\r\n]*access_unauthorized[^\r\n]*spire-server-entry-restore-register\.sh[^\r\n]*\r?\n/);
    expect(nexus.requests.length).toBe(before);
  });
});
