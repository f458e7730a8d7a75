// What `spike operator restore` says, end to end on the real stack (dev
// agent, three keepers, Nexus with SQLite, threshold 2) with the built
// `spike`: a drill on a healthy Nexus (matches / does NOT match), then a
// total loss and the operator mistakes of a restore — a typo, the same id
// with two values, a shard given twice, a set that does not fit, `--reset`,
// a restore that names the shard it did not use — and the rate limit's
// promise (429 with the wait). The texts are those of docs/cli.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../helpers/stack.js';
import { spikeAsPilot, startStackWithTmp, stopStackWithTmp } from '../helpers/stack-cli.js';

let stack: Stack, tmp: string;

beforeAll(async () => {
  ({ stack, tmp } = await startStackWithTmp('/tmp/ras-', { keepers: 3, threshold: 2 }));
}, 120_000);
afterAll(() => stopStackWithTmp(stack, tmp));

const spike = (args: string[], stdin?: string) => spikeAsPilot(stack, args, { extra: { SPIKE_PILOT_RECOVERY_DIR: tmp }, stdin });
const restore = (shard: string, ...args: string[]) => spike(['operator', 'restore', ...args], shard);

const PROGRESS = (collected: number, remaining: number): string =>
  `\nShards collected: ${collected}\nShards remaining: ${remaining}\nPlease run \`spike operator restore\` again to provide the remaining shards.\n\n`;
const RESTORED =
  '\nSPIKE is now restored and ready to use.\nPlease run `./hack/spire-server-entry-su-register.sh` with necessary privileges\nto start using SPIKE as a superuser.\n\n';

describe('restore answers on the real stack', () => {
  it('drill, then a restore through every operator mistake', { timeout: 240_000 }, async () => {
    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'put', 'apps/db', 'pass=s3cr3t'])).toMatchObject({ code: 0 });
    await stack.setEntry('pilot', stack.ids.recover);
    expect(await spike(['operator', 'recover'])).toMatchObject({ code: 0 });
    const shard = (n: number): string => readFileSync(join(tmp, 'recover', `spike.recovery.${n}.txt`), 'latin1').trim();
    const good2 = shard(2);
    const typo2 = good2.slice(0, -1) + (good2.endsWith('0') ? '1' : '0');

    // A drill on the healthy Nexus: never "restored".
    await stack.setEntry('pilot', stack.ids.restore);
    expect(await restore(good2)).toMatchObject({
      code: 0,
      stdout: 'SPIKE Nexus is healthy; nothing to restore. Shard 2 matches the current root key.\n',
      stderr: '',
    });
    expect(await restore(typo2)).toMatchObject({
      code: 5,
      stdout: '',
      stderr: 'Error: SPIKE Nexus is healthy; nothing to restore. Shard 2 does NOT match the current root key.\n',
    });

    // Total loss: Nexus comes back waiting for a restore.
    for (const n of ['nexus', 'keeper-1', 'keeper-2', 'keeper-3']) await stack.kill(n);
    await stack.startKeepers();
    const nexus = await stack.startNexus();
    await nexus.waitForEvent('restore_needed');

    // A typo first, then the right value for the same id: both kept.
    expect(await restore(typo2)).toMatchObject({ code: 0, stdout: PROGRESS(1, 1), stderr: '' });
    expect(await restore(good2)).toMatchObject({
      code: 0,
      stdout: `Shard 2 was given before with a different value; both values are kept and the next shard will decide which one is right.\n${PROGRESS(1, 1)}`,
    });
    expect(await restore(good2)).toMatchObject({ code: 0, stdout: `Shard 2 was already given.\n${PROGRESS(1, 1)}` });

    // Start over.
    expect(await spike(['operator', 'restore', '--reset'])).toMatchObject({ code: 0, stdout: 'Restore collection emptied; give the shards again.\n', stderr: '' });
    expect((await spike(['operator', 'status'])).stdout).toMatch(/Shards collected: 0\n/);

    // Shard 1 and the typo do not fit: exit 5, all kept, one more needed.
    expect(await restore(shard(1))).toMatchObject({ code: 0, stdout: PROGRESS(1, 1) });
    const noFit = await restore(typo2, '-f', 'json');
    expect(noFit.code).toBe(5);
    expect(JSON.parse(noFit.stdout)).toEqual({ collected: 2, remaining: 1, restored: false, state: 'no_fit', ids: [1, 2] });
    expect(noFit.stderr).toBe(
      'Error: The shards given so far (shards 1 and 2) do not fit together: at least one is wrong or from another shard set. All are kept; give 1 more shard with `spike operator restore`.\n',
    );

    // Shard 3 completes the set with shard 1; the typo is named.
    expect(await restore(shard(3))).toMatchObject({
      code: 0,
      stdout: `${RESTORED}Shard 2 was not used: it does not belong to this root key.\n\n`,
      stderr: '',
    });
    await stack.setEntry('pilot', stack.ids.superuser);
    expect(await spike(['secret', 'get', 'apps/db', 'pass'])).toMatchObject({ code: 0, stdout: 's3cr3t\n' });
  });

  it('the rate limit says how long to wait (429 + Retry-After)', { timeout: 120_000 }, async () => {
    await stack.setEntry('pilot', stack.ids.restore);
    // Drill calls add nothing, so each is charged: the burst runs out.
    const codes: (number | null)[] = [];
    let limited: Awaited<ReturnType<typeof spike>> | undefined;
    for (let i = 0; i < 40 && limited === undefined; i++) {
      const r = await restore(`spike:1:${'11'.repeat(32)}`);
      codes.push(r.code);
      if (r.code === 1) limited = r;
    }
    // Before the limit: healthy, and not shard 1 of this key (exit 5).
    expect(codes.slice(0, -1).every((c) => c === 5)).toBe(true);
    expect(limited?.stdout).toBe('');
    expect(limited?.stderr).toMatch(/^Error: Too many restore attempts; try again in [1-9]\d* s\.\n$/);
  });
});
