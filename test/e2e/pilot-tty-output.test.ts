// `spike secret get` (built CLI) writing to a real pseudo-terminal
// (node-pty): a stored value holding control characters (an ANSI escape, a
// bell, a C1 CSI, a line break) reaches the terminal escaped Go-%q style,
// with one notice on stderr; `--raw` writes the bytes; a pipe gets the exact
// bytes. Needs `npm run build` first.
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakePilotEnv, startFakePilot, stopFakePilot } from '../helpers/fake-pilot.js';
import { runSpike, SPIKE_BIN, type FakeNexus } from '../helpers/fakenexus.js';
import type { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const VALUE = 'red\x1b[31m!\x07\u009b2J\nnext';
const DATA = { evil: VALUE, plain: 'ok' };

let ca: TestCa, wl: FakeWorkloadApi, nexus: FakeNexus, tmp: string;

beforeAll(async () => {
  ({ ca, wl, nexus, tmp } = await startFakePilot('/tmp/pt-', TD));
  wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/superuser`)));
  nexus.respond(() => ({ status: 200, json: { data: DATA } }));
});
afterAll(() => stopFakePilot({ wl, nexus, tmp }));

const env = (): Record<string, string> => fakePilotEnv({ wl, nexus, tmp }, { PATH: process.env.PATH ?? '/usr/bin:/bin' });

/** Runs spike with stdout and stderr on a pty; returns everything the terminal received (CRLF back to LF). */
function runInPty(args: string[]): Promise<{ output: string; code: number }> {
  const term = spawnPty(process.execPath, [SPIKE_BIN, ...args], { name: 'xterm', cols: 200, rows: 30, cwd: tmp, env: env() });
  let output = '';
  const killer = setTimeout(() => term.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    term.onData((d) => {
      output += d;
    });
    term.onExit(({ exitCode }) => {
      clearTimeout(killer);
      resolve({ output: output.replace(/\r\n/g, '\n'), code: exitCode });
    });
  });
}

// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('secret get on a terminal', () => {
  it('shows control characters escaped (Go %q), never raw, and says so', async () => {
    const r = await runInPty(['secret', 'get', 'apps/x']);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(RAW_CONTROL);
    expect(r.output).toBe(
      'evil: "red\\x1b[31m!\\a\\u009b2J\\nnext"\nplain: ok\n' +
        '(control characters are shown escaped, Go %q style; --raw prints them as they are)\n',
    );
  });

  it('one key, and -f json (DEL/C1 escaped as well): still no raw control character', async () => {
    const one = await runInPty(['secret', 'get', 'apps/x', 'evil']);
    expect(one.output.startsWith('"red\\x1b[31m!\\a\\u009b2J\\nnext"\n')).toBe(true);
    const js = await runInPty(['secret', 'get', 'apps/x', '-f', 'json']);
    expect(js.output).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(js.output.split('(control')[0] as string)).toEqual(DATA);
  });

  it('--raw writes the bytes to the terminal', async () => {
    const r = await runInPty(['secret', 'get', 'apps/x', 'evil', '--raw']);
    expect(r.code).toBe(0);
    expect(r.output).toBe(`${VALUE}\n`);
  });

  it('a pipe gets the exact bytes, no notice', async () => {
    const r = await runSpike(['secret', 'get', 'apps/x'], { env: env() });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `evil: ${VALUE}\nplain: ok\n`, '']);
  });
});
