// The built `spike` CLI with SPIKE_NEXUS_API_URL as a list (run `npm run
// build` first), against the real local stack: a dead first URL is passed
// over for reads and writes (the full CLI and the break-glass fast path);
// a first URL that presents another SPIFFE ID (a Keeper of the same trust
// domain) stops the Pilot with exit 3 and the second URL is never tried.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike } from '../helpers/fakenexus.js';
import { Stack } from '../helpers/stack.js';

let stack: Stack;
let tmp: string;
let deadUrl: string;
const closers: (() => void)[] = [];

/**
 * A loopback port held but not listening (the local end of a connection we
 * keep open, so nothing else can bind it meanwhile): connecting is refused.
 */
async function heldPort(): Promise<number> {
  const server = net.createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
  closers.push(() => {
    sock.destroy();
    server.close();
  });
  return sock.localPort as number;
}

beforeAll(async () => {
  tmp = mkdtempSync('/tmp/pnl-');
  stack = await Stack.create({ keepers: 2 });
  await stack.startAll();
  await stack.setEntry('pilot', stack.ids.superuser);
  deadUrl = `https://127.0.0.1:${await heldPort()}`;
}, 120_000);
afterAll(async () => {
  for (const c of closers) c();
  await stack?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function spike(nexusUrls: string, args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot'))) if (v !== undefined) env[k] = v;
  env.SPIKE_NEXUS_API_URL = nexusUrls;
  env.SPIKE_PILOT_RECOVERY_DIR = join(tmp, 'recovery');
  return runSpike(args, { env });
}

describe('SPIKE_NEXUS_API_URL as a list, against the real stack', () => {
  it('a dead first URL: secret put/get and operator status go to the second', { timeout: 120_000 }, async () => {
    const list = `${deadUrl}, ${stack.nexusUrl.origin}`;
    expect(await spike(list, ['secret', 'put', 'apps/list', 'k=v1'])).toMatchObject({ code: 0, stdout: 'OK\n', stderr: '' });
    expect(await spike(list, ['secret', 'get', 'apps/list', 'k'])).toMatchObject({ code: 0, stdout: 'v1\n', stderr: '' });
    const status = await spike(list, ['operator', 'status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).not.toBe('');
  });

  it('every URL dead: one line naming both, exit 1', { timeout: 120_000 }, async () => {
    const other = `https://127.0.0.1:${await heldPort()}`;
    const r = await spike(`${deadUrl},${other}`, ['secret', 'get', 'apps/list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error: Failed to connect to SPIKE Nexus. (no SPIKE Nexus reachable; tried ${deadUrl}, ${other} (last: cannot reach ${other}: ECONNREFUSED))\n`,
    );
  });

  it('a first URL presenting a Keeper ID: exit 3, the second URL is never tried', { timeout: 120_000 }, async () => {
    const impostor = stack.keeperUrls[0]?.origin as string;
    const list = `${impostor},${stack.nexusUrl.origin}`;
    const put = await spike(list, ['secret', 'put', 'apps/impostor', 'k=v']);
    expect(put.code).toBe(3);
    expect(put.stderr).toContain(stack.ids.keepers[0]);
    expect(put.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    // nothing reached the real Nexus: the secret does not exist
    expect(await spike(stack.nexusUrl.origin, ['secret', 'get', 'apps/impostor'])).toMatchObject({ code: 1, stderr: 'Error: Resource not found.\n' });
    expect((await spike(list, ['operator', 'status'])).code).toBe(3);
  });

  it('the break-glass fast path takes the list: operator recover with a dead first URL', { timeout: 120_000 }, async () => {
    await stack.setEntry('pilot', stack.ids.recover);
    try {
      const r = await spike(`${deadUrl},${stack.nexusUrl.origin}`, ['operator', 'recover']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(readdirSync(join(tmp, 'recovery', 'recover')).length).toBeGreaterThan(0);
    } finally {
      await stack.setEntry('pilot', stack.ids.superuser);
    }
  });
});
