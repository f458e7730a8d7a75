// `spike` without a working SPIFFE Workload API (the real binary; run
// `npm run build` first): no socket, a stale socket file, a plain file, the
// dev agent with the Pilot's entry deleted, and an agent that accepts but
// never answers. Each ends with one `Error:` line naming the socket, what
// failed in plain words and what to do, exit 3 (docs/cli.md § Troubleshooting).
//
// (a)–(c) run with SPIKE_SPIFFE_SOURCE_TIMEOUT=120s and the test's own limit
// of 60 s: a run that ends at all did not wait for the 120 s bound.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike, SPIKE_BIN, type CliRun } from '../helpers/fakenexus.js';
import { silentSocket, staleSocket, type SocketHandle } from '../helpers/fakeworkloadapi.js';
import { Stack } from '../helpers/stack.js';

const HINT = `Set SPIFFE_ENDPOINT_SOCKET to the agent's socket; for the local stack run hack/start.sh and eval "$(hack/env.sh)".`;
const REGISTER =
  'Register SPIKE Pilot with hack/spire-server-entry-su-register.sh (superuser), hack/spire-server-entry-recover-register.sh (recover) or hack/spire-server-entry-restore-register.sh (restore).';
/** Two commands that need the Pilot's SVID (restore asks for it before it reads a shard). */
const COMMANDS = [
  ['secret', 'list'],
  ['operator', 'restore'],
];
const DEFAULT_SOCKET_PATH = '/tmp/spire-agent/public/api.sock';

let tmp: string;
const handles: SocketHandle[] = [];

beforeAll(() => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  tmp = mkdtempSync('/tmp/pna-');
});
afterAll(async () => {
  for (const h of handles.splice(0)) await h.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs spike with only these variables (plus PATH); Nexus is never reached in these tests. */
function spike(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return runSpike(args, { env: { HOME: tmp, SPIKE_NEXUS_API_URL: 'https://127.0.0.1:9', SPIKE_SPIFFE_SOURCE_TIMEOUT: '120s', ...env } });
}

/** Every command in COMMANDS ends with exactly `Error: <line>` and exit 3, nothing on stdout. */
async function expectOneLine(env: Record<string, string>, line: string): Promise<void> {
  for (const args of COMMANDS) {
    const r = await spike(args, env);
    expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 3, stdout: '', stderr: `Error: ${line}\n` });
  }
}

describe('spike without a Workload API agent: one line, exit 3, long before SPIKE_SPIFFE_SOURCE_TIMEOUT', () => {
  it('(a) the socket path does not exist', { timeout: 60_000 }, async () => {
    const address = `unix://${tmp}/missing/agent.sock`;
    await expectOneLine(
      { SPIFFE_ENDPOINT_SOCKET: address },
      `cannot reach the SPIFFE Workload API at ${address}: no such socket (is the agent running?). ${HINT}`,
    );
  });

  it.skipIf(existsSync(DEFAULT_SOCKET_PATH))('(a) SPIFFE_ENDPOINT_SOCKET unset: says so, and that the default was tried', { timeout: 60_000 }, async () => {
    await expectOneLine(
      {},
      `cannot reach the SPIFFE Workload API at unix://${DEFAULT_SOCKET_PATH} (the default: SPIFFE_ENDPOINT_SOCKET is not set): no such socket (is the agent running?). ${HINT}`,
    );
  });

  it('(b) a stale socket file nobody listens on', { timeout: 60_000 }, async () => {
    const path = join(tmp, 'stale.sock');
    await staleSocket(path);
    await expectOneLine(
      { SPIFFE_ENDPOINT_SOCKET: `unix://${path}` },
      `cannot reach the SPIFFE Workload API at unix://${path}: nothing is listening on the socket (is the agent running?). ${HINT}`,
    );
  });

  it('(b) a plain file at the socket path', { timeout: 60_000 }, async () => {
    const path = join(tmp, 'plain-file');
    writeFileSync(path, 'not a socket');
    await expectOneLine(
      { SPIFFE_ENDPOINT_SOCKET: `unix://${path}` },
      `cannot reach the SPIFFE Workload API at unix://${path}: the path is not a socket. ${HINT}`,
    );
  });
});

describe('the dev agent has no entry for the Pilot', () => {
  let stack: Stack | undefined;
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('(c) says there is no SVID for this process and names the register scripts; registering fixes it', { timeout: 60_000 }, async () => {
    stack = await Stack.create({ keepers: 1 });
    await stack.startAgent();
    const del = stack.spawn('entry-delete-pilot', 'spike-dev-agent', ['entry', 'delete', 'pilot'], stack.envFor('agent'));
    expect(await del.exited).toBe(0);
    const address = `unix://${stack.socketOf('pilot')}`;
    await expectOneLine(
      { SPIFFE_ENDPOINT_SOCKET: address },
      `the SPIFFE Workload API at ${address} has no X.509-SVID for this process (no registration entry matches it). ${REGISTER}`,
    );

    // What the register scripts do: with an entry the Pilot gets past its identity (and then finds no Nexus: exit 1).
    await stack.setEntry('pilot', stack.ids.superuser);
    const r = await spike(['secret', 'list'], { SPIFFE_ENDPOINT_SOCKET: address });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('Workload API');
  });
});

describe('an agent that accepts and never answers', () => {
  let silentPath: string;
  beforeAll(async () => {
    silentPath = join(tmp, 'silent.sock');
    handles.push(await silentSocket(silentPath));
  });

  const timeoutLine = (): string =>
    `Error: no answer from the SPIFFE Workload API at unix://${silentPath} within 3s (SPIKE_SPIFFE_SOURCE_TIMEOUT): the agent accepted the connection but sent no X.509-SVID; check that it is healthy.`;

  it('(d) on a terminal: "Waiting for …" once, then the timeout error on its own line', { timeout: 60_000 }, async () => {
    const term = spawnPty(process.execPath, [SPIKE_BIN, 'secret', 'list'], {
      name: 'xterm',
      cols: 400,
      rows: 30,
      cwd: tmp,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: tmp,
        SPIFFE_ENDPOINT_SOCKET: `unix://${silentPath}`,
        SPIKE_NEXUS_API_URL: 'https://127.0.0.1:9',
        SPIKE_SPIFFE_SOURCE_TIMEOUT: '3s',
      },
    });
    let output = '';
    term.onData((d) => {
      output += d;
    });
    const killer = setTimeout(() => term.kill('SIGKILL'), 50_000);
    const code = await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    clearTimeout(killer);
    expect(code).toBe(3);
    // The pty turns \n into \r\n; nothing else is printed.
    expect(output).toBe(`Waiting for the SPIFFE Workload API at unix://${silentPath}…\r\n${timeoutLine()}\r\n`);
  });

  it('(d) not on a terminal: no waiting line, only the timeout error', { timeout: 60_000 }, async () => {
    const r = await spike(['operator', 'restore'], { SPIFFE_ENDPOINT_SOCKET: `unix://${silentPath}`, SPIKE_SPIFFE_SOURCE_TIMEOUT: '3s' });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 3, stdout: '', stderr: `${timeoutLine()}\n` });
  });
});
