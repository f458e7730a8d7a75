// The break-glass drill (docs/design.md § The drill), end to end, exactly as an
// operator runs it: `hack/demo.sh` drives the real binaries (dev agent, three
// Keepers, Nexus, Bootstrap) and the real `spike` CLI on a private stack with
// free loopback ports, and ends with PASS or FAIL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('break-glass drill (hack/demo.sh)', () => {
  it('recovers shards, self-heals, restores after total loss, and loses no secret', async () => {
    const child = spawn('bash', ['hack/demo.sh'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) console.error(out);
    expect(out).toContain('PASS: the break-glass drill succeeded');
    expect(out).toContain('SPIKE is now restored and ready to use.');
    expect(out).toMatch(/Shards collected: 1/);
    expect(code).toBe(0);
  }, 240_000);
});
