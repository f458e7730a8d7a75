// `spike secret get` (built CLI) writing to a real pseudo-terminal
// (node-pty): a stored value holding control characters (an ANSI escape, a
// bell, a C1 CSI, a line break) reaches the terminal escaped Go-%q style,
// with one notice on stderr; `--raw` writes the bytes; a pipe gets the exact
// bytes. Needs `npm run build` first.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNexus, runSpike, SPIKE_BIN } from '../helpers/fakenexus.js';
import { FakeWorkloadApi } from '../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa } from '../helpers/testca.js';

const TD = 'spike.ist';
const VALUE = 'red\x1b[31m!\x07\u009b2J\nnext';
const DATA = { evil: VALUE, plain: 'ok' };

let ca: TestCa;
let wl: FakeWorkloadApi;
let nexus: FakeNexus;
let tmp: string;

beforeAll(async () => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  tmp = mkdtempSync('/tmp/pt-');
  ca = await createTestCa(TD);
  wl = await FakeWorkloadApi.start();
  wl.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/pilot/role/superuser`)));
  nexus = await FakeNexus.start({ ca, svid: await ca.issue(`spiffe://${TD}/spike/nexus`) });
  nexus.respond(() => ({ status: 200, json: { data: DATA } }));
});
afterAll(async () => {
  await nexus?.close();
  await wl?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmp,
  SPIFFE_ENDPOINT_SOCKET: wl.address,
  SPIKE_NEXUS_API_URL: nexus.url,
  SPIKE_SPIFFE_SOURCE_TIMEOUT: '10s',
});

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
