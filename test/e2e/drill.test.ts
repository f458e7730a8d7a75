// The break-glass drill (docs/design.md § The drill), end to end, exactly as an
// operator runs it: `hack/demo.sh` drives the real binaries (dev agent, three
// Keepers, Nexus, Bootstrap) and the real `spike` CLI on a private stack with
// free loopback ports, and ends with PASS or FAIL. `hack/demo.sh --ha` does the
// same on a private PostgreSQL cluster with two Nexus replicas, one killed mid-drill.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `bash hack/demo.sh args` from the repository root; its exit code and its stdout and stderr as one text (printed when it fails). */
async function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn('bash', ['hack/demo.sh', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) console.error(out);
  return { code, out };
}

describe('break-glass drill (hack/demo.sh)', () => {
  it('recovers shards, self-heals, restores after total loss, and loses no secret', async () => {
    const { code, out } = await runDemo([]);
    expect(out).toContain('PASS: the break-glass drill succeeded');
    expect(out).toContain('SPIKE is now restored and ready to use.');
    expect(out).toMatch(/Shards collected: 1/);
    expect(code).toBe(0);
  }, 240_000);

  it('--ha: on PostgreSQL with two replicas, keeps serving through one while the other is killed, and restores both', async () => {
    const { code, out } = await runDemo(['--ha']);
    expect(out).toContain('postgres: started (pid ');
    expect(out).toMatch(/SPIKE Nexus is ready: 2 replicas at https:\/\/127\.0\.0\.1:(\d+),https:\/\/127\.0\.0\.1:\d+\./);
    // Replica 1 killed, then a write and a read answered with it down, the Pilot given both URLs.
    const list = 'SPIKE_NEXUS_API_URL=https://127\\.0\\.0\\.1:\\d+,https://127\\.0\\.0\\.1:\\d+';
    expect(out).toMatch(new RegExp(`nexus: stopped \\(KILL\\)\\n\\$ ${list} spike secret put secrets/api-key key=AKIA-DEMO-1234\\nOK\\n\\$ ${list} spike secret get secrets/db-creds password\\nc0rrect horse\\n`));
    // spike operator status names both replicas (hack/start.sh names them nexus and nexus-2), both waiting.
    expect(out).toMatch(/Replicas seen recently: 2\n {2}nexus {4}not ready {2}last seen [\d.]+ s ago\n {2}nexus-2 {2}not ready {2}last seen/);
    expect(out).toContain('Replica 2 rebuilt the root key from the Keepers that replica 1 refilled.');
    expect(out.match(/: both secrets as written\./g)).toHaveLength(2);
    expect(out).toContain('PASS: the HA drill succeeded');
    expect(code).toBe(0);
  }, 240_000);
});
