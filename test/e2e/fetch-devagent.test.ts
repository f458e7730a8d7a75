// fetch.ts (the one-shot X.509-SVID fetch over node:http2) against the real
// development agent, dist/spike-dev-agent.js. Run `npm run build` first.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchX509Context } from '../../src/spiffe/fetch.js';
import { DIST, minimalEnv, spawnBin, type Proc } from '../helpers/proc.js';

describe('fetchX509Context (real dev agent)', () => {
  let dir: string;
  let agent: Proc | undefined;
  let sockets: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'spike-dev-agent.js'))) throw new Error('dist/spike-dev-agent.js is missing: run `npm run build` first');
    dir = mkdtempSync('/tmp/pfa-');
    agent = spawnBin('agent', 'spike-dev-agent', ['run'], minimalEnv({ HOME: dir, SPIKE_DEV_DIR: dir }));
    const ready = await agent.waitForEvent('agent_ready');
    sockets = ready['sockets'] as Record<string, string>;
  }, 30_000);

  afterAll(async () => {
    await agent?.stop('SIGTERM', 5000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gets the pilot SVID and the spike.ist bundle', async () => {
    const ctx = await fetchX509Context({ address: `unix://${sockets['pilot']}`, timeoutMs: 10_000 });
    expect(ctx.svids[0]?.id.trustDomain).toBe('spike.ist');
    expect(ctx.svids[0]?.id.path).toMatch(/^\/spike\/pilot\//);
    expect(ctx.bundles.getX509BundleForTrustDomain('spike.ist')?.authorities.length).toBeGreaterThan(0);
  });

  it('gets every workload’s SVID', async () => {
    expect(Object.keys(sockets).length).toBeGreaterThan(0);
    for (const [name, sock] of Object.entries(sockets)) {
      const ctx = await fetchX509Context({ address: `unix://${sock}`, timeoutMs: 10_000 });
      expect(ctx.svids.length, name).toBeGreaterThan(0);
    }
  });
});
